#include "kernel/photos/photos.hpp"
#include "kernel/photos/stored.hpp"

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"

namespace zhidu::photos {

std::optional<std::string> SniffImageType(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n") return "image/png";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  return std::nullopt;
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<StoredPhoto> Photos::Put(const org::Principal& who, std::string_view content_type,
                                std::string bytes) {
  auto sniffed = SniffImageType(bytes);
  if (content_type != "image/jpeg" && content_type != "image/png" && content_type != "image/webp")
    return Fail(Errc::kInvalidArgument,
                "Content-Type must be image/jpeg, image/png or image/webp, not \"" +
                    std::string(content_type) + "\"",
                "content_type");
  if (!sniffed || *sniffed != content_type)
    return Fail(Errc::kInvalidArgument,
                "the bytes are not " + std::string(content_type) +
                    (sniffed ? " (they are " + *sniffed + ")" : ""),
                "content_type");
  store::Photo p;
  p.sha256 = ToHex(Sha256Of(bytes));
  p.content_type = *sniffed;
  p.size_bytes = static_cast<std::int64_t>(bytes.size());
  p.data = std::move(bytes);
  p.stored_by = who.account_id;
  return writer_.Run<StoredPhoto>([&](store::Tx& tx) -> Result<StoredPhoto> {
    p.created_at = tx.now();
    ZHIDU_TRY(bool created, tx.unit().InsertPhoto(p));
    if (!created) {
      ZHIDU_TRY(store::Photo existing, tx.unit().GetPhoto(p.sha256, false));
      return StoredPhoto{existing, false};
    }
    ZHIDU_TRY(auto seq, tx.Journal("photo.stored", who.account_id, "photo/" + p.sha256,
                                   CanonicalObject()
                                       .Add("sha256", p.sha256)
                                       .Add("content_type", p.content_type)
                                       .Add("size_bytes", p.size_bytes)
                                       .Str()));
    (void)seq;
    store::Photo meta = p;
    meta.data.clear();
    return StoredPhoto{std::move(meta), true};
  });
}

Result<store::Photo> Photos::Get(const std::string& sha256) {
  if (!IsSha256Hex(sha256))
    return Fail(Errc::kInvalidArgument, "a photo id is the SHA-256 of its bytes in lower-case hex",
                "sha256");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->GetPhoto(sha256, true);
}

Result<void> MustBeStored(store::UnitOfWork& unit, const std::string& hash, std::string_view field,
                          std::string_view named_by) {
  auto photo = unit.GetPhoto(hash, false);
  if (!photo && photo.error().code == Errc::kNotFound)
    return Fail(Errc::kInvalidArgument, Reason{"photo.not_uploaded"},
                std::string(named_by) + hash + " is not stored: upload the photo first",
                std::string(field));
  if (!photo) return Fail(photo.error());
  return Ok();
}

}  // namespace zhidu::photos
