// Routes: method + path pattern ("/api/v1/sites/{id}") -> handler. The route table is also the
// source of `zhidu routes`, which the OpenAPI test compares with openapi.json.
#pragma once

#include <string>
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
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Access access, Handler handler);
  // A signed-in route whose body is raw bytes of its own Content-Type (photo uploads).
  void AddUpload(std::string method, std::string pattern, Handler handler);
  // The matched route (params filled into request.params), or nullptr. `path_matched` tells
  // whether some route matched the path with another method (405 instead of 404).
  const Route* Match(HttpRequest& request, bool& path_matched) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace zhidu::api
