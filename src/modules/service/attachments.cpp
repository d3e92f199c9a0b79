// 附件 (issue 18 §2): images on a ticket's thread entries, kept in the kernel's photo store
// (kernel/photos: content-addressed, uploaded with POST /api/v1/photos) and referenced by hash.
#include <algorithm>

#include "kernel/photos/photos.hpp"
#include "kernel/photos/stored.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

Result<std::vector<std::string>> ValidAttachments(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& hash : in) {
    if (!photos::IsSha256Hex(hash))
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "attachments are the SHA-256 of uploaded images (POST /api/v1/photos)",
                  "attachments");
    if (std::ranges::find(out, hash) == out.end()) out.push_back(hash);
  }
  if (out.size() > kMaxAttachments)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "an entry takes at most " + std::to_string(kMaxAttachments) + " attachments",
                "attachments");
  return out;
}

Result<void> AttachmentsStored(store::UnitOfWork& unit, const std::vector<std::string>& hashes) {
  for (const auto& hash : hashes) ZHIDU_TRY_VOID(photos::MustBeStored(unit, hash, "attachments"));
  return Ok();
}

}  // namespace zhidu::service
