// Plain HTTP request/response values: what handlers see. No Beast here, so the router,
// the handlers and their tests compile without it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace zhidu::api {

struct HttpRequest {
  std::string method;                          // "GET", "POST", …
  std::string target;                          // raw target, with query
  std::string path;                            // percent-decoded path without query
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string client_ip;
  std::map<std::string, std::string> params;  // filled by the router from {name} segments

  const std::string& Header(const std::string& lower_name) const;
  std::string Cookie(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<HttpResponse(HttpRequest&)>;

// Splits "a/b?x=1&y=%E5%80%BC" into path and query, percent-decoding both. False on bad escapes.
bool ParseTarget(const std::string& target, std::string& path,
                 std::map<std::string, std::string>& query);

}  // namespace zhidu::api
