#include "app/backup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "app/data_dir.hpp"
#include "base/clock.hpp"
#include "base/crypto.hpp"
#include "base/time.hpp"
#include "store/journal.hpp"
#include "store/sqlite/sqlite_backup.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace zhidu::app {

namespace {

namespace fs = std::filesystem;

// What verify says of a copy: its report, or why it could not be read (kCorruption: the file is
// not a readable zhidu database).
Result<store::VerifyReport> VerifyCopy(const fs::path& file) {
  auto opened = store::OpenSqliteStore(file.string(), 2);
  if (!opened) return Fail(opened.error());
  int threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  return store::VerifyJournal(**opened, threads);  // the store closes (and checkpoints) here
}

// "N records, head SEQ:HASH" or why the chain is broken.
std::string Describe(const store::VerifyReport& report) {
  if (report.ok)
    return std::to_string(report.records) + " journal records, head " +
           std::to_string(report.records) + ":" + ToHex(report.head);
  if (report.bad_seq == 0) return "journal BROKEN: " + report.problem;
  return "journal BROKEN at record " + std::to_string(report.bad_seq) + ": " + report.problem;
}

void RemoveDatabase(const fs::path& file) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    fs::remove(fs::path(file.string() + suffix), ec);
}

void SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

// "20261205T061500Z": the replaced database's suffix.
std::string CompactUtcNow() {
  std::string iso = FormatIso8601Utc(SystemClock().Now());  // 2026-12-05T06:15:00[.ffffff]Z
  std::string out;
  for (char c : iso.substr(0, 19))
    if (c != '-' && c != ':') out += c;
  return out + "Z";
}

// Root working in a data directory another user owns (the service's user) would leave files the
// server cannot open: the -shm a WAL reader creates, the restored database. Empty: fine.
std::string WrongUser(const fs::path& data_dir) {
  struct stat st {};
  if (::geteuid() != 0 || ::stat(data_dir.c_str(), &st) != 0 || st.st_uid == 0) return {};
  return data_dir.string() + " belongs to uid " + std::to_string(st.st_uid) +
         ": run this as that user (e.g. sudo -u zhidu …), not as root";
}

}  // namespace

int Backup(const fs::path& data_dir, const fs::path& out) {
  const fs::path db = SqliteFileIn(data_dir);
  std::error_code ec;
  if (!fs::is_regular_file(db, ec)) {
    std::cerr << "zhidu backup: no zhidu database in " << data_dir.string()
              << " (PostgreSQL is backed up with pg_dump: docs/operations.md)\n";
    return 2;
  }
  if (auto wrong = WrongUser(data_dir); !wrong.empty()) {
    std::cerr << "zhidu backup: " << wrong << "\n";
    return 2;
  }
  if (fs::exists(out, ec) || fs::is_symlink(out, ec)) {
    std::cerr << "zhidu backup: " << out.string() << " already exists; choose a new file\n";
    return 2;
  }
  if (!out.parent_path().empty() && !fs::is_directory(out.parent_path(), ec)) {
    std::cerr << "zhidu backup: the directory " << out.parent_path().string()
              << " does not exist\n";
    return 2;
  }
  // Written beside the target and renamed once verified: `out` is either a verified backup or
  // absent.
  const fs::path partial = out.string() + ".partial";
  RemoveDatabase(partial);
  auto bytes = store::BackupSqliteDatabase(db.string(), partial.string());
  if (!bytes) {
    std::cerr << "zhidu backup: " << bytes.error().message << "\n";
    return 2;
  }
  auto report = VerifyCopy(partial);
  if (!report || !report->ok) {
    RemoveDatabase(partial);
    if (!report) {
      std::cerr << "zhidu backup: the copy cannot be verified: " << report.error().message << "\n";
      return report.error().code == Errc::kCorruption ? 1 : 2;
    }
    std::cout << "zhidu backup: the copy's " << Describe(*report)
              << "; no backup was written (run zhidu verify on the data directory)\n";
    return 1;
  }
  if (auto sealed = store::SealSqliteFile(partial.string()); !sealed) {
    RemoveDatabase(partial);
    std::cerr << "zhidu backup: " << sealed.error().message << "\n";
    return 2;
  }
  fs::rename(partial, out, ec);
  if (ec) {
    RemoveDatabase(partial);
    std::cerr << "zhidu backup: cannot write " << out.string() << ": " << ec.message() << "\n";
    return 2;
  }
  SyncDirectory(fs::absolute(out).parent_path());
  auto size = fs::file_size(out, ec);
  std::cout << "backup written to " << out.string() << ": " << (ec ? *bytes : size) << " bytes, "
            << Describe(*report) << " (verified)\n";
  return 0;
}

int Restore(const fs::path& data_dir, const fs::path& from) {
  std::error_code ec;
  if (!fs::is_regular_file(from, ec)) {
    std::cerr << "zhidu restore: " << from.string() << " is not a backup file\n";
    return 2;
  }
  fs::create_directories(data_dir, ec);
  if (ec) {
    std::cerr << "zhidu restore: cannot create " << data_dir.string() << ": " << ec.message()
              << "\n";
    return 2;
  }
  if (auto wrong = WrongUser(data_dir); !wrong.empty()) {
    std::cerr << "zhidu restore: " << wrong << "; nothing was changed\n";
    return 2;
  }
  DataDirLock lock;
  if (auto locked = lock.Acquire(data_dir); !locked) {
    std::cerr << "zhidu restore: " << locked.error().message
              << " (stop the server first; nothing was changed)\n";
    return 2;
  }
  const fs::path db = SqliteFileIn(data_dir);
  // The backup is copied into the data directory first and that copy is verified: what is checked
  // is exactly what the server will open, and the backup file itself is never changed.
  const fs::path incoming = db.string() + ".restoring";
  RemoveDatabase(incoming);
  fs::copy_file(from, incoming, ec);
  if (ec) {
    std::cerr << "zhidu restore: cannot copy " << from.string() << " into " << data_dir.string()
              << ": " << ec.message() << "\n";
    return 2;
  }
  auto report = VerifyCopy(incoming);
  if (!report || !report->ok) {
    RemoveDatabase(incoming);
    std::string why = report ? Describe(*report) : report.error().message;
    std::cerr << "zhidu restore: refused: " << from.string()
              << (report ? "'s " : " is not a readable zhidu database: ") << why
              << "; nothing was changed in " << data_dir.string() << "\n";
    return 1;
  }
  if (auto sealed = store::SealSqliteFile(incoming.string()); !sealed) {
    RemoveDatabase(incoming);
    std::cerr << "zhidu restore: " << sealed.error().message << "; nothing was changed\n";
    return 2;
  }
  fs::path kept;
  if (fs::exists(db, ec)) {
    kept = db.string() + ".replaced-" + CompactUtcNow();
    fs::rename(db, kept, ec);
    // A WAL a crashed server left holds committed records: it moves with its database.
    std::error_code wal_ec;
    if (!ec && fs::exists(db.string() + "-wal", wal_ec))
      fs::rename(db.string() + "-wal", kept.string() + "-wal", ec);
    fs::remove(db.string() + "-shm", wal_ec);
    if (ec) {
      RemoveDatabase(incoming);
      std::cerr << "zhidu restore: cannot move the current database aside: " << ec.message()
                << "\n";
      return 2;
    }
  }
  fs::rename(incoming, db, ec);
  if (ec) {
    std::cerr << "zhidu restore: cannot put the backup in place: " << ec.message() << "\n";
    return 2;
  }
  SyncDirectory(data_dir);
  std::cout << "restored " << from.string() << " into " << data_dir.string() << ": "
            << Describe(*report) << " (verified)";
  if (!kept.empty()) std::cout << "; the replaced database is kept as " << kept.string();
  std::cout << "\n";
  return 0;
}

}  // namespace zhidu::app
