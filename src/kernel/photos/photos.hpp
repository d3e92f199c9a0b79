// Photos (照片), stored content-addressed: the id of a photo is the SHA-256 of its bytes, so the
// same bytes uploaded twice are stored once and a reference can never point at other bytes. The
// bytes live in the store (table `photos`, a BLOB in SQLite and BYTEA in PostgreSQL), so a backup
// of the database is a backup of the photos and a photo commits with its journal record.
// A checklist answer of kind photo references a stored photo by its hash (kernel/runtime/duties).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::photos {

// The image type the bytes are, by their magic numbers: image/jpeg, image/png or image/webp;
// nullopt for anything else.
std::optional<std::string> SniffImageType(std::string_view bytes);
// True for 64 lower-case hex digits.
bool IsSha256Hex(std::string_view text);

struct StoredPhoto {
  store::Photo photo;    // without data
  bool created = false;  // false: these bytes were stored already
};

class Photos {
 public:
  Photos(store::Store& store, store::Writer& writer) : store_(store), writer_(writer) {}

  // Stores `bytes` declared as `content_type`. kInvalidArgument (field content_type) when the
  // type is not one of the three or the bytes are not of the declared type. Journals photo.stored
  // when the bytes are new; storing known bytes again changes nothing.
  Result<StoredPhoto> Put(const org::Principal& who, std::string_view content_type,
                          std::string bytes);
  // kNotFound for an unknown hash (kInvalidArgument when it is not a SHA-256 in hex).
  Result<store::Photo> Get(const std::string& sha256);

 private:
  store::Store& store_;
  store::Writer& writer_;
};

}  // namespace zhidu::photos
