// Routes of the duty log (值班记录, /api/v1/duty-log): append, list and search, print view and
// XLSX. Handlers translate JSON; the rules live in modules/dutylog.
#include "modules/dutylog/routes.hpp"

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

json EntryJson(const store::DutyLogEntry& e) {
  return {{"id", e.id},
          {"site_id", e.site_id},
          {"post_id", IdOrNull(e.post_id)},
          {"kind", e.kind},
          {"kind_label", dutylog::KindLabel(e.kind)},
          {"text", e.text},
          {"author", IdOrNull(e.author)},
          {"author_person", IdOrNull(e.author_person)},
          {"at", TimeOrNull(e.at)},
          {"corrects", IdOrNull(e.corrects)},
          {"ref", e.ref.empty() ? json(nullptr) : json(e.ref)},
          {"count", e.repeat_count},
          {"last_at", TimeOrNull(e.last_at)},
          {"occurred_at", TimeOrNull(e.occurred_at)}};
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "the duty log is not running in this process", ""});
}

json PrintJson(const dutylog::PrintView& v) {
  json rows = json::array();
  for (const auto& r : v.rows) {
    json row = EntryJson(r.entry);
    row["post"] = r.post_name;
    row["author_name"] = r.author_name;
    rows.push_back(std::move(row));
  }
  return {{"record", {{"id", v.record_id}, {"title", v.title}, {"clauses", v.clauses}}},
          {"site", {{"id", v.site.id}, {"name", v.site.name}, {"time_zone", v.site.time_zone}}},
          {"from", TimeOrNull(v.from)},
          {"to", TimeOrNull(v.to)},
          {"rows", rows},
          {"totals",
           {{"entries", v.rows.size()},
            {"abnormal", v.abnormal},
            {"alarms", v.alarms},
            {"corrections", v.corrections}}}};
}

Result<dutylog::PrintView> PrintOf(dutylog::DutyLog& log, HttpRequest& req) {
  ZHIDU_TRY(auto site_id, QueryId(req, "site_id"));
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  ZHIDU_TRY(auto from, RequiredQueryTime(req, "from"));
  ZHIDU_TRY(auto to, RequiredQueryTime(req, "to"));
  return log.Print(PrincipalOf(req), site_id, from, to, QueryString(req, "record"));
}

}  // namespace

void AddDutyLogRoutes(Router& r, dutylog::DutyLog* log) {
  // ---- duty log (值班记录): append-only, so there is no PUT, PATCH or DELETE.
  r.Add("POST", "/api/v1/duty-log", Access::kSignedIn, [log](HttpRequest& req) {
    if (!log) return Unavailable();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    dutylog::NewEntry in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.post_id, body.OptionalId("post_id"));
    ZHIDU_OR_ERROR(in.kind, body.RequiredString("kind"));
    ZHIDU_OR_ERROR(in.text, body.RequiredString("text"));
    ZHIDU_OR_ERROR(in.corrects, body.OptionalId("corrects"));
    ZHIDU_OR_ERROR(in.ref, body.OptionalString("ref"));
    ZHIDU_OR_ERROR(auto occurred, body.OptionalString("occurred_at"));
    if (!occurred.empty()) {
      auto t = ParseIso8601(occurred);
      if (!t)
        return ErrorResponse({Errc::kInvalidArgument,
                              "occurred_at must be an ISO 8601 time with an offset",
                              "occurred_at"});
      in.occurred_at = *t;
    }
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto e, log->Append(PrincipalOf(req), in));
    return JsonResponse(201, EntryJson(e));
  });
  r.Add("GET", "/api/v1/duty-log", Access::kSignedIn, [log](HttpRequest& req) {
    if (!log) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    store::DutyLogFilter f;
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(f.post_id, QueryId(req, "post_id"));
    f.kind = QueryString(req, "kind");
    ZHIDU_OR_ERROR(f.from, QueryTime(req, "from"));
    ZHIDU_OR_ERROR(f.before, QueryTime(req, "to"));
    auto q = QueryString(req, "q");
    if (q.size() > 200)
      return ErrorResponse({Errc::kInvalidArgument, "q is longer than 200 bytes", "q"});
    ZHIDU_OR_ERROR(auto rows, log->List(PrincipalOf(req), f, q, page));
    return List(rows, page, EntryJson, [](const store::DutyLogEntry& e) { return e.id; });
  });
  r.Add("GET", "/api/v1/duty-log/print", Access::kSignedIn, [log](HttpRequest& req) {
    if (!log) return Unavailable();
    ZHIDU_OR_ERROR(auto view, PrintOf(*log, req));
    return JsonResponse(200, PrintJson(view));
  });
  r.Add("GET", "/api/v1/duty-log/export.xlsx", Access::kSignedIn, [log](HttpRequest& req) {
    if (!log) return Unavailable();
    ZHIDU_OR_ERROR(auto view, PrintOf(*log, req));
    auto zone = TimeZone::Find(view.site.time_zone);
    ZHIDU_OR_ERROR(auto bytes, dutylog::ExportXlsx(view, zone ? *zone : TimeZone::Default()));
    HttpResponse res;
    res.status = 200;
    res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    res.body = std::move(bytes);
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"duty-log-" +
                                                        std::to_string(view.site.id) + ".xlsx\"");
    return res;
  });
  r.Add("GET", "/api/v1/duty-log/{id}", Access::kSignedIn, [log](HttpRequest& req) {
    if (!log) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto e, log->Get(PrincipalOf(req), id));
    return JsonResponse(200, EntryJson(e));
  });
}

}  // namespace zhidu::api
