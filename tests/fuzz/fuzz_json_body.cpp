// Fuzz target: the JSON body path every API route takes (api::JsonBody::Parse, then the accessors
// and the copies and dumps a handler makes of object fields). libFuzzer's entry point; in the
// g++ debug preset fuzz_driver.cpp runs it for a bounded time under ASan+UBSan (docs/security.md,
// Fuzzing).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/json_body.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = zhidu::api::ParseJson(text, "the fuzz input");
  if (parsed) (void)parsed->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto body = zhidu::api::JsonBody::Parse(text);
  if (!body) return 0;
  (void)body->OptionalString("name");
  (void)body->RequiredId("site_id");
  (void)body->OptionalBool("enabled", false);
  (void)body->OptionalArray("items");
  for (const char* field : {"inputs", "answers", "data", "fields", "source"}) {
    auto object = body->OptionalObject(field);
    if (object && object->has_value()) {
      nlohmann::json copy = **object;  // handlers copy object fields
      (void)copy.dump();
    }
  }
  (void)body->NoOtherFields();
  return 0;
}
