// Routes: method + path pattern ("/api/v1/sites/{id}") -> handler. The route table is also the
// source of `zhidu routes`, which the OpenAPI test compares with openapi.json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/http.hpp"

namespace zhidu::api {

enum class Access { kPublic, kSignedIn };

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kSignedIn;
  Handler handler;
  bool raw_body = false;  // the body is not JSON (uploads): no application/json check
  // A GET whose answer depends only on the stored state and the principal (what the duty board
  // polls): the read cache may keep it between commits (docs/adr/0005-read-cache.md).
  bool cacheable = false;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Access access, Handler handler);
  // A signed-in route whose body is raw bytes of its own Content-Type (photo uploads).
  void AddUpload(std::string method, std::string pattern, Handler handler);
  // Marks the GET route `pattern` (added before) as cacheable; false when there is no such route.
  bool MarkCacheable(std::string_view pattern);
  // The matched route (params filled into request.params), or nullptr. `path_matched` tells
  // whether some route matched the path with another method (405 instead of 404).
  const Route* Match(HttpRequest& request, bool& path_matched) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  // A pattern split once, when its route is added: each request compares its path's segments
  // with these instead of splitting every pattern again (a scan of ~400 patterns was 5 % of a
  // request's CPU: docs/performance.md, session 23).
  struct Segment {
    std::string text;    // the literal, or the parameter's name
    std::string suffix;  // "{token}.ics": ".ics"
    bool param = false;
  };
  void Compile(const std::string& pattern);
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> compiled_;  // parallel to routes_
};

}  // namespace zhidu::api
