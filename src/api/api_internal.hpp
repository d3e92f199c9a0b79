// Helpers shared by the route files of the API (api.cpp, routes_*.cpp). Not for other layers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/http.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "store/types.hpp"

namespace zhidu::api {

// A JSON response; invalid UTF-8 in strings is replaced, never thrown.
HttpResponse JsonResponse(int status, const nlohmann::json& body);
// ISO 8601 in the default site time zone.
std::string Timestamp(TimePoint t);

}  // namespace zhidu::api

// `decl = value of expr`, or return its error as the HTTP response.
#define ZHIDU_OR_ERROR(decl, expr)                                                           \
  auto ZHIDU_CONCAT(r_, __LINE__) = (expr);                                                  \
  if (!ZHIDU_CONCAT(r_, __LINE__)) return ErrorResponse(ZHIDU_CONCAT(r_, __LINE__).error()); \
  decl = std::move(*ZHIDU_CONCAT(r_, __LINE__))
