#include "api/json_body.hpp"

namespace zhidu::api {

using Json = nlohmann::json;

namespace {
std::string TypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}
}  // namespace

Result<JsonBody> JsonBody::Parse(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    // Parse again with exceptions to get the position for the message.
    try {
      (void)Json::parse(text);
    } catch (const Json::parse_error& e) {
      std::string what = e.what();
      auto pos = what.find("parse error");
      return Fail(Errc::kInvalidArgument, "the request body is not valid JSON: " +
                                              (pos == std::string::npos ? what : what.substr(pos)));
    } catch (...) {
    }
    return Fail(Errc::kInvalidArgument, "the request body is not valid JSON");
  }
  if (!j.is_object())
    return Fail(Errc::kInvalidArgument,
                "the request body must be a JSON object, got " + TypeName(j));
  return JsonBody(std::move(j));
}

Result<std::string> JsonBody::RequiredString(const std::string& key) {
  seen_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null())
    return Fail(Errc::kInvalidArgument, key + " is required", key);
  if (!it->is_string())
    return Fail(Errc::kInvalidArgument, key + " must be a string, got " + TypeName(*it), key);
  return it->get<std::string>();
}

Result<std::string> JsonBody::OptionalString(const std::string& key, std::string fallback) {
  seen_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) return fallback;
  if (!it->is_string())
    return Fail(Errc::kInvalidArgument, key + " must be a string, got " + TypeName(*it), key);
  return it->get<std::string>();
}

Result<std::int64_t> JsonBody::RequiredId(const std::string& key) {
  seen_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null())
    return Fail(Errc::kInvalidArgument, key + " is required", key);
  if (!it->is_number_integer())
    return Fail(Errc::kInvalidArgument, key + " must be an integer id, got " + TypeName(*it), key);
  auto v = it->get<std::int64_t>();
  if (v <= 0) return Fail(Errc::kInvalidArgument, key + " must be a positive id", key);
  return v;
}

Result<std::int64_t> JsonBody::OptionalId(const std::string& key) {
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) {
    seen_.insert(key);
    return 0;
  }
  return RequiredId(key);
}

Result<bool> JsonBody::OptionalBool(const std::string& key, bool fallback) {
  seen_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) return fallback;
  if (!it->is_boolean())
    return Fail(Errc::kInvalidArgument, key + " must be true or false, got " + TypeName(*it), key);
  return it->get<bool>();
}

Result<std::optional<Json>> JsonBody::OptionalArray(const std::string& key) {
  seen_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) return std::optional<Json>();
  if (!it->is_array())
    return Fail(Errc::kInvalidArgument, key + " must be an array, got " + TypeName(*it), key);
  return std::optional<Json>(*it);
}

Result<std::optional<Json>> JsonBody::OptionalObject(const std::string& key) {
  seen_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) return std::optional<Json>();
  if (!it->is_object())
    return Fail(Errc::kInvalidArgument, key + " must be an object, got " + TypeName(*it), key);
  return std::optional<Json>(*it);
}

Result<void> JsonBody::NoOtherFields() const {
  for (const auto& [key, _] : json_.items())
    if (!seen_.contains(key))
      return Fail(Errc::kInvalidArgument, "unknown field \"" + key + "\"", key);
  return Ok();
}

}  // namespace zhidu::api
