#include "api/api.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "api/notify_webhooks.hpp"
#include "api/routes_accounts.hpp"
#include "api/routes_procedures.hpp"
#include "api/routes_requests.hpp"
#include "api/routes_runtime.hpp"
#include "api/routes_scheduler.hpp"
#include "base/crypto.hpp"

namespace zhidu::api {

using nlohmann::json;
using org::Principal;
using store::Id;

namespace {

constexpr const char* kSessionCookie = "zhidu_session";
constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;

// Invalid UTF-8 that reached a string (an error message quoting bad input) is replaced, never
// thrown.
HttpResponse Json(int status, const json& body) {
  return HttpResponse{
      status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

HttpResponse NoContent() { return HttpResponse{204, "", "", {}}; }

std::string Ts(TimePoint t) { return FormatIso8601(t, TimeZone::Default()); }

json SiteJson(const store::Site& s) {
  auto zone = TimeZone::Find(s.time_zone);
  return {{"id", s.id},
          {"name", s.name},
          {"time_zone", s.time_zone},
          {"created_at", FormatIso8601(s.created_at, zone ? *zone : TimeZone::Default())}};
}
json RefOrNull(Id id) { return id == 0 ? json(nullptr) : json(id); }
json DepartmentJson(const store::Department& d) {
  return {{"id", d.id}, {"site_id", d.site_id}, {"name", d.name}};
}
json TeamJson(const store::Team& t) {
  return {{"id", t.id},
          {"site_id", t.site_id},
          {"department_id", RefOrNull(t.department_id)},
          {"name", t.name}};
}
json PostJson(const store::Post& p) {
  return {{"id", p.id},
          {"site_id", p.site_id},
          {"department_id", RefOrNull(p.department_id)},
          {"name", p.name}};
}
json PersonJson(const store::Person& p) {
  return {{"id", p.id},
          {"site_id", p.site_id},
          {"department_id", RefOrNull(p.department_id)},
          {"team_id", RefOrNull(p.team_id)},
          {"name", p.name},
          {"employee_no", p.employee_no.empty() ? json(nullptr) : json(p.employee_no)},
          {"phone", p.phone},
          {"birth_date", p.birth_date.empty() ? json(nullptr) : json(p.birth_date)},
          {"education", p.education.empty() ? json(nullptr) : json(p.education)},
          {"created_at", Ts(p.created_at)}};
}
json CertificationJson(const store::Certification& c) {
  return {{"id", c.id},
          {"person_id", c.person_id},
          {"kind", c.kind},
          {"number", c.number},
          {"expires_on", c.expires_on.empty() ? json(nullptr) : json(c.expires_on)}};
}
// The signed-in account as the console needs it: its grants, every permission they hold, and
// the kinds of user it is (docs/console.md), derived from permissions and the pack's posts — the
// console never matches role names, which are the pack's.
json AccountJson(const Principal& p, const org::RoleCatalogue* catalogue,
                 const policy::Pack* pack) {
  json roles = json::array();
  for (const auto& g : p.roles) roles.push_back(GrantJson(g));
  std::set<std::string, std::less<>> held;
  if (catalogue) held = catalogue->PermissionsOf(p);
  json kinds = json::array();
  if (held.contains("*")) kinds.push_back("admin");
  if (held.contains("ledger.decide")) kinds.push_back("head");
  bool on_post = held.contains("duty.manage");
  if (pack)
    for (const auto& post : pack->posts())
      for (const auto& role : post.roles)
        for (const auto& g : p.roles) on_post = on_post || g.role == role;
  if (on_post) kinds.push_back("operator");
  if (kinds.empty()) kinds.push_back("employee");
  return {{"id", p.account_id}, {"username", p.username}, {"person_id", RefOrNull(p.person_id)},
          {"roles", roles},     {"permissions", held},    {"kinds", kinds}};
}

// ---- pagination: opaque cursor = base64url("after:<id>")
Result<store::PageRequest> Page(const HttpRequest& r) {
  store::PageRequest page{0, kDefaultLimit};
  if (auto it = r.query.find("limit"); it != r.query.end()) {
    int v = 0;
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || p != it->second.data() + it->second.size() || v < 1 || v > kMaxLimit)
      return Fail(Errc::kInvalidArgument,
                  "limit must be an integer from 1 to " + std::to_string(kMaxLimit), "limit");
    page.limit = v;
  }
  if (auto it = r.query.find("cursor"); it != r.query.end() && !it->second.empty()) {
    std::string decoded;
    long long after = 0;
    if (!Base64UrlDecode(it->second, decoded) || !decoded.starts_with("after:") ||
        std::from_chars(decoded.data() + 6, decoded.data() + decoded.size(), after).ec !=
            std::errc() ||
        after < 0)
      return Fail(Errc::kInvalidArgument,
                  "cursor is not one this server issued; start again without it", "cursor");
    page.after_id = after;
  }
  return page;
}

std::string ContentTypeFor(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

HttpResponse JsonResponse(int status, const json& body) { return Json(status, body); }

json NextCursor(size_t rows, const store::PageRequest& page, Id last_id) {
  if (static_cast<int>(rows) == page.limit && rows > 0)
    return Base64UrlEncode("after:" + std::to_string(last_id));
  return nullptr;
}

Result<Id> QueryId(const HttpRequest& r, const std::string& key) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty()) return Id{0};
  long long v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v <= 0)
    return Fail(Errc::kInvalidArgument, key + " must be a positive integer id", key);
  return v;
}

Result<Id> PathId(const HttpRequest& r, const std::string& key) {
  const std::string& s = r.params.at(key);
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0)
    return Fail(Errc::kNotFound, "\"" + s.substr(0, 40) + "\" is not an id");
  return v;
}

std::string Timestamp(TimePoint t) { return Ts(t); }

int StatusFor(Errc code) {
  switch (code) {
    case Errc::kNotFound:
      return 404;
    case Errc::kConflict:
      return 409;
    case Errc::kInvalidArgument:
      return 400;
    case Errc::kPermissionDenied:
      return 403;
    case Errc::kUnauthenticated:
      return 401;
    case Errc::kFailedPrecondition:
      return 409;
    case Errc::kResourceExhausted:
      return 429;
    case Errc::kUnavailable:
      return 503;
    case Errc::kCorruption:
      return 503;
    case Errc::kInternal:
      return 500;
  }
  return 500;
}

std::string ReasonOf(const Error& e) {
  if (!e.reason.empty()) return e.reason;
  // A 400 about one field without a finer reason: the field is malformed (docs/api.md).
  if (e.code == Errc::kInvalidArgument && !e.field.empty()) return std::string(kInvalid.name);
  return {};
}

json ErrorBody(const Error& e) {
  json err = {{"code", std::string(ErrcName(e.code))}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  if (auto reason = ReasonOf(e); !reason.empty()) err["reason"] = std::move(reason);
  return err;
}

HttpResponse ErrorResponse(const Error& e) {
  return Json(StatusFor(e.code), {{"error", ErrorBody(e)}});
}

const Principal& PrincipalOf(const HttpRequest& request) {
  // Dispatch sets it before a kSignedIn handler runs; a kPublic handler has no principal.
  assert(request.principal != nullptr && "PrincipalOf on a request that was not signed in");
  return *request.principal;
}
Result<store::PageRequest> PageOf(const HttpRequest& request) { return Page(request); }
Result<store::Id> PathIdOf(const HttpRequest& request, const std::string& key) {
  return PathId(request, key);
}
Result<store::Id> QueryIdOf(const HttpRequest& request, const std::string& key) {
  return QueryId(request, key);
}

Api::Api(ApiDeps deps) : deps_(std::move(deps)), openapi_(OpenApiDocument()) {
  AddRoutes();
  // Both caches are valid while the writer's commit count is unchanged (api/generation_cache.hpp).
  auto commits = [writer = deps_.writer] { return writer->commit_count(); };
  if (deps_.writer && deps_.read_cache_entries > 0) {
    ReadCache::Options options;
    options.max_entries = deps_.read_cache_entries;
    read_cache_ = std::make_unique<ReadCache>(commits, options);
  }
  if (deps_.writer && deps_.principal_cache_entries > 0) {
    // Half a second: another node's sign-out or revocation does not move this node's count, and
    // every node must refuse the token within a second of it (issue 22 §5,
    // tests/api/test_nodes.py).
    principals_ = std::make_unique<PrincipalCache>(
        commits,
        PrincipalCache::Options{deps_.principal_cache_entries, std::chrono::milliseconds(500)});
  }
  // Hits and misses of a cache as two counters, read at render time.
  auto count = [metrics = deps_.metrics](const std::string& name, const char* hits_help,
                                         const char* misses_help, const auto* cache) {
    if (!metrics || !cache) return;
    metrics->SetCounter(name + "_hits_total", hits_help,
                        [cache] { return static_cast<double>(cache->stats().hits); });
    metrics->SetCounter(name + "_misses_total", misses_help,
                        [cache] { return static_cast<double>(cache->stats().misses); });
  };
  count("zhidu_read_cache", "Board reads answered from the read cache.",
        "Board reads that ran their handler (no valid cached answer).", read_cache_.get());
  count("zhidu_principal_cache",
        "Signed-in requests (token or session) authenticated without reading the store.",
        "Signed-in requests (token or session) authenticated from the store.", principals_.get());
}

void Api::AddRoutes() {
  auto& r = router_;
  auto* auth = deps_.auth;
  auto* org = deps_.org;

  // ---- session
  r.Add("POST", "/api/v1/login", Access::kPublic, [this, auth](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto username, body.RequiredString("username"));
    ZHIDU_OR_ERROR(auto password, body.RequiredString("password"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    std::chrono::seconds retry_after{0};
    auto login = auth->Login(username, password, req.client_ip, &retry_after);
    if (!login) {
      auto refused = ErrorResponse(login.error());
      if (retry_after.count() > 0)
        refused.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
      return refused;
    }
    auto res =
        Json(200, {{"account", AccountJson(login->principal, deps_.roles, PackInForce().get())},
                   {"csrf_token", login->principal.csrf_token}});
    std::string cookie =
        std::string(kSessionCookie) + "=" + login->session_token +
        "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(login->ttl.count());
    if (deps_.secure_cookies) cookie += "; Secure";
    res.headers.emplace_back("Set-Cookie", cookie);
    return res;
  });
  r.Add("POST", "/api/v1/logout", Access::kSignedIn, [this, auth](HttpRequest& req) {
    if (auto out = auth->Logout(req.Cookie(kSessionCookie), PrincipalOf(req)); !out)
      return ErrorResponse(out.error());
    auto res = NoContent();
    res.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) +
                                               "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
                                               (deps_.secure_cookies ? "; Secure" : ""));
    return res;
  });
  r.Add("GET", "/api/v1/me", Access::kSignedIn, [this](HttpRequest& req) {
    return Json(200, {{"account", AccountJson(PrincipalOf(req), deps_.roles, PackInForce().get())},
                      {"csrf_token", PrincipalOf(req).csrf_token}});
  });

  // ---- accounts and tokens
  AddAccountRoutes(r, {auth, deps_.store, deps_.writer, deps_.roles, kSessionCookie});

  // ---- organisation
  r.Add("GET", "/api/v1/sites", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto page, Page(req));
    ZHIDU_OR_ERROR(auto rows, org->ListSites(PrincipalOf(req), page));
    return List(rows, page, SiteJson, [](const auto& x) { return x.id; });
  });
  r.Add("POST", "/api/v1/sites", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    store::Site s;
    ZHIDU_OR_ERROR(s.name, body.RequiredString("name"));
    ZHIDU_OR_ERROR(s.time_zone, body.OptionalString("time_zone"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto created, org->CreateSite(PrincipalOf(req), s));
    return Json(201, SiteJson(created));
  });
  r.Add("GET", "/api/v1/sites/{id}", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto site, org->GetSite(PrincipalOf(req), id));
    return Json(200, SiteJson(site));
  });
  r.Add("GET", "/api/v1/departments", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto page, Page(req));
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, org->ListDepartments(PrincipalOf(req), site_id, page));
    return List(rows, page, DepartmentJson, [](const auto& x) { return x.id; });
  });
  r.Add("POST", "/api/v1/departments", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    store::Department d;
    ZHIDU_OR_ERROR(d.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(d.name, body.RequiredString("name"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto created, org->CreateDepartment(PrincipalOf(req), d));
    return Json(201, DepartmentJson(created));
  });
  r.Add("GET", "/api/v1/teams", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto page, Page(req));
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, org->ListTeams(PrincipalOf(req), site_id, page));
    return List(rows, page, TeamJson, [](const auto& x) { return x.id; });
  });
  r.Add("POST", "/api/v1/teams", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    store::Team t;
    ZHIDU_OR_ERROR(t.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(t.department_id, body.OptionalId("department_id"));
    ZHIDU_OR_ERROR(t.name, body.RequiredString("name"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto created, org->CreateTeam(PrincipalOf(req), t));
    return Json(201, TeamJson(created));
  });
  r.Add("GET", "/api/v1/posts", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto page, Page(req));
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, org->ListPosts(PrincipalOf(req), site_id, page));
    return List(rows, page, PostJson, [](const auto& x) { return x.id; });
  });
  r.Add("POST", "/api/v1/posts", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    store::Post p;
    ZHIDU_OR_ERROR(p.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(p.department_id, body.OptionalId("department_id"));
    ZHIDU_OR_ERROR(p.name, body.RequiredString("name"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto created, org->CreatePost(PrincipalOf(req), p));
    return Json(201, PostJson(created));
  });
  r.Add("GET", "/api/v1/people", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto page, Page(req));
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, org->ListPeople(PrincipalOf(req), site_id, page));
    return List(rows, page, PersonJson, [](const auto& x) { return x.id; });
  });
  r.Add("POST", "/api/v1/people", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    store::Person p;
    ZHIDU_OR_ERROR(p.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(p.department_id, body.OptionalId("department_id"));
    ZHIDU_OR_ERROR(p.team_id, body.OptionalId("team_id"));
    ZHIDU_OR_ERROR(p.name, body.RequiredString("name"));
    ZHIDU_OR_ERROR(p.employee_no, body.OptionalString("employee_no"));
    ZHIDU_OR_ERROR(p.phone, body.OptionalString("phone"));
    ZHIDU_OR_ERROR(p.birth_date, body.OptionalString("birth_date"));
    ZHIDU_OR_ERROR(p.education, body.OptionalString("education"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto created, org->CreatePerson(PrincipalOf(req), p));
    auto out = PersonJson(created);
    out["certifications"] = json::array();
    return Json(201, out);
  });
  r.Add("GET", "/api/v1/people/{id}", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto detail, org->GetPerson(PrincipalOf(req), id));
    auto out = PersonJson(detail.person);
    out["certifications"] = json::array();
    for (const auto& c : detail.certifications)
      out["certifications"].push_back(CertificationJson(c));
    return Json(200, out);
  });
  // Birth date and education (R20 §二1). A field left out keeps its value; null or "" clears it.
  r.Add("PATCH", "/api/v1/people/{id}", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto detail, org->GetPerson(PrincipalOf(req), id));
    const auto& doc = body.json();
    if (!doc.contains("birth_date") && !doc.contains("education"))
      return ErrorResponse(
          Error{Errc::kInvalidArgument, "give birth_date and/or education to change", ""});
    ZHIDU_OR_ERROR(auto birth_date, body.OptionalString("birth_date", detail.person.birth_date));
    ZHIDU_OR_ERROR(auto education, body.OptionalString("education", detail.person.education));
    if (doc.contains("birth_date") && doc["birth_date"].is_null()) birth_date.clear();
    if (doc.contains("education") && doc["education"].is_null()) education.clear();
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto person, org->SetPersonProfile(PrincipalOf(req), id, birth_date, education));
    auto out = PersonJson(person);
    out["certifications"] = json::array();
    for (const auto& c : detail.certifications)
      out["certifications"].push_back(CertificationJson(c));
    return Json(200, out);
  });
  r.Add("POST", "/api/v1/people/{id}/certifications", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    store::Certification c;
    c.person_id = id;
    ZHIDU_OR_ERROR(c.kind, body.RequiredString("kind"));
    ZHIDU_OR_ERROR(c.number, body.RequiredString("number"));
    ZHIDU_OR_ERROR(c.expires_on, body.OptionalString("expires_on"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto created, org->AddCertification(PrincipalOf(req), c));
    return Json(201, CertificationJson(created));
  });

  AddPolicyRoutes(router_, deps_);

  // ---- journal (审计日志)
  r.Add("GET", "/api/v1/journal", Access::kSignedIn, [org](HttpRequest& req) {
    ZHIDU_OR_ERROR(auto page, Page(req));
    // after=SEQ: the records after sequence number SEQ; 0 is before the first record.
    std::int64_t after = 0;
    if (auto it = req.query.find("after"); it != req.query.end() && !it->second.empty()) {
      const std::string& text = it->second;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), after);
      if (ec != std::errc() || p != text.data() + text.size() || after < 0)
        return ErrorResponse({Errc::kInvalidArgument,
                              "after must be a journal sequence number (an integer >= 0)",
                              "after"});
    }
    if (after == 0) after = page.after_id;
    ZHIDU_OR_ERROR(auto rows, org->ReadJournal(PrincipalOf(req), after, page.limit));
    return List(
        rows, page,
        [](const store::JournalRecord& j) {
          json payload = json::parse(j.payload, nullptr, false);
          return json{{"seq", j.seq},
                      {"at", Ts(j.at)},
                      {"kind", j.kind},
                      {"actor", j.actor},
                      {"subject", j.subject},
                      {"payload", payload.is_discarded() ? json(j.payload) : payload},
                      {"hash", ToHex(j.hash)}};
        },
        [](const auto& x) { return x.seq; });
  });

  // ---- live notifications: the WebSocket upgrade is handled by OpenStream; a plain GET lands
  // here.
  r.Add("GET", "/api/v1/stream", Access::kSignedIn, [](HttpRequest&) {
    auto res = Json(
        426, {{"error",
               {{"code", "upgrade_required"}, {"message", "open /api/v1/stream as a WebSocket"}}}});
    res.headers.emplace_back("Upgrade", "websocket");
    return res;
  });

  AddNotifyRoutes(r, {deps_.writer, deps_.store, deps_.webhooks, deps_.roles});

  // ---- scheduler: reminders (提醒), status
  AddSchedulerRoutes(r, {deps_.scheduler, deps_.reminders, deps_.store, deps_.roles});
  AddRuntimeRoutes(r,
                   {deps_.duties, deps_.ledger, deps_.parameters, deps_.advance_clock, deps_.now});

  // ---- requests and approvals (申请与审批)
  AddRequestRoutes(r, {deps_.requests, deps_.policy});

  // ---- site events, procedures (流程) and deadlines (时限)
  AddProcedureRoutes(r, deps_.procedures);
  // The duty board polls these; their answers change only with a commit.
  r.MarkCacheable("/api/v1/duties");
  r.MarkCacheable("/api/v1/posts");
  // The domain modules' routes are added by the modules (api/module.hpp, src/app/modules.cpp).
}

HttpResponse Api::Static(const HttpRequest& request) {
  auto not_found = [] { return ErrorResponse({Errc::kNotFound, "no such page", ""}); };
  if (deps_.web_root.empty() || (request.method != "GET" && request.method != "HEAD"))
    return not_found();
  std::filesystem::path rel = request.path == "/" ? "index.html" : request.path.substr(1);
  // Only relative paths below the web root: "//etc/passwd" would otherwise replace the root.
  if (rel.has_root_path()) return not_found();
  for (const auto& part : rel)
    if (part == "..") return not_found();
  auto file = deps_.web_root / rel;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    // Single-page app: unknown paths without an extension get index.html (client-side routes).
    if (rel.has_extension()) return not_found();
    file = deps_.web_root / "index.html";
    if (!std::filesystem::is_regular_file(file, ec)) return not_found();
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  HttpResponse res{200, ContentTypeFor(file), buf.str(), {}};
  bool hashed_asset = rel.string().starts_with("assets/");
  res.headers.emplace_back("Cache-Control",
                           hashed_asset ? "public, max-age=31536000, immutable" : "no-cache");
  return res;
}

std::string ClientAddress(const HttpRequest& request,
                          const std::vector<std::string>& trusted_proxies) {
  if (std::find(trusted_proxies.begin(), trusted_proxies.end(), request.client_ip) ==
      trusted_proxies.end())
    return request.client_ip;
  std::string_view forwarded = request.Header("x-forwarded-for");
  if (auto comma = forwarded.rfind(','); comma != std::string_view::npos)
    forwarded.remove_prefix(comma + 1);
  while (!forwarded.empty() && forwarded.front() == ' ') forwarded.remove_prefix(1);
  while (!forwarded.empty() && forwarded.back() == ' ') forwarded.remove_suffix(1);
  const bool looks_like_ip =
      !forwarded.empty() && forwarded.size() <= 45 &&
      std::all_of(forwarded.begin(), forwarded.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
      });
  return looks_like_ip ? std::string(forwarded) : request.client_ip;
}

HttpResponse Api::Handle(HttpRequest& request) {
  double started = MonotonicSeconds();
  if (!deps_.trusted_proxies.empty())
    request.client_ip = ClientAddress(request, deps_.trusted_proxies);
  std::string route_label = "unmatched";
  HttpResponse res;
  if (!ParseTarget(request.target, request.path, request.query)) {
    res = ErrorResponse(
        {Errc::kInvalidArgument, "the URL has a bad %-escape or is not UTF-8 once decoded", ""});
  } else {
    res = Dispatch(request, route_label);
  }
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (deps_.metrics)
    deps_.metrics->ObserveRequest(request.method, route_label, res.status,
                                  MonotonicSeconds() - started);
  return res;
}

std::string Api::PrincipalKey(const HttpRequest& request) const {
  // The credential's SHA-256, so the cache holds no usable secret; tagged so that a token and a
  // session never share a key.
  auto key = [](char tag, std::string_view secret) {
    const Sha256Digest d = Sha256Of(secret);
    std::string out(1, tag);
    out.append(reinterpret_cast<const char*>(d.data()), d.size());
    return out;
  };
  const std::string& authz = request.Header("authorization");
  if (authz.starts_with("Bearer ")) return key('b', std::string_view(authz).substr(7));
  if (!deps_.clock) return {};  // a session's end cannot be checked without the clock
  const std::string cookie = request.Cookie(kSessionCookie);
  return cookie.empty() ? std::string() : key('s', cookie);
}

std::shared_ptr<const Api::CachedPrincipal> Api::CachedPrincipalOf(const std::string& key,
                                                                   std::uint64_t generation,
                                                                   bool count_miss) {
  if (!principals_ || key.empty()) return nullptr;
  auto hit = principals_->Find(key, generation, count_miss);
  if (!hit) return nullptr;
  // A session ends by the clock, which the commit count does not see: checked on every hit, as
  // AuthService::AuthenticateSession checks it (ended when expires_at <= now). Signing out,
  // revoking a token or changing grants is a commit, which the generation sees.
  if ((*hit)->expires_at != TimePoint::max() && (*hit)->expires_at <= deps_.clock->Now())
    return nullptr;
  return std::move(*hit);
}

Result<Principal> Api::Authenticate(const HttpRequest& request) {
  const std::string& authz = request.Header("authorization");
  const bool bearer = authz.starts_with("Bearer ");
  std::string key = principals_ ? PrincipalKey(request) : std::string();
  // Read before the store is: a commit racing with the reads makes the entry stale at once.
  const std::uint64_t generation = principals_ ? principals_->Generation() : 0;
  if (auto hit = CachedPrincipalOf(key, generation)) return hit->principal;
  // Only successes are kept: a wrong credential costs a store read each time, as before.
  auto cached = std::make_shared<CachedPrincipal>();
  Result<Principal> who =
      bearer ? deps_.auth->AuthenticateBearer(authz.substr(7))
             : deps_.auth->AuthenticateSession(request.Cookie(kSessionCookie), &cached->expires_at);
  if (who && !key.empty()) {
    cached->principal = *who;
    principals_->Put(std::move(key), generation, std::move(cached));
  }
  return who;
}

bool Api::ServeCached(HttpRequest& request, HttpResponse& out) {
  if (!read_cache_ || !principals_ || request.method != "GET") return false;
  const double started = MonotonicSeconds();
  const std::uint64_t generation = read_cache_->Generation();
  auto who = CachedPrincipalOf(PrincipalKey(request), generation, /*count_miss=*/false);
  if (!who || who->principal.account_id == 0) return false;
  const store::Id account = who->principal.account_id;
  // Dispatch keeps only the 200 answers of cacheable GET routes, under the raw target, once it
  // parsed and matched: a hit means this target is such a route's, for this account, and nothing
  // was written since. A miss is counted by Dispatch, which runs next.
  auto hit = read_cache_->Find(account, request.target, generation, /*count_miss=*/false);
  if (!hit) return false;
  out = ReadCache::ResponseOf(*hit);
  out.headers.emplace_back("X-Zhidu-Cache", "hit");
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (deps_.metrics)
    deps_.metrics->ObserveRequest(request.method, hit->route_label, out.status,
                                  MonotonicSeconds() - started);
  return true;
}

StreamOpen Api::OpenStream(HttpRequest& request) {
  auto refuse = [](const Error& e) { return StreamOpen{nullptr, ErrorResponse(e)}; };
  if (!deps_.trusted_proxies.empty())  // as in Handle: the access log names the client
    request.client_ip = ClientAddress(request, deps_.trusted_proxies);
  if (!ParseTarget(request.target, request.path, request.query))
    return refuse(
        {Errc::kInvalidArgument, "the URL has a bad %-escape or is not UTF-8 once decoded", ""});
  if (request.path != "/api/v1/stream" || request.method != "GET")
    return refuse({Errc::kNotFound, "no WebSocket endpoint at " + request.path, ""});
  if (!deps_.streams)
    return refuse({Errc::kUnavailable, "live notifications are not running in this process", ""});
  auto who = Authenticate(request);
  if (!who) return refuse(who.error());
  // Resume point: ?after=<id>, else the Last-Event-ID header (as for server-sent events).
  std::string after_text = request.Header("last-event-id");
  if (auto it = request.query.find("after"); it != request.query.end()) after_text = it->second;
  std::optional<std::int64_t> after;
  if (!after_text.empty()) {
    long long v = 0;
    auto [p, ec] = std::from_chars(after_text.data(), after_text.data() + after_text.size(), v);
    if (ec != std::errc() || p != after_text.data() + after_text.size() || v < 0)
      return refuse(
          {Errc::kInvalidArgument, "after must be an event id (an integer >= 0)", "after"});
    after = v;
  }
  auto stream = deps_.streams->Open(*who, after);
  if (!stream) return refuse(stream.error());
  return StreamOpen{std::move(*stream), {}};
}

namespace {

// The answer to a retry whose first request committed but whose response was never recorded
// (the server stopped in between): 200 with the journal records the write appended, which the
// claim stored in the write's own transaction (store::Writer).
HttpResponse CommittedWithoutResponse(const std::string& claim_body) {
  json records = json::parse(claim_body, nullptr, false);
  if (!records.is_object()) records = json::object();
  return Json(200, {{"idempotent_replay", "committed_without_response"},
                    {"message",
                     "the first request with this Idempotency-Key was committed, but the server "
                     "stopped before its response was recorded; these are the journal records "
                     "it wrote"},
                    {"journal", records.value("journal", json::array())},
                    {"journal_records", records.value("journal_records", 0)}});
}

}  // namespace

HttpResponse Api::Dispatch(HttpRequest& request, std::string& route_label) {
  if (request.path == "/healthz") {
    route_label = "/healthz";
    return Json(200, {{"status", "ok"}});
  }
  if (request.path == "/metrics") {
    route_label = "/metrics";
    if (!deps_.metrics_token.empty() &&
        !ConstantTimeEquals(request.Header("authorization"), "Bearer " + deps_.metrics_token)) {
      auto res =
          ErrorResponse({Errc::kUnauthenticated,
                         "GET /metrics needs the metrics token: Authorization: Bearer TOKEN", ""});
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      return res;
    }
    return HttpResponse{
        200, "text/plain; version=0.0.4", deps_.metrics ? deps_.metrics->Render() : "", {}};
  }
  if (request.path == "/api/v1/openapi.json" && request.method == "GET") {
    route_label = "/api/v1/openapi.json";
    return HttpResponse{200, "application/json", openapi_, {}};
  }
  bool path_matched = false;
  const Route* route = router_.Match(request, path_matched);
  if (!route) {
    if (path_matched)
      // Json(): the path may hold any bytes (%FF), which a strict dump would throw on.
      return Json(405, {{"error",
                         {{"code", "method_not_allowed"},
                          {"message", request.method + " is not allowed on " + request.path}}}});
    if (request.path.starts_with("/api/"))
      return ErrorResponse(
          {Errc::kNotFound, "no API route " + request.method + " " + request.path, ""});
    route_label = "static";
    return Static(request);
  }
  route_label = route->pattern;

  const bool writes = request.method != "GET" && request.method != "HEAD";
  if (writes && !request.body.empty() && !route->raw_body) {
    const std::string& ct = request.Header("content-type");
    if (!ct.starts_with("application/json"))
      return HttpResponse{
          415,
          "application/json",
          json{{"error",
                {{"code", "unsupported_media_type"},
                 {"message", "send the body as JSON with Content-Type: application/json"}}}}
              .dump(),
          {}};
  }

  Principal principal;
  if (route->access == Access::kSignedIn) {
    Result<Principal> who = Authenticate(request);
    // Browsers (session cookie) must prove the write comes from our page; bearer tokens need not.
    if (who && writes && !request.Header("authorization").starts_with("Bearer ")) {
      const std::string& csrf = request.Header("x-csrf-token");
      if (csrf.empty() || !ConstantTimeEquals(csrf, who->csrf_token))
        return ErrorResponse({Errc::kPermissionDenied,
                              "missing or wrong X-CSRF-Token header; reload the page and try again",
                              ""});
    }
    if (!who) return ErrorResponse(who.error());
    principal = std::move(*who);
  }
  request.principal = &principal;  // lives until Dispatch returns, like the handler's run
  struct Reset {
    HttpRequest& request;
    ~Reset() { request.principal = nullptr; }
  } reset{request};

  if (read_cache_ && request.method == "GET" && principal.account_id != 0 && route->cacheable) {
    const std::uint64_t generation = read_cache_->Generation();  // before the handler reads
    if (auto hit = read_cache_->Find(principal.account_id, request.target, generation)) {
      HttpResponse res = ReadCache::ResponseOf(*hit);
      res.headers.emplace_back("X-Zhidu-Cache", "hit");
      return res;
    }
    HttpResponse res = route->handler(request);
    read_cache_->Put(principal.account_id, request.target, generation, res, route->pattern);
    res.headers.emplace_back("X-Zhidu-Cache", "miss");
    return res;
  }

  // Idempotency-Key on POST: replay the first response instead of writing twice.
  const std::string& key = request.Header("idempotency-key");
  if (request.method != "POST" || key.empty() || principal.account_id == 0)
    return route->handler(request);
  if (key.size() > 255)
    return ErrorResponse(
        {Errc::kInvalidArgument, "Idempotency-Key is longer than 255 characters", ""});
  std::string request_hash =
      ToHex(Sha256Of(request.method + "\n" + request.path + "\n" + request.body));
  const std::pair<store::Id, std::string> running_key{principal.account_id, key};
  // A claim without its response (status 0) is a first request still running here (its write
  // committed, its response not yet recorded), or one the server was stopped or killed in: its
  // write committed in the same transaction as the claim, which lists the journal records the
  // write appended — that committed result is the answer (writer.hpp).
  for (int read = 0; read < 2; ++read) {
    bool running = false;
    if (read == 1) {
      std::lock_guard lock(keys_running_mu_);
      running = keys_running_.contains(running_key);
    }
    auto unit = deps_.store->BeginRead();
    if (!unit) return ErrorResponse(unit.error());
    auto stored = (*unit)->GetIdempotentResponse(principal.account_id, key);
    if (!stored) return ErrorResponse(stored.error());
    if (!stored->has_value()) break;
    const auto& s = **stored;
    if (s.request_hash != request_hash)
      return Json(422,
                  {{"error",
                    {{"code", "idempotency_key_reused"},
                     {"message",
                      "this Idempotency-Key was used for a different request; use a new key"}}}});
    if (s.status == 0 && read == 0) continue;  // is it running? (checked before reading again)
    if (s.status == 0 && running)
      return ErrorResponse({Errc::kConflict,
                            "the first request with this Idempotency-Key is still being answered; "
                            "retry to get its result",
                            ""});
    HttpResponse replay = s.status == 0 ? CommittedWithoutResponse(s.body)
                                        : HttpResponse{s.status, "application/json", s.body, {}};
    replay.headers.emplace_back("Idempotent-Replayed", s.status == 0 ? "committed" : "true");
    return replay;
  }
  store::IdempotencyClaim claim{principal.account_id, key, request_hash};
  HttpResponse res;
  {
    std::lock_guard lock(keys_running_mu_);
    ++keys_running_[running_key];
  }
  {
    struct Done {
      Api* api;
      const std::pair<store::Id, std::string>& key;
      ~Done() {
        std::lock_guard lock(api->keys_running_mu_);
        if (--api->keys_running_[key] == 0) api->keys_running_.erase(key);
      }
    } done{this, running_key};
    store::ScopedIdempotencyClaim scope(&claim);
    res = route->handler(request);
    if (claim.persisted->load()) {
      int status = res.status;
      std::string body = res.body;
      auto recorded = deps_.writer->Run<int>([&](store::Tx& tx) -> Result<int> {
        ZHIDU_TRY_VOID(
            tx.unit().CompleteIdempotentResponse(principal.account_id, key, status, body));
        return 0;
      });
      (void)recorded;  // the write itself is durable; unrecorded, a retry gets its records
    }
  }
  return res;
}

Result<void> Api::AddOpenApiPaths(const std::vector<std::string_view>& paths_json) {
  json doc = json::parse(openapi_);
  for (auto text : paths_json) {
    if (text.empty()) continue;
    json paths = json::parse(text, nullptr, false);
    if (!paths.is_object())
      return Fail(Errc::kInternal, "a module's OpenAPI paths are not a JSON object");
    for (auto& [path, ops] : paths.items()) doc["paths"][path] = std::move(ops);
  }
  openapi_ = doc.dump(2);
  return Ok();
}

}  // namespace zhidu::api
