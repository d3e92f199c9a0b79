// Reading JSON request bodies strictly: the body must be an object, every field the right type,
// no field the handler does not know. Errors name the field.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.hpp"

namespace zhidu::api {

// The deepest any JSON the server is sent (request bodies, MQTT payloads) may nest arrays and
// objects. Checked on the text before a document is built: a value nested 100,000 deep would
// otherwise overflow the stack when it is copied or dumped (docs/security.md).
inline constexpr int kMaxJsonDepth = 64;

// The longest string (value or key) anywhere in such JSON, in bytes: about 6,600 Chinese
// characters. Fields with a lower maximum check it themselves (docs/security.md, Sizes).
inline constexpr size_t kMaxJsonStringBytes = 20'000;

// Parses `text` as one JSON value. Fails with kInvalidArgument on malformed JSON, invalid UTF-8,
// nesting deeper than kMaxJsonDepth or a string longer than kMaxJsonStringBytes (the error's
// field: the top-level key holding it); `what` names the text in the message ("the request
// body").
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what = "the request body");

class JsonBody {
 public:
  // Fails with kInvalidArgument on what ParseJson refuses or a non-object.
  static Result<JsonBody> Parse(const std::string& text);

  Result<std::string> RequiredString(const std::string& key);
  Result<std::string> OptionalString(const std::string& key, std::string fallback = {});
  Result<std::int64_t> RequiredId(const std::string& key);
  Result<std::int64_t> OptionalId(const std::string& key);  // absent or null -> 0
  Result<bool> OptionalBool(const std::string& key, bool fallback);
  Result<bool> RequiredBool(const std::string& key);
  Result<std::int64_t> RequiredInt(const std::string& key);  // any integer (a survey's score)
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
