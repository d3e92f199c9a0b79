// The pack in force. zhidu serve loads one at startup and reloads it (SIGHUP or the admin API):
// a candidate is fully validated first and a bad pack never replaces a good one. Readers take a
// shared_ptr snapshot, so a reload never changes a pack under a request that is using it.
// Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "kernel/policy/loader.hpp"

namespace zhidu::policy {

class ActivePack {
 public:
  // Loads `dir`; fails (with every diagnostic in the message and in `report`) when it has errors.
  // `options` are kept for every reload.
  static Result<std::unique_ptr<ActivePack>> Open(std::filesystem::path dir,
                                                  LoadReport* report = nullptr,
                                                  LoadOptions options = {});

  // The current pack; never null.
  std::shared_ptr<const Pack> Current() const;
  const std::filesystem::path& dir() const { return dir_; }

  // Loads the directory again (or `dir`, which then becomes the pack's directory). On success the
  // new pack is in force and returned; on failure the previous pack stays in force.
  Result<std::shared_ptr<const Pack>> Reload(LoadReport* report = nullptr);
  Result<std::shared_ptr<const Pack>> ReloadFrom(std::filesystem::path dir,
                                                 LoadReport* report = nullptr);

 private:
  ActivePack(std::filesystem::path dir, std::shared_ptr<const Pack> pack, LoadOptions options)
      : options_(std::move(options)), dir_(std::move(dir)), current_(std::move(pack)) {}

  const LoadOptions options_;

  mutable std::mutex mu_;
  std::filesystem::path dir_;            // guarded by mu_ for writes
  std::shared_ptr<const Pack> current_;  // guarded by mu_
};

}  // namespace zhidu::policy
