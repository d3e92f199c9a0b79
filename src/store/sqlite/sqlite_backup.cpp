#include "store/sqlite/sqlite_backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

namespace zhidu::store {

namespace {

struct Db {
  sqlite3* db = nullptr;
  ~Db() { sqlite3_close(db); }
};

Error SqliteFailure(sqlite3* db, int rc, const std::string& what) {
  std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    return Error{Errc::kCorruption, message, ""};
  return Error{Errc::kUnavailable, message, ""};
}

Result<void> SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Errc::kUnavailable, "cannot open " + path + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Fail(Errc::kUnavailable, "cannot sync " + path + " to disk");
  return Ok();
}

Result<void> Copy(const std::string& from, const std::string& to) {
  Db source, target;
  int rc = sqlite3_open_v2(from.c_str(), &source.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) return Fail(SqliteFailure(source.db, rc, "open " + from));
  sqlite3_busy_timeout(source.db, 5000);
  rc = sqlite3_open_v2(to.c_str(), &target.db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return Fail(SqliteFailure(target.db, rc, "create " + to));
  sqlite3_backup* backup = sqlite3_backup_init(target.db, "main", source.db, "main");
  if (!backup) return Fail(SqliteFailure(target.db, sqlite3_errcode(target.db), "back up " + from));
  // All pages in one step: one read transaction, so one consistent snapshot. A busy source (a
  // checkpoint holding a lock for a moment) is retried a bounded number of times.
  for (int attempt = 0; attempt < 100; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(50);
  }
  int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return Fail(SqliteFailure(nullptr, rc, "back up " + from));
  if (finished != SQLITE_OK) return Fail(SqliteFailure(target.db, finished, "back up " + from));
  // The copy is a single self-contained file: no WAL beside it.
  char* err = nullptr;
  rc = sqlite3_exec(target.db, "PRAGMA journal_mode=DELETE;", nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Fail(SqliteFailure(target.db, rc, "finish " + to));
  return Ok();
}

}  // namespace

Result<void> SealSqliteFile(const std::string& path) {
  {
    Db db;
    int rc =
        sqlite3_open_v2(path.c_str(), &db.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return Fail(SqliteFailure(db.db, rc, "open " + path));
    char* err = nullptr;
    rc = sqlite3_exec(db.db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;",
                      nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return Fail(SqliteFailure(db.db, rc, "seal " + path));
  }
  std::error_code ec;
  if (std::filesystem::exists(path + "-wal", ec))
    return Fail(Errc::kUnavailable, path + "-wal is still there: another process has it open");
  return SyncFile(path);
}

Result<std::int64_t> BackupSqliteDatabase(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (std::filesystem::exists(to, ec))
    return Fail(Errc::kInvalidArgument, to + " already exists; a backup never overwrites a file");
  auto copied = Copy(from, to);
  if (copied) copied = SyncFile(to);
  if (!copied) {
    std::filesystem::remove(to, ec);
    std::filesystem::remove(to + "-journal", ec);
    return Fail(copied.error());
  }
  auto size = std::filesystem::file_size(to, ec);
  if (ec) return Fail(Errc::kUnavailable, "cannot read the size of " + to);
  return static_cast<std::int64_t>(size);
}

}  // namespace zhidu::store
