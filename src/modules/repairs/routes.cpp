// Repairs and photos over HTTP. Every rule is in kernel/repairs; here: JSON and raw bodies, the
// 413/415 of uploads, and the caching headers of immutable photos.
#include "modules/repairs/routes.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

json RepairJson(const repairs::Repair& r) {
  auto fix = repairs::SecondsToFix(r);
  json history = json::parse(r.history, nullptr, false);
  json clauses = json::parse(r.clauses, nullptr, false);
  return {{"id", r.id},
          {"site_id", r.site_id},
          {"what", r.what},
          {"description", r.description},
          {"source",
           {{"kind", r.source_kind},
            {"id", r.source_id ? json(r.source_id) : json(nullptr)},
            {"item", r.source_item.empty() ? json(nullptr) : json(r.source_item)}}},
          {"clauses", clauses.is_discarded() ? json::array() : clauses},
          {"reported_by", r.reported_by},
          {"reporter_person_id", r.reporter_person ? json(r.reporter_person) : json(nullptr)},
          {"reporter_post_id", r.reporter_post ? json(r.reporter_post) : json(nullptr)},
          {"assignee_role", r.assignee_role.empty() ? json(nullptr) : json(r.assignee_role)},
          {"assignee_person_id", r.assignee_person ? json(r.assignee_person) : json(nullptr)},
          {"state", r.state},
          {"note", r.note},
          {"allowed_actions", repairs::AllowedActions(r.state)},
          {"created_at", TimeOrNull(r.created_at)},
          {"fixed_at", TimeOrNull(r.fixed_at)},
          {"closed_at", TimeOrNull(r.closed_at)},
          {"updated_at", TimeOrNull(r.updated_at)},
          {"seconds_to_fix", fix ? json(*fix) : json(nullptr)},
          {"history", history.is_discarded() ? json::array() : history}};
}

HttpResponse Unavailable(std::string_view what) {
  return ErrorResponse(
      {Errc::kUnavailable, std::string(what) + " are not served by this process", ""});
}

HttpResponse Refuse(int status, std::string code, std::string message) {
  return JsonResponse(
      status, {{"error", {{"code", std::move(code)}, {"message", message}, {"field", "body"}}}});
}

Result<std::vector<std::string>> StringList(const std::optional<json>& v, const std::string& key) {
  std::vector<std::string> out;
  if (!v) return out;
  if (!v->is_array()) return Fail(Errc::kInvalidArgument, key + " must be a list of text", key);
  for (const auto& e : *v) {
    if (!e.is_string()) return Fail(Errc::kInvalidArgument, key + " must be a list of text", key);
    out.push_back(e.get<std::string>());
  }
  return out;
}

// "source": {"kind": "manual"|"procedure"|"alarm", "id": n}
Result<void> ReadSource(const std::optional<json>& v, repairs::NewRepair& in) {
  if (!v) return Ok();
  for (const auto& [key, value] : v->items()) {
    if (key == "kind") {
      if (!value.is_string())
        return Fail(Errc::kInvalidArgument, "source.kind must be text", "source.kind");
      in.source_kind = value.get<std::string>();
    } else if (key == "id") {
      if (!value.is_number_integer() || value.get<std::int64_t>() <= 0)
        return Fail(Errc::kInvalidArgument, "source.id must be a positive id", "source.id");
      in.source_id = value.get<std::int64_t>();
    } else {
      return Fail(Errc::kInvalidArgument, "unknown field source." + key, "source." + key);
    }
  }
  if (in.source_kind != "manual" && in.source_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired,
                "source.id is required for a " + in.source_kind + " source", "source.id");
  return Ok();
}

std::string MediaType(const std::string& header) {
  std::string t = header.substr(0, header.find(';'));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }),
          t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  return t;
}

}  // namespace

void AddRepairRoutes(Router& r, RepairRouteDeps deps) {
  auto* service = deps.repairs;
  // {"site_id", "what", "description"?, "source"?: {"kind","id"}, "clauses"?: [...]}
  r.Add("POST", "/api/v1/repairs", Access::kSignedIn, [service](HttpRequest& req) {
    if (!service) return Unavailable("repairs");
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    repairs::NewRepair in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.what, body.RequiredString("what"));
    ZHIDU_OR_ERROR(in.description, body.OptionalString("description"));
    ZHIDU_OR_ERROR(auto source, body.OptionalObject("source"));
    ZHIDU_OR_ERROR(auto clauses, body.OptionalArray("clauses"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    if (auto s = ReadSource(source, in); !s) return ErrorResponse(s.error());
    ZHIDU_OR_ERROR(in.clauses, StringList(clauses, "clauses"));
    ZHIDU_OR_ERROR(auto rep, service->Report(PrincipalOf(req), std::move(in)));
    return JsonResponse(201, RepairJson(rep));
  });

  // ?site_id=&state=&open=true&limit=&cursor=
  r.Add("GET", "/api/v1/repairs", Access::kSignedIn, [service](HttpRequest& req) {
    if (!service) return Unavailable("repairs");
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    repairs::RepairFilter f;
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    f.state = QueryString(req, "state");
    std::string open = QueryString(req, "open");
    if (!open.empty() && open != "true" && open != "false")
      return ErrorResponse({Errc::kInvalidArgument, "open must be true or false", "open"});
    f.only_open = open == "true";
    ZHIDU_OR_ERROR(auto rows, service->List(PrincipalOf(req), f, page));
    return List(rows, page, RepairJson, [](const repairs::Repair& x) { return x.id; });
  });

  r.Add("GET", "/api/v1/repairs/{id}", Access::kSignedIn, [service](HttpRequest& req) {
    if (!service) return Unavailable("repairs");
    ZHIDU_OR_ERROR(Id id, PathId(req));
    ZHIDU_OR_ERROR(auto rep, service->Get(PrincipalOf(req), id));
    return JsonResponse(200, RepairJson(rep));
  });

  // {"action": assign|start|fix|close|reopen|cancel, "role"?, "person_id"?, "note"?}
  r.Add("POST", "/api/v1/repairs/{id}/actions", Access::kSignedIn, [service](HttpRequest& req) {
    if (!service) return Unavailable("repairs");
    ZHIDU_OR_ERROR(Id id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    repairs::Action a;
    ZHIDU_OR_ERROR(a.action, body.RequiredString("action"));
    ZHIDU_OR_ERROR(a.role, body.OptionalString("role"));
    ZHIDU_OR_ERROR(a.person_id, body.OptionalId("person_id"));
    ZHIDU_OR_ERROR(a.note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto rep, service->Act(PrincipalOf(req), id, a));
    return JsonResponse(200, RepairJson(rep));
  });

  // ---- photos: the raw image as the body.
  r.AddUpload("POST", "/api/v1/photos", [deps](HttpRequest& req) {
    if (!deps.photos) return Unavailable("photos");
    std::string type = MediaType(req.Header("content-type"));
    if (type != "image/jpeg" && type != "image/png" && type != "image/webp")
      return Refuse(415, "unsupported_media_type",
                    "send the photo as image/jpeg, image/png or image/webp, not \"" + type + "\"");
    if (req.body.size() > deps.photo_max_bytes)
      return Refuse(413, "payload_too_large",
                    "the photo is larger than " + std::to_string(deps.photo_max_bytes) + " bytes");
    if (req.body.empty()) return Refuse(400, "invalid_argument", "the body is empty");
    auto stored = deps.photos->Put(PrincipalOf(req), type, std::move(req.body));
    if (!stored && stored.error().field == "content_type")
      return Refuse(415, "unsupported_media_type", stored.error().message);
    if (!stored) return ErrorResponse(stored.error());
    const auto& p = stored->photo;
    HttpResponse res =
        JsonResponse(stored->created ? 201 : 200, {{"sha256", p.sha256},
                                                   {"content_type", p.content_type},
                                                   {"size_bytes", p.size_bytes},
                                                   {"created", stored->created},
                                                   {"created_at", TimeOrNull(p.created_at)},
                                                   {"url", "/api/v1/photos/" + p.sha256}});
    res.headers.emplace_back("Location", "/api/v1/photos/" + p.sha256);
    return res;
  });

  r.Add("GET", "/api/v1/photos/{sha256}", Access::kSignedIn, [deps](HttpRequest& req) {
    if (!deps.photos) return Unavailable("photos");
    const std::string& sha = req.params["sha256"];
    std::string etag = "\"" + sha + "\"";
    auto photo = deps.photos->Get(sha);
    if (!photo) return ErrorResponse(photo.error());
    HttpResponse res;
    res.headers.emplace_back("ETag", etag);
    // The bytes behind a hash never change; private: only signed-in users may read them.
    res.headers.emplace_back("Cache-Control", "private, max-age=31536000, immutable");
    if (req.Header("if-none-match") == etag) {
      res.status = 304;
      res.content_type.clear();
      return res;
    }
    res.content_type = photo->content_type;
    res.body = std::move(photo->data);
    return res;
  });
}

}  // namespace zhidu::api
