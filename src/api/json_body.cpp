#include "api/json_body.hpp"

#include <optional>
#include <utility>
#include <vector>

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

// A linear scan of the text: the brackets outside strings, deepest first. Stops as soon as the
// cap is passed, so the cost is bounded by the text's length whatever it holds.
bool NestsDeeperThan(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// The first string or key longer than kMaxJsonStringBytes, as the top-level key it is under
// ("" when the document itself is that string), or nullopt. An explicit stack: no recursion.
std::optional<std::string> LongString(const Json& doc) {
  std::vector<std::pair<const Json*, const std::string*>> stack;
  static const std::string kTop;
  stack.emplace_back(&doc, &kTop);
  while (!stack.empty()) {
    auto [v, field] = stack.back();
    stack.pop_back();
    if (v->is_string() && v->get_ref<const std::string&>().size() > kMaxJsonStringBytes)
      return *field;
    if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        const std::string& key = it.key();  // the object's own key: stable while `doc` lives
        const std::string* under = v == &doc ? &key : field;
        if (key.size() > kMaxJsonStringBytes) return *under;
        stack.emplace_back(&*it, under);
      }
    } else if (v->is_array()) {
      for (const auto& child : *v) stack.emplace_back(&child, field);
    }
  }
  return std::nullopt;
}
}  // namespace

Result<Json> ParseJson(std::string_view text, std::string_view what) {
  if (NestsDeeperThan(text, kMaxJsonDepth))
    return Fail(Errc::kInvalidArgument, std::string(what) +
                                            " nests arrays and objects deeper than " +
                                            std::to_string(kMaxJsonDepth) + " levels");
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    if (auto field = LongString(j))
      return Fail(Errc::kInvalidArgument,
                  (field->empty() ? std::string(what) : *field) + " holds a string longer than " +
                      std::to_string(kMaxJsonStringBytes) + " bytes",
                  field->substr(0, 100));
    return j;
  }
  // Parse again with exceptions to get the position for the message.
  std::string message = std::string(what) + " is not valid JSON";
  try {
    Json unused = Json::parse(text);  // throws: the document was refused above
    (void)unused;
  } catch (const Json::parse_error& e) {
    std::string detail = e.what();
    auto pos = detail.find("parse error");
    message += ": " + (pos == std::string::npos ? detail : detail.substr(pos));
  } catch (...) {
  }
  return Fail(Errc::kInvalidArgument, message);
}

Result<JsonBody> JsonBody::Parse(const std::string& text) {
  ZHIDU_TRY(Json j, ParseJson(text));
  if (!j.is_object())
    return Fail(Errc::kInvalidArgument,
                "the request body must be a JSON object, got " + TypeName(j));
  return JsonBody(std::move(j));
}

Result<std::string> JsonBody::RequiredString(const std::string& key) {
  seen_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null())
    return Fail(Errc::kInvalidArgument, kRequired, key + " is required", key);
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
    return Fail(Errc::kInvalidArgument, kRequired, key + " is required", key);
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

Result<bool> JsonBody::RequiredBool(const std::string& key) {
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) {
    seen_.insert(key);
    return Fail(Errc::kInvalidArgument, kRequired, key + " is required", key);
  }
  return OptionalBool(key, false);
}

Result<std::int64_t> JsonBody::RequiredInt(const std::string& key) {
  seen_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null())
    return Fail(Errc::kInvalidArgument, kRequired, key + " is required", key);
  if (!it->is_number_integer())
    return Fail(Errc::kInvalidArgument, key + " must be an integer, got " + TypeName(*it), key);
  return it->get<std::int64_t>();
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
