// A reference to a photo must name bytes already stored (kernel/photos): the check every record
// that carries photo hashes makes in its transaction — checklist answers (runtime/duties), room
// inspections, ticket attachments. Kept apart from photos.hpp so its users do not rebuild with it.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::photos {

// Ok when `hash` is a stored photo; else 400 photo.not_uploaded on `field`, the message naming
// what refers to it ("「灭火器」names photo …" / "photo …") and asking to upload it first.
Result<void> MustBeStored(store::UnitOfWork& unit, const std::string& hash, std::string_view field,
                          std::string_view named_by = "photo ");

}  // namespace zhidu::photos
