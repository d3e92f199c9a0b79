// Helpers shared by the route files of the API (api.cpp, routes_*.cpp). Not for other layers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/http.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/expr.hpp"
#include "store/types.hpp"

namespace zhidu::api {

// A JSON response; invalid UTF-8 in strings is replaced, never thrown.
HttpResponse JsonResponse(int status, const nlohmann::json& body);
// ISO 8601 in the default site time zone.
std::string Timestamp(TimePoint t);
// The `{id}` (or `key`) path parameter as an id; kNotFound when it is not one.
Result<store::Id> PathId(const HttpRequest& r, const std::string& key = "id");
// An optional positive id in the query string; 0 when absent.
Result<store::Id> QueryId(const HttpRequest& r, const std::string& key);
// The next_cursor of a page that returned `rows` rows ending at `last_id` (null on the last page).
nlohmann::json NextCursor(size_t rows, const store::PageRequest& page, store::Id last_id);

// JSON inputs -> typed inputs by their JSON type (bool, number, string, list of strings); anything
// else is a 400 naming "inputs.<name>".
Result<policy::Context> TypedInputs(const nlohmann::json& in);
// The `{"code", "message", "field", "reason"}` object of an error body, for responses that add
// members to it (clauses, problems); ErrorResponse() is the usual way.
nlohmann::json ErrorBody(const Error& e);
// An error response carrying the clause ids a refusal cites: {"error": {…, "clause", "clauses"}}.
HttpResponse CitingError(const Error& e, const std::vector<std::string>& clauses);
// A timestamp, or null for the epoch ("not yet").
inline nlohmann::json TimeOrNull(TimePoint t) {
  return t == TimePoint{} ? nlohmann::json(nullptr) : nlohmann::json(Timestamp(t));
}
// An id, or null for 0 ("none").
inline nlohmann::json IdOrNull(store::Id id) {
  return id == 0 ? nlohmann::json(nullptr) : nlohmann::json(id);
}
// The query parameter `key`, empty when absent.
inline std::string QueryString(const HttpRequest& r, const std::string& key) {
  auto it = r.query.find(key);
  return it == r.query.end() ? std::string() : it->second;
}
// An optional ISO 8601 time with an offset in the query; kInvalidArgument naming `key` otherwise.
inline Result<std::optional<TimePoint>> QueryTime(const HttpRequest& r, const std::string& key) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty()) return std::optional<TimePoint>();
  auto t = ParseIso8601(it->second);
  if (!t)
    return Fail(Errc::kInvalidArgument, kInvalid,
                key + " must be an ISO 8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00",
                key);
  return std::optional<TimePoint>(*t);
}

// A required ISO 8601 time with an offset in the query; kInvalidArgument naming `key` otherwise.
inline Result<TimePoint> RequiredQueryTime(const HttpRequest& r, const std::string& key) {
  ZHIDU_TRY(auto t, QueryTime(r, key));
  if (!t) return Fail(Errc::kInvalidArgument, kRequired, key + " is required", key);
  return *t;
}

// {"items": [...], "next_cursor": …} of one keyset page.
template <typename T, typename ToJson, typename IdOf>
HttpResponse List(const std::vector<T>& rows, const store::PageRequest& page, ToJson to_json,
                  IdOf id_of) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : rows) items.push_back(to_json(row));
  // Moved, not copied: a json initializer list deep-copies an lvalue (a tree of every row).
  return JsonResponse(
      200, {{"items", std::move(items)},
            {"next_cursor", NextCursor(rows.size(), page, rows.empty() ? 0 : id_of(rows.back()))}});
}

}  // namespace zhidu::api

// `decl = value of expr`, or return its error as the HTTP response.
#define ZHIDU_OR_ERROR(decl, expr)                                                           \
  auto ZHIDU_CONCAT(r_, __LINE__) = (expr);                                                  \
  if (!ZHIDU_CONCAT(r_, __LINE__)) return ErrorResponse(ZHIDU_CONCAT(r_, __LINE__).error()); \
  decl = std::move(*ZHIDU_CONCAT(r_, __LINE__))
