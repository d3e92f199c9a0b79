// Reading JSON request bodies strictly: the body must be an object, every field the right type,
// no field the handler does not know. Errors name the field.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.hpp"

namespace zhidu::api {

class JsonBody {
 public:
  // Fails with kInvalidArgument on malformed JSON, invalid UTF-8 or a non-object.
  static Result<JsonBody> Parse(const std::string& text);

  Result<std::string> RequiredString(const std::string& key);
  Result<std::string> OptionalString(const std::string& key, std::string fallback = {});
  Result<std::int64_t> RequiredId(const std::string& key);
  Result<std::int64_t> OptionalId(const std::string& key);  // absent or null -> 0
  Result<bool> OptionalBool(const std::string& key, bool fallback);
  // The raw value of an array/object field (validated by the caller), or nullopt when absent.
  Result<std::optional<nlohmann::json>> OptionalArray(const std::string& key);
  // The raw value of an object field (validated by the caller), or nullopt when absent or null.
  Result<std::optional<nlohmann::json>> OptionalObject(const std::string& key);
  // Fails naming the first field no accessor asked for.
  Result<void> NoOtherFields() const;

  const nlohmann::json& json() const { return json_; }

 private:
  explicit JsonBody(nlohmann::json j) : json_(std::move(j)) {}
  nlohmann::json json_;
  std::set<std::string> seen_;
};

}  // namespace zhidu::api
