// The zhidu HTTP API: conventions (errors, auth, CSRF, idempotency, pagination, timestamps,
// metrics) in one place, and the routes under /api/v1.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/generation_cache.hpp"
#include "api/http.hpp"
#include "api/metrics.hpp"
#include "api/notify_stream.hpp"
#include "api/read_cache.hpp"
#include "api/router.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/notify/webhooks.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/org_service.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/duties.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/procedures.hpp"
#include "kernel/runtime/requests.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "kernel/scheduler/reminders.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::api {

// The kernel services the API's own routes use (sign-in, organisation, policy, scheduler, runtime).
// Domain modules are not here: each registers its own routes (api/module.hpp).
struct ApiDeps {
  store::Store* store = nullptr;
  store::Writer* writer = nullptr;
  org::AuthService* auth = nullptr;
  org::OrgService* org = nullptr;
  Metrics* metrics = nullptr;
  scheduler::Scheduler* scheduler = nullptr;  // null: the scheduler routes answer 503
  scheduler::Reminders* reminders = nullptr;
  runtime::Duties* duties = nullptr;  // null: the runtime routes answer 503
  runtime::Ledger* ledger = nullptr;
  runtime::SiteParameters* parameters = nullptr;
  // Test clock only (zhidu serve --test-clock); null otherwise.
  std::function<Result<TimePoint>(TimePoint)> advance_clock;
  std::function<TimePoint()> now;
  runtime::Requests* requests = nullptr;      // null: the request routes answer 503
  runtime::Procedures* procedures = nullptr;  // null: the procedure routes answer 503
  const org::RoleCatalogue* roles = nullptr;
  std::filesystem::path web_root;  // built console (web/dist); empty: none
  bool secure_cookies = false;     // add `Secure` to cookies (behind TLS)
  // Addresses of reverse proxies whose X-Forwarded-For names the client (zhidu serve
  // --trusted-proxy); from any other peer the header is ignored.
  std::vector<std::string> trusted_proxies;
  // Not empty: GET /metrics requires `Authorization: Bearer <metrics_token>` (zhidu serve
  // --metrics-token-file); empty: /metrics is open, as on a loopback server.
  std::string metrics_token;
  policy::ActivePack* policy = nullptr;  // the pack in force; null: policy routes answer 503
  // Validates and installs the pack again (actor = account id); the previous pack stays on error.
  std::function<Result<void>(store::Id, policy::LoadReport*)> reload_policy;
  StreamService* streams = nullptr;               // live notifications; null: upgrades answer 503
  notify::WebhookDispatcher* webhooks = nullptr;  // null: the channel routes answer 503
  const Clock* clock = nullptr;                   // the server's clock (test clock or system)
  // Answers of the board's read routes kept between writes (api/read_cache.hpp); 0 turns the
  // cache off (zhidu serve --read-cache-entries). Needs `writer` (its commit count).
  size_t read_cache_entries = 1024;
  // Principals of API tokens and sessions kept between writes (api/generation_cache.hpp), so a
  // request does not read its token or session, account and grants from the store each time; 0
  // turns it off (zhidu serve --principal-cache-entries). Needs `writer` (and `clock` for
  // sessions, whose end is checked on each hit).
  size_t principal_cache_entries = 4096;
};

// The client's address: the peer's, or, when the peer is one of `trusted_proxies`, the last
// address of its X-Forwarded-For (the one that proxy appended) if it looks like an IP address.
std::string ClientAddress(const HttpRequest& request,
                          const std::vector<std::string>& trusted_proxies);

// Route groups, one file each.
void AddPolicyRoutes(Router& router, const ApiDeps& deps);

class Api {
 public:
  explicit Api(ApiDeps deps);
  HttpResponse Handle(HttpRequest& request);
  // The HTTP server's FastHandler: answers a GET from the read cache on the network thread when
  // its principal is cached too (no store read, no hop to the handler pool); false otherwise,
  // and `request` is then handled by Handle as if this had not run.
  bool ServeCached(HttpRequest& request, HttpResponse& out);
  // The StreamHandler of the HTTP server: a WebSocket upgrade of GET /api/v1/stream, authenticated
  // like any request (session cookie or Bearer token) before the upgrade is accepted.
  StreamOpen OpenStream(HttpRequest& request);
  const Router& router() const { return router_; }
  // Where the modules add their routes (api/module.hpp), before serving.
  Router& mutable_router() { return router_; }
  // Merges the modules' OpenAPI "paths" objects into the document served at
  // /api/v1/openapi.json (parsed and written once); kInternal when one is not a JSON object (a
  // build defect). Before serving.
  Result<void> AddOpenApiPaths(const std::vector<std::string_view>& paths_json);

 private:
  // A principal kept in `principals_`, with the end of its session (bearer tokens: never).
  struct CachedPrincipal {
    org::Principal principal;
    TimePoint expires_at = TimePoint::max();
  };
  using PrincipalCache = GenerationCache<std::shared_ptr<const CachedPrincipal>>;
  // The principal of a request: `Authorization: Bearer` or the session cookie (no CSRF check).
  Result<org::Principal> Authenticate(const HttpRequest& request);
  // The cache key of the request's credential ("" when it has none), and its cached principal if
  // still valid: the commit count unchanged and, for a session, not expired by the clock.
  std::string PrincipalKey(const HttpRequest& request) const;
  std::shared_ptr<const CachedPrincipal> CachedPrincipalOf(const std::string& key,
                                                           std::uint64_t generation,
                                                           bool count_miss = true);
  // The pack in force, or null when the server runs without one (tests of the HTTP layer).
  std::shared_ptr<const policy::Pack> PackInForce() const {
    return deps_.policy ? deps_.policy->Current() : nullptr;
  }
  void AddRoutes();
  HttpResponse Dispatch(HttpRequest& request, std::string& route_label);
  HttpResponse Static(const HttpRequest& request);

  ApiDeps deps_;
  Router router_;
  std::string openapi_;                    // OpenApiDocument() with the modules' paths
  std::unique_ptr<ReadCache> read_cache_;  // null: off
  // Bearer token or session cookie (the SHA-256 of either, tagged) -> principal; null: off. A
  // session's end is kept beside its principal and checked against the clock on each hit.
  std::unique_ptr<PrincipalCache> principals_;
  // Idempotency-Keys (account, key) with requests running in this process, and how many: a retry
  // meanwhile gets 409; one found unanswered and not running was interrupted (Dispatch).
  std::mutex keys_running_mu_;
  std::map<std::pair<store::Id, std::string>, int> keys_running_;  // guarded by keys_running_mu_
};

// Maps an Error to its HTTP status and JSON body — the one table for the whole API.
int StatusFor(Errc code);
HttpResponse ErrorResponse(const Error& error);
// The OpenAPI 3.1 document served at /api/v1/openapi.json.
const std::string& OpenApiDocument();

// For route files: who sent a kSignedIn request (the API authenticated it before the handler
// ran; asserted), and the page (limit, cursor) of a list request.
const org::Principal& PrincipalOf(const HttpRequest& request);
Result<store::PageRequest> PageOf(const HttpRequest& request);
// The positive id in path parameter `key` (kNotFound otherwise) and in query parameter `key`
// (0 when absent; kInvalidArgument when malformed).
Result<store::Id> PathIdOf(const HttpRequest& request, const std::string& key = "id");
Result<store::Id> QueryIdOf(const HttpRequest& request, const std::string& key);

}  // namespace zhidu::api
