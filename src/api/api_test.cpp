#include <gtest/gtest.h>

#include <map>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/access_log.hpp"
#include "api/api.hpp"
#include "api/generation_cache.hpp"
#include "api/http.hpp"
#include "api/json_body.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"

namespace zhidu::api {
namespace {

TEST(ParseTarget, DecodesPathAndQuery) {
  std::string path;
  std::map<std::string, std::string> query;
  ASSERT_TRUE(ParseTarget("/api/v1/people?site_id=3&q=%E8%AF%AF%E6%8A%A5+x", path, query));
  EXPECT_EQ(path, "/api/v1/people");
  EXPECT_EQ(query["site_id"], "3");
  EXPECT_EQ(query["q"], "误报 x");
  EXPECT_FALSE(ParseTarget("/a%zz", path, query));
  EXPECT_FALSE(ParseTarget("/a%4", path, query));
}

// %FF decodes to a byte that is not UTF-8: refused here, so no handler, message or store sees it.
TEST(ParseTarget, RefusesWhatIsNotUtf8OnceDecoded) {
  std::string path;
  std::map<std::string, std::string> query;
  EXPECT_FALSE(ParseTarget("/api/v1/sites/%FF", path, query));
  EXPECT_FALSE(ParseTarget("/api/v1/people?q=%C0%AF", path, query));     // overlong '/'
  EXPECT_FALSE(ParseTarget("/api/v1/people?%ED%A0%80=1", path, query));  // a surrogate
  EXPECT_FALSE(ParseTarget("/a%E8%AF", path, query));                    // cut short
  EXPECT_TRUE(ParseTarget("/a/%F0%9F%98%80?x=%E8%AF%AF", path, query));
  EXPECT_EQ(path, "/a/\xF0\x9F\x98\x80");
}

TEST(IsLoopbackHost, OnlyAddressesThatStayOnThisMachine) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"})
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  for (const char* host : {"0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.com", "1270.0.0.1"})
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
}

TEST(ClientAddress, OnlyATrustedProxyNamesTheClient) {
  HttpRequest r;
  r.client_ip = "10.1.1.1";
  r.headers["x-forwarded-for"] = "203.0.113.7";
  EXPECT_EQ(ClientAddress(r, {}), "10.1.1.1");
  EXPECT_EQ(ClientAddress(r, {"10.9.9.9"}), "10.1.1.1");  // not the proxy: header ignored
  EXPECT_EQ(ClientAddress(r, {"10.9.9.9", "10.1.1.1"}), "203.0.113.7");
  r.headers["x-forwarded-for"] = "1.2.3.4, 203.0.113.7 ";  // the proxy appended the last one
  EXPECT_EQ(ClientAddress(r, {"10.1.1.1"}), "203.0.113.7");
  r.headers["x-forwarded-for"] = "2001:db8::1";
  EXPECT_EQ(ClientAddress(r, {"10.1.1.1"}), "2001:db8::1");
  for (const char* junk : {"", "unknown", "1.2.3.4, ", "<script>", "1.2.3.4; x"}) {
    r.headers["x-forwarded-for"] = junk;
    EXPECT_EQ(ClientAddress(r, {"10.1.1.1"}), "10.1.1.1") << junk;
  }
}

TEST(AccessLog, KeepsOnlySaneRequestIds) {
  EXPECT_TRUE(SaneRequestId("abc-123_X.y"));
  EXPECT_TRUE(SaneRequestId(std::string(64, 'a')));
  for (std::string bad : {std::string(), std::string(65, 'a'), std::string("a b"),
                          std::string("a\nb"), std::string("a\"b"), std::string("a/b")})
    EXPECT_FALSE(SaneRequestId(bad)) << bad;
}

TEST(AccessLog, ALineIsOneJsonObjectWithoutTheQuery) {
  std::string line =
      AccessLine("2026-12-05T00:00:00Z", "id-1", "GET", "/api/v1/x\"\n{\"forged\":1}?token=secret",
                 404, 1.234567, "203.0.113.7", "");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find("secret"), std::string::npos);
  auto doc = nlohmann::json::parse(line);
  EXPECT_EQ(doc["path"], "/api/v1/x\"\n{\"forged\":1}");
  EXPECT_EQ(doc["status"], 404);
  EXPECT_EQ(doc["level"], "info");
  EXPECT_DOUBLE_EQ(doc["ms"].get<double>(), 1.23);
  EXPECT_FALSE(doc.contains("error"));
  auto bad_utf8 = nlohmann::json::parse(
      AccessLine("t", "id", "GET", "/\xff\xfe", 500, 0, "::1", "internal: boom"));
  EXPECT_EQ(bad_utf8["level"], "error");
  EXPECT_EQ(bad_utf8["error"], "internal: boom");
}

TEST(AccessLog, AThrowingHandlerIsAnswered500WithItsId) {
  SystemClock clock;
  AccessLog log(clock);
  Handler handler =
      WithAccessLog([](HttpRequest&) -> HttpResponse { throw std::runtime_error("x"); }, log);
  HttpRequest r;
  r.method = "GET";
  r.target = "/x";
  r.headers["x-request-id"] = "given-id";
  HttpResponse res = handler(r);
  EXPECT_EQ(res.status, 500);
  ASSERT_FALSE(res.headers.empty());
  EXPECT_EQ(res.headers.back(), (std::pair<std::string, std::string>{"X-Request-Id", "given-id"}));
}

TEST(ParseJson, RefusesNestingDeeperThanTheCapBeforeBuildingIt) {
  auto nested = [](int depth) {
    return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
  };
  EXPECT_TRUE(ParseJson(nested(kMaxJsonDepth)));
  auto deep = ParseJson(nested(kMaxJsonDepth + 1));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, Errc::kInvalidArgument);
  EXPECT_NE(deep.error().message.find("deeper than 64 levels"), std::string::npos);
  // 100,000 deep and unbalanced: refused by the scan, never parsed.
  EXPECT_FALSE(ParseJson(std::string(100000, '[')));
  // Brackets inside strings do not count, escaped quotes do not end a string.
  std::string text = "{\"a\":\"" + std::string(1000, '[') + "\\\"{{{\"}";
  EXPECT_TRUE(ParseJson(text)) << text;
  auto mqtt = ParseJson("{", "the payload");
  ASSERT_FALSE(mqtt);
  EXPECT_EQ(mqtt.error().message.rfind("the payload is not valid JSON", 0), 0u);
  EXPECT_FALSE(JsonBody::Parse(nested(kMaxJsonDepth + 1)));
}

TEST(Router, MatchesParamsAndDistinguishes405From404) {
  Router r;
  r.Add("GET", "/api/v1/people/{id}", Access::kSignedIn,
        [](HttpRequest&) { return HttpResponse{}; });
  HttpRequest req;
  req.method = "GET";
  req.path = "/api/v1/people/42";
  bool path_matched = false;
  ASSERT_NE(r.Match(req, path_matched), nullptr);
  EXPECT_EQ(req.params["id"], "42");
  req.method = "DELETE";
  EXPECT_EQ(r.Match(req, path_matched), nullptr);
  EXPECT_TRUE(path_matched);
  req.path = "/api/v1/people/42/extra";
  EXPECT_EQ(r.Match(req, path_matched), nullptr);
  EXPECT_FALSE(path_matched);
}

// Patterns are split once when added; the first route in order wins, a literal only matches
// itself, a "{token}.ics" parameter needs its suffix and something before it, and a path deeper
// than any pattern matches nothing.
TEST(Router, FirstMatchInOrderSuffixParamsAndDeepPaths) {
  Router r;
  auto ok = [](HttpRequest&) { return HttpResponse{}; };
  r.Add("GET", "/api/v1/service/tickets/{id}", Access::kSignedIn, ok);
  r.Add("POST", "/api/v1/service/tickets:batch", Access::kSignedIn, ok);
  r.Add("GET", "/api/v1/sites/{site}/posts/{post}", Access::kSignedIn, ok);
  r.Add("GET", "/calendar/{token}.ics", Access::kPublic, ok);
  r.Add("GET", "/calendar/feed", Access::kPublic, ok);
  HttpRequest req;
  bool path_matched = false;
  req.method = "POST";
  req.path = "/api/v1/service/tickets:batch";
  auto* route = r.Match(req, path_matched);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->pattern, "/api/v1/service/tickets:batch");
  req.method = "GET";
  req.path = "/api/v1/service/tickets/7";
  route = r.Match(req, path_matched);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(req.params, (std::map<std::string, std::string>{{"id", "7"}}));
  req.path = "//api/v1//sites/3/posts/9/";
  route = r.Match(req, path_matched);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(req.params, (std::map<std::string, std::string>{{"post", "9"}, {"site", "3"}}));
  req.path = "/calendar/abc.ics";
  route = r.Match(req, path_matched);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(req.params, (std::map<std::string, std::string>{{"token", "abc"}}));
  req.path = "/calendar/.ics";
  EXPECT_EQ(r.Match(req, path_matched), nullptr);
  EXPECT_FALSE(path_matched);
  req.path = "/calendar/feed";
  route = r.Match(req, path_matched);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->pattern, "/calendar/feed");
  EXPECT_TRUE(req.params.empty());
  req.path = "/api/v1/sites/x/posts/y/z";
  EXPECT_EQ(r.Match(req, path_matched), nullptr);
  req.path = "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s";
  EXPECT_EQ(r.Match(req, path_matched), nullptr);
  EXPECT_FALSE(path_matched);
}

TEST(JsonBody, RejectsMalformedWrongTypesAndUnknownFields) {
  auto bad = JsonBody::Parse("{\"name\":");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(JsonBody::Parse("[1,2]"));
  EXPECT_FALSE(JsonBody::Parse("{\"name\":\"\xff\xfe\"}"));  // invalid UTF-8

  auto body = JsonBody::Parse(R"({"name":5,"site_id":"x","extra":true})");
  ASSERT_TRUE(body);
  auto name = body->RequiredString("name");
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().field, "name");
  auto site = body->RequiredId("site_id");
  ASSERT_FALSE(site);
  EXPECT_EQ(site.error().field, "site_id");
  auto extra = body->NoOtherFields();
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().field, "extra");
}

TEST(ErrorResponse, OneTableForStatusAndBody) {
  auto res = ErrorResponse({Errc::kInvalidArgument, "name must not be empty", "name"});
  EXPECT_EQ(res.status, 400);
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
  EXPECT_EQ(j["error"]["field"], "name");
  EXPECT_EQ(StatusFor(Errc::kNotFound), 404);
  EXPECT_EQ(StatusFor(Errc::kPermissionDenied), 403);
  EXPECT_EQ(StatusFor(Errc::kUnauthenticated), 401);
  EXPECT_EQ(StatusFor(Errc::kResourceExhausted), 429);
}

// Issue 17 §7: the stable reason beside the code (docs/api.md); a 400 naming a field carries at
// least "invalid"; errors said by their code alone carry none.
TEST(ErrorResponse, CarriesTheReason) {
  auto given = nlohmann::json::parse(
      ErrorResponse(Fail(Errc::kFailedPrecondition, Reason{"handover.outgoing_signs_first"},
                         "the outgoing signs first")
                        .error())
          .body);
  EXPECT_EQ(given["error"]["code"], "failed_precondition");
  EXPECT_EQ(given["error"]["reason"], "handover.outgoing_signs_first");
  auto required = nlohmann::json::parse(
      ErrorResponse(
          Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id").error())
          .body);
  EXPECT_EQ(required["error"]["reason"], "required");
  auto field = nlohmann::json::parse(
      ErrorResponse({Errc::kInvalidArgument, "q is longer than 200 bytes", "q"}).body);
  EXPECT_EQ(field["error"]["reason"], "invalid");
  auto plain = nlohmann::json::parse(ErrorResponse({Errc::kNotFound, "no such person", ""}).body);
  EXPECT_FALSE(plain["error"].contains("reason"));
  auto body = JsonBody::Parse(R"({"n": 1})");
  ASSERT_TRUE(body);
  EXPECT_EQ(body->RequiredString("name").error().reason, "required");
}

TEST(OpenApi, IsValidJsonOfVersion31) {
  auto doc = nlohmann::json::parse(OpenApiDocument());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_TRUE(doc["paths"].contains("/api/v1/login"));
}

TEST(Metrics, RendersPrometheusHistogram) {
  Metrics m;
  m.ObserveRequest("GET", "/healthz", 200, 0.0007);
  m.ObserveCommit(0.003, 4);
  auto text = m.Render();
  EXPECT_NE(
      text.find("zhidu_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
      std::string::npos);
  EXPECT_NE(text.find("zhidu_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
                      "healthz\",le=\"0.001\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("zhidu_committed_writes_total 4"), std::string::npos);
}

TEST(HttpRequest, ReadsCookies) {
  HttpRequest r;
  r.headers["cookie"] = "a=1; zhidu_session=abc; b=2";
  EXPECT_EQ(r.Cookie("zhidu_session"), "abc");
  EXPECT_EQ(r.Cookie("zhidu"), "");
}

TEST(GenerationCache, ReusesAValueOnlyWithinItsGeneration) {
  std::uint64_t commits = 7;
  GenerationCache<std::string> cache([&] { return commits; }, {2, std::chrono::hours(1)});
  auto g = cache.Generation();
  EXPECT_FALSE(cache.Find("a", g));
  cache.Put("a", g, "alpha");
  EXPECT_EQ(cache.Find("a", g).value_or(""), "alpha");
  // A commit: the entry is stale for the new generation and dropped.
  ++commits;
  EXPECT_FALSE(cache.Find("a", cache.Generation()));
  EXPECT_FALSE(cache.Find("a", g));
  // A value computed at a generation a commit has since passed is never stored.
  g = cache.Generation();
  ++commits;
  cache.Put("b", g, "beta");
  EXPECT_FALSE(cache.Find("b", g));
  EXPECT_FALSE(cache.Find("b", cache.Generation()));
  // At most max_entries: the oldest stored goes first.
  g = cache.Generation();
  cache.Put("x", g, "1");
  cache.Put("y", g, "2");
  cache.Put("z", g, "3");
  EXPECT_FALSE(cache.Find("x", g));
  EXPECT_EQ(cache.Find("y", g).value_or(""), "2");
  EXPECT_EQ(cache.Find("z", g).value_or(""), "3");
  auto s = cache.stats();
  EXPECT_EQ(s.hits, 3u);
  EXPECT_EQ(s.stores, 4u);
}

TEST(GenerationCache, AnEntryOlderThanItsTtlIsNotReused) {
  GenerationCache<int> cache([] { return std::uint64_t{1}; }, {8, std::chrono::milliseconds(1)});
  cache.Put("k", 1, 42);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(cache.Find("k", 1));
}

TEST(ReadCache, KeepsOnly200AnswersPerAccount) {
  ReadCache cache([] { return std::uint64_t{3}; }, {});
  HttpResponse posts{200, "application/json", "[1]", {}};
  HttpResponse refused{403, "application/json", "{}", {}};
  cache.Put(1, "/api/v1/posts", 3, posts, "/api/v1/posts");
  cache.Put(1, "/api/v1/alarms", 3, refused, "/api/v1/alarms");
  // The kept body is the response's own, moved once and shared by every hit: no copy.
  ASSERT_TRUE(posts.shared_body);
  EXPECT_EQ(posts.Body(), "[1]");
  EXPECT_EQ(refused.Body(), "{}");
  auto hit = cache.Find(1, "/api/v1/posts", 3);
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit->body, "[1]");
  EXPECT_EQ(hit->body.get(), posts.shared_body.get());
  EXPECT_EQ(hit->route_label, "/api/v1/posts");
  EXPECT_EQ(ReadCache::ResponseOf(*hit).Body(), "[1]");
  EXPECT_FALSE(cache.Find(2, "/api/v1/posts", 3));
  EXPECT_FALSE(cache.Find(1, "/api/v1/alarms", 3));
}

}  // namespace
}  // namespace zhidu::api
