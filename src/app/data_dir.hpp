// The SQLite data directory: its database file and the lock that keeps two processes that write
// it (a server, create-user, restore) from sharing it.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "base/result.hpp"

namespace zhidu::app {

inline std::filesystem::path SqliteFileIn(const std::filesystem::path& data_dir) {
  return data_dir / "zhidu.db";
}

// Holds an exclusive lock on DATA/zhidu.lock for the life of the object, so that two servers
// never share one SQLite data directory (and restore never replaces a database a server has open).
class DataDirLock {
 public:
  DataDirLock() = default;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  Result<void> Acquire(const std::filesystem::path& dir) {
    auto path = dir / "zhidu.lock";
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0) return Fail(Errc::kUnavailable, "cannot open " + path.string());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0)
      return Fail(Errc::kUnavailable, "another zhidu process is using " + dir.string());
    return Ok();
  }
  ~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

}  // namespace zhidu::app
