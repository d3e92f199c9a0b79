#include "kernel/policy/active_pack.hpp"

namespace zhidu::policy {

Result<std::unique_ptr<ActivePack>> ActivePack::Open(std::filesystem::path dir, LoadReport* report,
                                                     LoadOptions options) {
  ZHIDU_TRY(Pack pack, LoadPack(dir, report, options));
  return std::unique_ptr<ActivePack>(new ActivePack(
      std::move(dir), std::make_shared<const Pack>(std::move(pack)), std::move(options)));
}

std::shared_ptr<const Pack> ActivePack::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

Result<std::shared_ptr<const Pack>> ActivePack::Reload(LoadReport* report) {
  std::filesystem::path dir;
  {
    std::lock_guard lock(mu_);
    dir = dir_;
  }
  return ReloadFrom(std::move(dir), report);
}

Result<std::shared_ptr<const Pack>> ActivePack::ReloadFrom(std::filesystem::path dir,
                                                           LoadReport* report) {
  // Load outside the lock: readers keep the current pack meanwhile.
  ZHIDU_TRY(Pack pack, LoadPack(dir, report, options_));
  auto fresh = std::make_shared<const Pack>(std::move(pack));
  std::lock_guard lock(mu_);
  current_ = fresh;
  dir_ = std::move(dir);
  return fresh;
}

}  // namespace zhidu::policy
