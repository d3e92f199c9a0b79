// A minimal builder of canonical JSON for journal payloads: object keys sorted, no whitespace,
// strings escaped per RFC 8259 (UTF-8 passed through). The same input always gives the same bytes,
// which the journal hash depends on. Not a parser: api/ owns JSON parsing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zhidu {

class CanonicalObject {
 public:
  CanonicalObject& Add(std::string_view key, std::string_view value);
  CanonicalObject& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  CanonicalObject& Add(std::string_view key, std::int64_t value);
  CanonicalObject& Add(std::string_view key, int value) {
    return Add(key, static_cast<std::int64_t>(value));
  }
  CanonicalObject& Add(std::string_view key, bool value);
  CanonicalObject& AddRaw(std::string_view key, std::string json);  // `json` must be canonical
  std::string Str() const;

 private:
  std::map<std::string, std::string, std::less<>> fields_;  // key -> encoded value
};

std::string JsonQuote(std::string_view s);
// ["a","b"]: a JSON array of quoted strings, for CanonicalObject::AddRaw.
std::string JsonStringArray(const std::vector<std::string>& items);
// The items joined by `sep` (clause lists in messages, canonical text fields).
std::string Join(const std::vector<std::string>& items, std::string_view sep);

}  // namespace zhidu
