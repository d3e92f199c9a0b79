// Assessment runs, manager scores, pay and the month close over HTTP. Handlers translate JSON; the
// rules are in assessment.cpp.
#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "modules/people/module.hpp"

namespace zhidu::people {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

json NumOrNull(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json ScoreJson(const PersonScore& s, const policy::Assessment* a, const Assessments& catalogue) {
  json values = json::array();
  for (const auto& v : s.values) {
    const policy::Indicator* ind = nullptr;
    if (a)
      for (const auto& i : a->indicators)
        if (i.id == v.indicator) ind = &i;
    std::string source_title = catalogue.SourceTitle(v.source);
    values.push_back({{"indicator", v.indicator},
                      {"title", ind && !ind->title.empty() ? ind->title : v.indicator},
                      {"source", v.source},
                      {"source_title", source_title.empty() ? json(nullptr) : json(source_title)},
                      {"value", NumOrNull(v.value)},
                      {"computed", v.value.has_value()},
                      {"weight", NumOrNull(v.weight)},
                      {"record_kind", v.record_kind},
                      {"records", v.records},
                      {"clauses", v.clauses},
                      {"note", v.note}});
  }
  return {{"run_id", s.run_id},
          {"person_id", s.person_id},
          {"score", NumOrNull(s.score)},
          {"computed", s.score.has_value()},
          {"values", std::move(values)}};
}

json RunJson(const Run& r, const Assessments& s, bool with_scores) {
  auto pack = s.pack();
  const policy::Assessment* a = nullptr;
  for (const auto& x : pack->assessments())
    if (x.id == r.assessment) a = &x;
  json j = {{"id", r.id},
            {"site_id", r.site_id},
            {"assessment", r.assessment},
            {"title", a && !a->title.empty() ? a->title : r.assessment},
            {"clauses", a ? a->clauses : std::vector<std::string>{}},
            {"period", r.period},
            {"formula", r.formula},
            {"run_by", r.run_by},
            {"run_at", api::TimeOrNull(r.run_at)},
            {"journal_seq", r.journal_seq}};
  if (with_scores) {
    json scores = json::array();
    for (const auto& x : r.scores) scores.push_back(ScoreJson(x, a, s));
    j["scores"] = std::move(scores);
  }
  return j;
}

json CloseJson(const Close& c) {
  return {{"id", c.id},
          {"site_id", c.site_id},
          {"assessment", c.assessment},
          {"period", c.period},
          {"closed", c.reopened_at == TimePoint{}},
          {"closed_by", c.closed_by},
          {"closed_at", api::TimeOrNull(c.closed_at)},
          {"reopened_by", api::IdOrNull(c.reopened_by)},
          {"reopened_at", api::TimeOrNull(c.reopened_at)},
          {"request_id", api::IdOrNull(c.request_id)}};
}

json EmploymentJson(const Employment& e) {
  return {{"person_id", e.person_id},
          {"stage", e.stage},
          {"ends_on", e.ends_on.empty() ? json(nullptr) : json(e.ends_on)},
          {"updated_by", e.updated_by},
          {"updated_at", api::TimeOrNull(e.updated_at)}};
}

struct PeriodKey {
  Id site_id = 0;
  std::string assessment, period;
};

Result<PeriodKey> ReadKey(api::JsonBody& body) {
  PeriodKey k;
  ZHIDU_TRY(k.site_id, body.RequiredId("site_id"));
  ZHIDU_TRY(k.assessment, body.RequiredString("assessment"));
  ZHIDU_TRY(k.period, body.RequiredString("period"));
  return k;
}

// A manager's score: a JSON number (not a string).
Result<double> ReadScore(api::JsonBody& body) {
  const json& j = body.json();
  auto it = j.find("score");
  if (it == j.end() || it->is_null())
    return Fail(Errc::kInvalidArgument, kRequired, "score is required", "score");
  if (!it->is_number())
    return Fail(Errc::kInvalidArgument, kInvalid, "score must be a number", "score");
  return it->get<double>();
}

// NoOtherFields for a body with a number field JsonBody has no accessor for (score).
Result<void> OnlyFields(const api::JsonBody& body, std::initializer_list<std::string_view> known) {
  for (auto it = body.json().begin(); it != body.json().end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      return Fail(Errc::kInvalidArgument, "unknown field \"" + it.key() + "\"", it.key());
  return Ok();
}

// inputs: {name: fen}, each a JSON integer >= 0 (money is whole fen).
Result<std::vector<PayInput>> ReadInputs(api::JsonBody& body) {
  ZHIDU_TRY(auto obj, body.OptionalObject("inputs"));
  if (!obj || !obj->is_object() || obj->empty())
    return Fail(Errc::kInvalidArgument, kRequired, "inputs is required: {name: amount in fen}",
                "inputs");
  std::vector<PayInput> out;
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    const json& v = it.value();
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() &&
         v.get<std::uint64_t>() >
             static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())))
      return Fail(
          Errc::kInvalidArgument, Reason{"assessment.amount_not_integer"},
          "inputs." + it.key() + " must be a whole number of fen (分), e.g. 1250 for 12.50 yuan",
          "inputs");
    std::int64_t fen = v.get<std::int64_t>();
    if (fen < 0)
      return Fail(Errc::kInvalidArgument, Reason{"assessment.amount_negative"},
                  "inputs." + it.key() + " must not be negative", "inputs");
    out.push_back({it.key(), fen});
  }
  return out;
}

}  // namespace

void AddAssessmentRoutes(api::Router& r, Assessments* s) {
  using api::Access;
  auto unavailable = [] {
    return ErrorResponse({Errc::kUnavailable, "the assessments are not running", ""});
  };
  // {"site_id", "assessment", "period"}
  r.Add("POST", "/api/v1/assessment-runs", Access::kSignedIn, [s, unavailable](HttpRequest& req) {
    if (!s) return unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto key, ReadKey(body));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto run,
                   s->Start(api::PrincipalOf(req), key.site_id, key.assessment, key.period));
    return api::JsonResponse(201, RunJson(run, *s, true));
  });
  // ?site_id=&limit=&cursor=
  r.Add("GET", "/api/v1/assessment-runs", Access::kSignedIn, [s, unavailable](HttpRequest& req) {
    if (!s) return unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, s->List(api::PrincipalOf(req), site_id, page));
    return api::List(
        rows, page, [&](const Run& x) { return RunJson(x, *s, false); },
        [](const Run& x) { return x.id; });
  });
  r.Add("GET", "/api/v1/assessment-runs/{id}", Access::kSignedIn,
        [s, unavailable](HttpRequest& req) {
          if (!s) return unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto run, s->Get(api::PrincipalOf(req), id));
          return api::JsonResponse(200, RunJson(run, *s, true));
        });
  // ?site_id=&person_id= (default: one's own)
  r.Add("GET", "/api/v1/assessment-scores", Access::kSignedIn, [s, unavailable](HttpRequest& req) {
    if (!s) return unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto person_id, api::QueryId(req, "person_id"));
    ZHIDU_OR_ERROR(auto rows, s->ScoresOf(api::PrincipalOf(req), site_id, person_id, page));
    auto pack = s->pack();
    return api::List(
        rows, page,
        [&](const PersonScore& x) {
          const policy::Assessment* a = nullptr;
          for (const auto& y : pack->assessments())
            if (y.id == x.assessment) a = &y;
          json j = ScoreJson(x, a, *s);
          j["assessment"] = x.assessment;
          j["title"] = a && !a->title.empty() ? a->title : x.assessment;
          j["period"] = x.period;
          j["clauses"] = a ? a->clauses : std::vector<std::string>{};
          return j;
        },
        [](const PersonScore& x) { return x.run_id; });
  });
  // {"site_id", "assessment", "period", "person_id", "indicator", "score", "comment"?}
  r.Add("POST", "/api/v1/assessment-manager-scores", Access::kSignedIn,
        [s, unavailable](HttpRequest& req) {
          if (!s) return unavailable();
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto key, ReadKey(body));
          ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
          ZHIDU_OR_ERROR(auto indicator, body.RequiredString("indicator"));
          ZHIDU_OR_ERROR(auto score, ReadScore(body));
          ZHIDU_OR_ERROR(auto comment, body.OptionalString("comment"));
          if (auto extra = OnlyFields(body, {"site_id", "assessment", "period", "person_id",
                                             "indicator", "score", "comment"});
              !extra)
            return ErrorResponse(extra.error());
          if (auto done = s->EnterManagerScore(api::PrincipalOf(req), key.site_id, key.assessment,
                                               key.period, person_id, indicator, score, comment);
              !done)
            return ErrorResponse(done.error());
          return api::JsonResponse(201, {{"person_id", person_id},
                                         {"indicator", indicator},
                                         {"score", score},
                                         {"comment", comment}});
        });
  // {"site_id", "assessment", "period", "person_id", "inputs": {NAME: fen}}
  r.Add("POST", "/api/v1/assessment-pay-inputs", Access::kSignedIn,
        [s, unavailable](HttpRequest& req) {
          if (!s) return unavailable();
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto key, ReadKey(body));
          ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
          ZHIDU_OR_ERROR(auto inputs, ReadInputs(body));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          if (auto done = s->EnterPay(api::PrincipalOf(req), key.site_id, key.assessment,
                                      key.period, person_id, inputs);
              !done)
            return ErrorResponse(done.error());
          json in = json::object();
          for (const auto& i : inputs) in[i.name] = i.fen;
          return api::JsonResponse(201, {{"person_id", person_id}, {"inputs_fen", in}});
        });
  // ?site_id=&assessment=&period=
  r.Add("GET", "/api/v1/assessment-pay", Access::kSignedIn, [s, unavailable](HttpRequest& req) {
    if (!s) return unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    auto assessment = api::QueryString(req, "assessment");
    auto period = api::QueryString(req, "period");
    ZHIDU_OR_ERROR(auto lines, s->Pay(api::PrincipalOf(req), site_id, assessment, period));
    json items = json::array();
    for (const auto& l : lines) {
      json in = json::object();
      for (const auto& [name, fen] : l.inputs) in[name] = fen;
      items.push_back({{"person_id", l.person_id},
                       {"run_id", api::IdOrNull(l.run_id)},
                       {"score", NumOrNull(l.score)},
                       {"inputs_fen", std::move(in)},
                       {"pay_fen", l.pay_fen ? json(*l.pay_fen) : json(nullptr)},
                       {"note", l.note}});
    }
    // The scheme's formula and inputs, for the pay slip (issue 20 §6).
    auto pack = s->pack();
    const policy::Assessment* a = nullptr;
    for (const auto& x : pack->assessments())
      if (x.id == assessment) a = &x;
    return api::JsonResponse(200,
                             {{"assessment", assessment},
                              {"period", period},
                              {"pay_formula", a && a->pay ? json(a->pay->source()) : json(nullptr)},
                              {"inputs", a ? a->inputs : std::vector<std::string>{}},
                              {"items", std::move(items)}});
  });
  // ?site_id=&assessment=&period= : whether the month is closed (the month-close screen, the pay
  // slip). Anyone signed in: the state of a month is no one's secret.
  r.Add("GET", "/api/v1/assessment-periods", Access::kSignedIn, [s, unavailable](HttpRequest& req) {
    if (!s) return unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    auto assessment = api::QueryString(req, "assessment");
    auto period = api::QueryString(req, "period");
    if (site_id <= 0)
      return ErrorResponse({Errc::kInvalidArgument, "site_id is required", "site_id", "required"});
    auto pack = s->pack();
    if (std::none_of(pack->assessments().begin(), pack->assessments().end(),
                     [&](const policy::Assessment& x) { return x.id == assessment; }))
      return ErrorResponse({Errc::kInvalidArgument, "no assessment scheme \"" + assessment + "\"",
                            "assessment", "assessment.unknown_scheme"});
    if (period.size() != 7 || period[4] != '-')
      return ErrorResponse(
          {Errc::kInvalidArgument, "period must be a month like 2027-01", "period", "invalid"});
    ZHIDU_OR_ERROR(auto close, s->CloseOf(site_id, assessment, period));
    return api::JsonResponse(200, {{"site_id", site_id},
                                   {"assessment", assessment},
                                   {"period", period},
                                   {"closed", close.has_value()},
                                   {"close", close ? CloseJson(*close) : json(nullptr)}});
  });
  // The pack's schemes as the console's month-close screen needs them (issue 20 §6).
  r.Add("GET", "/api/v1/assessment-schemes", Access::kSignedIn, [s, unavailable](HttpRequest&) {
    if (!s) return unavailable();
    auto pack = s->pack();
    json items = json::array();
    for (const auto& a : pack->assessments()) {
      json indicators = json::array();
      for (const auto& i : a.indicators)
        indicators.push_back(
            {{"id", i.id},
             {"title", i.title.empty() ? i.id : i.title},
             {"source", i.source},
             {"weight", NumOrNull(i.weight.value)},
             {"weight_param", i.weight.name.empty() ? json(nullptr) : json(i.weight.name)},
             {"clauses", i.clauses.empty() ? a.clauses : i.clauses}});
      items.push_back({{"id", a.id},
                       {"title", a.title.empty() ? a.id : a.title},
                       {"clauses", a.clauses},
                       {"period", a.period},
                       {"subjects", a.subjects},
                       {"indicators", std::move(indicators)},
                       {"formula", a.formula ? json(a.formula->source()) : json(nullptr)},
                       {"pay_formula", a.pay ? json(a.pay->source()) : json(nullptr)},
                       {"inputs", a.inputs},
                       {"reopen", a.reopen.empty() ? json(nullptr) : json(a.reopen)}});
    }
    return api::JsonResponse(200, {{"items", std::move(items)}});
  });
  // ?site_id=&assessment=&period= : a closed month's pay for payroll.
  r.Add("GET", "/api/v1/assessment-pay/export.xlsx", Access::kSignedIn,
        [s, unavailable](HttpRequest& req) {
          if (!s) return unavailable();
          ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
          auto assessment = api::QueryString(req, "assessment");
          auto period = api::QueryString(req, "period");
          ZHIDU_OR_ERROR(auto sheet,
                         s->PaySheetOf(api::PrincipalOf(req), site_id, assessment, period));
          ZHIDU_OR_ERROR(auto bytes, PayXlsx(sheet));
          HttpResponse res;
          res.status = 200;
          res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
          res.body = std::move(bytes);
          res.headers.emplace_back(
              "Content-Disposition",
              "attachment; filename=\"pay-" + std::to_string(site_id) + "-" + period + ".xlsx\"");
          return res;
        });
  // {"site_id", "assessment", "period"}
  r.Add("POST", "/api/v1/assessment-periods:close", Access::kSignedIn,
        [s, unavailable](HttpRequest& req) {
          if (!s) return unavailable();
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto key, ReadKey(body));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto c, s->ClosePeriod(api::PrincipalOf(req), key.site_id, key.assessment,
                                                key.period));
          return api::JsonResponse(201, CloseJson(c));
        });
  // {"site_id", "assessment", "period", "request_id"}
  r.Add("POST", "/api/v1/assessment-periods:reopen", Access::kSignedIn,
        [s, unavailable](HttpRequest& req) {
          if (!s) return unavailable();
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto key, ReadKey(body));
          ZHIDU_OR_ERROR(auto request_id, body.OptionalId("request_id"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto c, s->Reopen(api::PrincipalOf(req), key.site_id, key.assessment,
                                           key.period, request_id));
          return api::JsonResponse(200, CloseJson(c));
        });
  // {"stage", "ends_on"?}: R11 §2's stage of a person and when it ends.
  r.Add("PUT", "/api/v1/people/{id}/employment", Access::kSignedIn,
        [s, unavailable](HttpRequest& req) {
          if (!s) return unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto stage, body.RequiredString("stage"));
          ZHIDU_OR_ERROR(auto ends_on, body.OptionalString("ends_on"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto e, s->SetEmployment(api::PrincipalOf(req), id, stage, ends_on));
          return api::JsonResponse(200, EmploymentJson(e));
        });
  r.Add("GET", "/api/v1/people/{id}/employment", Access::kSignedIn,
        [s, unavailable](HttpRequest& req) {
          if (!s) return unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto e, s->EmploymentOf(api::PrincipalOf(req), id));
          if (!e)
            return api::JsonResponse(200,
                                     {{"person_id", id}, {"stage", nullptr}, {"ends_on", nullptr}});
          return api::JsonResponse(200, EmploymentJson(*e));
        });
  // The indicator sources the server computes, for the console and pack authors.
  r.Add("GET", "/api/v1/assessment-sources", Access::kSignedIn, [s, unavailable](HttpRequest&) {
    if (!s) return unavailable();
    json items = json::array();
    for (const auto& [id, title] : s->Catalogue()) items.push_back({{"id", id}, {"title", title}});
    return api::JsonResponse(200, {{"items", std::move(items)}});
  });
}

}  // namespace zhidu::people
