#include "base/canonical_json.hpp"

#include <cstdio>

namespace zhidu {

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

CanonicalObject& CanonicalObject::Add(std::string_view key, std::string_view value) {
  fields_.insert_or_assign(std::string(key), JsonQuote(value));
  return *this;
}
CanonicalObject& CanonicalObject::Add(std::string_view key, std::int64_t value) {
  fields_.insert_or_assign(std::string(key), std::to_string(value));
  return *this;
}
CanonicalObject& CanonicalObject::Add(std::string_view key, bool value) {
  fields_.insert_or_assign(std::string(key), value ? "true" : "false");
  return *this;
}
CanonicalObject& CanonicalObject::AddRaw(std::string_view key, std::string json) {
  fields_.insert_or_assign(std::string(key), std::move(json));
  return *this;
}

std::string CanonicalObject::Str() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : fields_) {
    if (!first) out.push_back(',');
    first = false;
    out += JsonQuote(k);
    out.push_back(':');
    out += v;
  }
  out.push_back('}');
  return out;
}

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ",";
    out += JsonQuote(items[i]);
  }
  return out + "]";
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace zhidu
