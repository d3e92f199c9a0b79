#include "app/server.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include "api/access_log.hpp"
#include "api/api.hpp"
#include "api/http_server.hpp"
#include "api/indicator_sources.hpp"
#include "api/notify_webhooks.hpp"
#include "app/data_dir.hpp"
#include "app/demo.hpp"
#include "app/modules.hpp"
#include "app/roles.hpp"
#include "base/canonical_json.hpp"
#include "base/clock.hpp"
#include "base/time.hpp"
#include "kernel/notify/event_feed.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/org_service.hpp"
#include "kernel/photos/photos.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/actions.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/runtime/duties.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/procedures.hpp"
#include "kernel/runtime/request_events.hpp"
#include "kernel/runtime/requests.hpp"
#include "kernel/scheduler/reminders.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/journal.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/writer.hpp"

namespace zhidu::app {

namespace {

std::filesystem::path SqlitePath(const StoreLocation& where) {
  return SqliteFileIn(where.data_dir);
}

bool ParseListen(const std::string& listen, std::string& host, unsigned short& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<unsigned short>(p);
  } catch (...) {
    return false;
  }
  return !host.empty();
}

std::filesystem::path DefaultWebRoot() {
  if (const char* env = std::getenv("ZHIDU_WEB")) return env;
  for (auto candidate : {std::filesystem::path("web/dist"), std::filesystem::path("../web/dist")})
    if (std::filesystem::exists(candidate / "index.html"))
      return std::filesystem::absolute(candidate);
  return {};
}

}  // namespace

std::filesystem::path DefaultPolicies() {
  if (const char* env = std::getenv("ZHIDU_POLICIES")) return env;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::vector<std::filesystem::path> candidates = {"policies/cn-default"};
  // build/<preset>/src/app/zhidu -> the source tree's policies/
  if (!ec) candidates.push_back(exe.parent_path() / "../../../../policies/cn-default");
  for (const auto& c : candidates)
    if (std::filesystem::exists(c / "pack.yaml")) return std::filesystem::weakly_canonical(c);
  return "policies/cn-default";
}

namespace {

std::string PackPayload(const policy::Pack& pack) {
  const auto& info = pack.info();
  return CanonicalObject()
      .Add("name", info.name)
      .Add("version", info.version)
      .Add("effective", info.effective)
      .Add("content_hash", info.content_hash)
      .Str();
}

// The token of --metrics-token-file: its text without surrounding white space, 16 to 256
// printable ASCII characters (what a Bearer header can carry).
Result<std::string> ReadMetricsToken(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(Errc::kInvalidArgument, "cannot read " + file.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const char* space = " \t\r\n";
  size_t first = text.find_first_not_of(space), last = text.find_last_not_of(space);
  std::string token = first == std::string::npos ? "" : text.substr(first, last - first + 1);
  bool printable = std::ranges::all_of(token, [](char c) { return c > ' ' && c < 0x7f; });
  if (token.size() < 16 || token.size() > 256 || !printable)
    return Fail(Errc::kInvalidArgument, file.string() +
                                            " must hold one token of 16 to 256 printable "
                                            "characters without spaces");
  return token;
}

}  // namespace

Result<std::unique_ptr<store::Store>> OpenStore(const StoreLocation& where, bool create,
                                                bool migrate) {
  std::unique_ptr<store::Store> store;
  if (!where.database_url.empty()) {
    ZHIDU_TRY(store, store::OpenPostgresStore(where.database_url));
  } else {
    std::error_code ec;
    if (create) std::filesystem::create_directories(where.data_dir, ec);
    if (ec)
      return Fail(Errc::kUnavailable,
                  "cannot create " + where.data_dir.string() + ": " + ec.message());
    if (!create && !std::filesystem::exists(SqlitePath(where)))
      return Fail(Errc::kNotFound, "no zhidu database in " + where.data_dir.string());
    ZHIDU_TRY(store, store::OpenSqliteStore(SqlitePath(where).string()));
  }
  if (migrate) ZHIDU_TRY_VOID(store->Migrate());
  return store;
}

int Serve(const ServeOptions& options) {
  std::string host;
  unsigned short port = 0;
  if (!ParseListen(options.listen, host, port)) {
    std::cerr << "zhidu: --listen must be host:port, e.g. 127.0.0.1:8080\n";
    return 2;
  }
  if (options.test_fast_password_hashing && !api::IsLoopbackHost(host)) {
    std::cerr << "zhidu: --test-fast-password-hashing is for tests: --listen must be a loopback "
                 "address\n";
    return 2;
  }
  if (auto ca = api::SetOutboundCaFile(options.tls_ca_file.string()); !ca) {
    std::cerr << "zhidu: --tls-ca-file: " << ca.error().message << "\n";
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(options.store.data_dir, ec);
  DataDirLock lock;
  if (options.store.database_url.empty()) {
    if (auto locked = lock.Acquire(options.store.data_dir); !locked) {
      std::cerr << "zhidu: " << locked.error().message << "\n";
      return 2;
    }
  }
  auto store_or = OpenStore(options.store, true, true);
  if (!store_or) {
    std::cerr << "zhidu: " << store_or.error().message << "\n";
    return 2;
  }
  auto& store = **store_or;

  auto policies_dir = options.policies.empty() ? DefaultPolicies() : options.policies;
  policy::LoadReport load_report;
  auto active_or = policy::ActivePack::Open(policies_dir, &load_report, PackLoadOptions());
  if (!active_or) {
    std::cerr << "zhidu: the policy pack " << policies_dir.string() << " has errors:\n"
              << load_report.ToString() << "\n";
    return 2;
  }
  auto& active_pack = **active_or;

  SystemClock system_clock;
  std::unique_ptr<ManualClock> test_clock;
  if (!options.test_clock.empty()) {
    auto start = ParseIso8601(options.test_clock);
    if (!start) {
      std::cerr << "zhidu: --test-clock: " << start.error().message << "\n";
      return 2;
    }
    test_clock = std::make_unique<ManualClock>(*start);
    std::cout << "zhidu: running on a TEST CLOCK from " << options.test_clock << std::endl;
  }
  const Clock& clock = test_clock ? static_cast<const Clock&>(*test_clock) : system_clock;
  api::Metrics metrics;
  store::Writer writer(store, clock, 512,
                       [&](double s, int jobs) { metrics.ObserveCommit(s, jobs); });
  org::RoleCatalogue roles;
  DefineRoles(roles, active_pack.Current().get());
  org::AuthOptions auth_options;
  auth_options.max_concurrent_checks = options.max_password_checks;
  auth_options.fast_hashing = options.test_fast_password_hashing;
  if (auth_options.fast_hashing)
    std::cout << "zhidu: TEST password hashing (minimum cost): never for real accounts"
              << std::endl;
  org::AuthService auth(store, writer, clock, roles, auth_options);
  org::OrgService org_service(store, writer, roles);
  metrics.SetGauge("zhidu_login_throttle_keys",
                   "Accounts and addresses with recent failed sign-ins kept in memory.",
                   [&] { return static_cast<double>(auth.throttle_keys()); });
  metrics.SetGauge("zhidu_password_checks_peak", "The most password checks seen running at once.",
                   [&] { return static_cast<double>(auth.peak_concurrent_checks()); });
  // Every record made from now on was made under this pack: the journal says which one.
  auto journal_pack = [&](const policy::Pack& pack, store::Id actor) {
    return writer.Run<int>([&](store::Tx& tx) -> Result<int> {
      ZHIDU_TRY_VOID(
          tx.Journal("policy.pack.loaded", actor, "policy/" + pack.info().name, PackPayload(pack)));
      return 0;
    });
  };
  if (auto journaled = journal_pack(*active_pack.Current(), 0); !journaled) {
    std::cerr << "zhidu: " << journaled.error().message << "\n";
    return 2;
  }
  // Reload (SIGHUP or POST /api/v1/policy/reload): validate first; a bad pack never replaces a good
  // one.
  auto reload_policy = [&](store::Id actor, policy::LoadReport* report) -> Result<void> {
    ZHIDU_TRY(auto pack, active_pack.Reload(report));
    DefineRoles(roles, pack.get());
    ZHIDU_TRY_VOID(journal_pack(*pack, actor));
    return Ok();
  };
  metrics.SetGauge("zhidu_journal_records", "Records in the journal (head sequence number).", [&] {
    auto unit = store.BeginRead();
    if (!unit) return -1.0;
    auto head = (*unit)->ReadJournalHead();
    return head ? static_cast<double>(head->seq) : -1.0;
  });

  // The demo company: the pack's (pack.yaml `demo:`) or one derived from its posts and roles.
  const policy::DemoCompany demo = DemoOf(*active_pack.Current());
  if (options.demo) {
    auto seeded = SeedDemo(store, auth, org_service, options.store.data_dir, demo);
    if (!seeded) {
      std::cerr << "zhidu: demo seeding failed: " << seeded.error().message << "\n";
      return 2;
    }
  }

  scheduler::SchedulerOptions scheduler_options;
  scheduler_options.node_id = options.node_id;
  scheduler_options.lease = std::chrono::milliseconds(std::max(100, options.timer_lease_ms));
  scheduler_options.on_error = [](const Error& e) {
    std::cerr << "zhidu: scheduler: " << e.message << std::endl;
  };
  scheduler::Scheduler timer_scheduler(store, writer, clock, scheduler_options);
  scheduler::Reminders reminders(store, writer, timer_scheduler, roles);
  // The event bus and the action registry the modules fill (kernel/runtime/bus.hpp, actions.hpp).
  runtime::EventBus bus;
  runtime::Actions actions;
  runtime::Duties duties(store, writer, timer_scheduler, active_pack, roles, actions, bus);
  duties.RegisterHandlers();
  runtime::Ledger ledger(store, writer, active_pack, roles);
  runtime::SiteParameters site_parameters(store, writer, active_pack, roles);
  runtime::Procedures procedures(store, writer, timer_scheduler, active_pack, roles, actions);
  procedures.RegisterHandlers();
  procedures.SubscribeTo(bus);  // site events emitted by modules start the pack's procedures
  // Duties raised by site events (on: maintenance_due, visitors_left …; docs/runtime.md).
  procedures.SetEventDuties(
      [&duties](store::Tx& tx, const runtime::SiteEvent& e, std::int64_t key) {
        return duties.StartForEvent(tx, e, key);
      });
  // The test clock moves only when told, and fires every timer at its own due time on the way.
  std::mutex clock_mu;
  auto advance_clock = [&](TimePoint to) -> Result<TimePoint> {
    std::lock_guard lock(clock_mu);
    for (int guard = 0; guard < 1'000'000; ++guard) {
      ZHIDU_TRY(auto unit, store.BeginRead());
      ZHIDU_TRY(auto next, unit->NextDueAt());
      unit.reset();
      if (next && *next <= to) {
        if (*next > test_clock->Now()) test_clock->Set(*next);
      } else {
        test_clock->Set(to);
      }
      for (;;) {
        ZHIDU_TRY(int fired, timer_scheduler.RunOnce());
        if (fired == 0) break;
      }
      if (test_clock->Now() >= to) break;
    }
    return test_clock->Now();
  };
  // Modules hear filings and approvals on the bus (request_events.hpp: 请假 updates the roster).
  runtime::Requests requests(store, writer, auth, roles, active_pack, &bus);
  photos::Photos photo_service(store, writer);

  // The domain modules (src/app/modules.cpp), in list order: tables, services, handlers.
  api::ModuleSettings module_settings;
  module_settings.demo = options.demo;
  module_settings.data_dir = options.store.data_dir;
  module_settings.photo_max_bytes = static_cast<size_t>(options.photo_max_bytes);
  module_settings.alarm_aggregation_s = options.alarm_aggregation_s;
  module_settings.alarm_max_shelve_min = options.alarm_max_shelve_min;
  module_settings.web_form_per_hour = options.web_form_per_hour;
  module_settings.mqtt = options.mqtt;
  module_settings.mqtt_topic = options.mqtt_topic;
  module_settings.mqtt_group = options.mqtt_group;
  module_settings.sms_url = options.sms_url;
  module_settings.gb26875_listen = options.gb26875_listen;
  module_settings.field_devices = options.field_devices;
  api::Services services;
  // Assessment indicator sources modules contribute (api/indicator_sources.hpp): owned here, so
  // the module adding sources and the one reading them need not start in a given order.
  api::IndicatorSources indicator_sources;
  services.Offer<api::IndicatorSources>(&indicator_sources);
  api::Kernel kernel{store,   writer,        clock,   timer_scheduler, active_pack,    roles,
                     auth,    org_service,   duties,  procedures,      requests,       bus,
                     actions, photo_service, metrics, services,        module_settings};
  auto modules = AllModules();
  // What the modules declare beyond the pack: their site parameters and the events they raise.
  site_parameters.SetModuleParameters([&modules](const policy::Pack& pack) {
    std::vector<policy::ParamDecl> out;
    for (const auto& m : modules)
      for (auto& d : m->Parameters(pack)) out.push_back(std::move(d));
    return out;
  });
  {
    runtime::Procedures::ModuleEvents raised;
    for (const auto& m : modules)
      for (auto& e : m->RaisedEvents()) raised.emplace(std::move(e), std::string(m->name()));
    procedures.SetModuleEvents(std::move(raised));
  }
  struct StopModules {  // modules stop (MQTT first) before the scheduler and the writer
    std::vector<std::unique_ptr<api::Module>>& modules;
    ~StopModules() {
      for (auto it = modules.rbegin(); it != modules.rend(); ++it) (*it)->Stop();
    }
  } stop_modules{modules};
  for (auto& m : modules) {
    auto started = store.MigrateModule(m->name(), m->Migrations());
    if (started) started = m->Start(kernel);
    if (!started) {
      std::cerr << "zhidu: module " << m->name() << ": " << started.error().message << "\n";
      return 2;
    }
  }
  if (auto planning = duties.EnsurePlanning(); !planning) {
    std::cerr << "zhidu: duty planning: " << planning.error().message << "\n";
    return 2;
  }
  if (options.demo) {
    for (auto& m : modules) {
      if (auto seeded = m->SeedDemo(kernel); !seeded) {
        std::cerr << "zhidu: demo seeding of " << m->name() << " failed: " << seeded.error().message
                  << "\n";
        return 2;
      }
    }
    // The demo company's rosters and footage (app/demo.cpp).
    auto rosters = services.Need<roster::Rosters>("the demo");
    auto visits = services.Need<visits::Visits>("the demo");
    Result<void> seeded =
        rosters ? SeedDemoRosters(store, **rosters, clock, demo) : Fail(rosters.error());
    if (seeded)
      seeded = visits ? SeedDemoFootage(store, **visits, clock, demo) : Fail(visits.error());
    if (!seeded) {
      std::cerr << "zhidu: demo seeding failed: " << seeded.error().message << "\n";
      return 2;
    }
  }

  // Live notifications: the feed tails the journal, woken by every commit.
  notify::EventFeed feed(store);
  if (auto started = feed.Start(); !started) {
    std::cerr << "zhidu: " << started.error().message << "\n";
    return 2;
  }
  writer.SetCommitListener([&feed](std::int64_t head) { feed.Notify(head); });
  struct DetachListener {  // the feed dies before the writer's last commits on early returns
    store::Writer& writer;
    ~DetachListener() { writer.SetCommitListener({}); }
  } detach_listener{writer};
  api::StreamService streams(store, feed, roles);
  metrics.SetGauge("zhidu_streams_open", "Open WebSocket notification streams.",
                   [&] { return static_cast<double>(streams.open_streams()); });
  metrics.SetCounter("zhidu_stream_events_sent_total", "Events sent on notification streams.",
                     [&] { return static_cast<double>(streams.events_sent()); });

  // Webhooks: their own thread; a slow or dead receiver never delays a request.
  api::RobotTransport robot_transport(store);
  // Delivery is leased per channel in the database under the scheduler's node id, so several
  // nodes on one PostgreSQL send each record once (kernel/notify/webhooks.hpp).
  notify::DispatcherOptions webhook_options;
  webhook_options.node_id = timer_scheduler.node_id();
  webhook_options.lease = std::chrono::milliseconds(options.webhook_lease_ms);
  webhook_options.on_error = [](const Error& e) {
    std::cerr << "zhidu: webhooks: " << e.message << std::endl;
  };
  notify::WebhookDispatcher webhooks(store, writer, feed, robot_transport, clock, webhook_options);
  if (auto started = webhooks.Start(); !started) {
    std::cerr << "zhidu: webhooks: " << started.error().message << "\n";
    return 2;
  }
  auto webhook_total = [&webhooks](std::uint64_t notify::NodeDeliveryStats::*field) {
    return [&webhooks, field] { return static_cast<double>(webhooks.node_stats().*field); };
  };
  metrics.SetCounter("zhidu_webhook_delivered_total",
                     "Records this node delivered to webhook receivers.",
                     webhook_total(&notify::NodeDeliveryStats::delivered));
  metrics.SetCounter("zhidu_webhook_failed_total", "Records this node gave up after every retry.",
                     webhook_total(&notify::NodeDeliveryStats::failed));
  metrics.SetCounter("zhidu_webhook_attempts_total",
                     "HTTP attempts of this node to webhook receivers.",
                     webhook_total(&notify::NodeDeliveryStats::attempts));

  api::ApiDeps deps;
  deps.streams = &streams;
  deps.webhooks = &webhooks;
  deps.scheduler = &timer_scheduler;
  deps.reminders = &reminders;
  deps.duties = &duties;
  deps.ledger = &ledger;
  deps.parameters = &site_parameters;
  deps.procedures = &procedures;
  if (test_clock) {
    deps.advance_clock = advance_clock;
    deps.now = [&] { return test_clock->Now(); };
  }
  deps.requests = &requests;
  deps.clock = &clock;
  deps.read_cache_entries = static_cast<size_t>(options.read_cache_entries);
  deps.principal_cache_entries = static_cast<size_t>(options.principal_cache_entries);
  deps.roles = &roles;
  deps.store = &store;
  deps.writer = &writer;
  deps.auth = &auth;
  deps.org = &org_service;
  deps.metrics = &metrics;
  deps.policy = &active_pack;
  deps.reload_policy = reload_policy;
  deps.web_root = options.web_root.empty() ? DefaultWebRoot() : options.web_root;
  // Beyond loopback the server is reached through a TLS proxy, or should be: Secure by default.
  deps.secure_cookies = options.secure_cookies.value_or(!api::IsLoopbackHost(host));
  deps.trusted_proxies = options.trusted_proxies;
  if (!options.metrics_token_file.empty()) {
    auto token = ReadMetricsToken(options.metrics_token_file);
    if (!token) {
      std::cerr << "zhidu: --metrics-token-file: " << token.error().message << "\n";
      return 2;
    }
    deps.metrics_token = std::move(*token);
  } else if (!api::IsLoopbackHost(host)) {
    std::cerr << "zhidu: /metrics is open to anyone who reaches " << host
              << "; set --metrics-token-file to require a token\n";
  }
  api::Api api_handler(deps);
  if (auto mounted = MountModules(modules, api_handler); !mounted) {
    std::cerr << "zhidu: " << mounted.error().message << "\n";
    return 2;
  }

  api::ServerOptions server_options;
  server_options.host = host;
  server_options.port = port;
  server_options.body_limit_for = [&](std::string_view target) -> size_t {
    return target == "/api/v1/photos" ? module_settings.photo_max_bytes + 1
                                      : 0;  // +1: the route says 413
  };
  api::StreamHandler open_stream = [&](api::HttpRequest& r) { return api_handler.OpenStream(r); };
  api::Handler handle = [&](api::HttpRequest& r) { return api_handler.Handle(r); };
  // A cache hit is answered on the I/O thread (docs/performance.md, W2), logged like the rest.
  api::FastHandler fast = [&](api::HttpRequest& r, api::HttpResponse& out) {
    return api_handler.ServeCached(r, out);
  };
  // Each request's id and access-log line (docs/operations.md §Logs); the log's time is the wall
  // clock's even on a test clock.
  api::AccessLog access_log(system_clock);
  if (!options.log_file.empty()) {
    if (auto opened = access_log.OpenFile(options.log_file.string()); !opened) {
      std::cerr << "zhidu: --log-file: " << opened.error().message << "\n";
      return 2;
    }
  }
  if (options.access_log) {
    open_stream = api::WithStreamAccessLog(std::move(open_stream), access_log);
    handle = api::WithAccessLog(std::move(handle), access_log);
    fast = api::WithFastAccessLog(std::move(fast), access_log);
  }
  server_options.stream_handler = std::move(open_stream);
  server_options.fast_handler = std::move(fast);
  server_options.on_reload = [&] {
    policy::LoadReport report;
    if (auto reloaded = reload_policy(0, &report); !reloaded)
      std::cerr << "zhidu: policy reload refused, the previous pack stays in force:\n"
                << report.ToString() << "\n";
    else
      std::cout << "zhidu: policy pack reloaded (" << active_pack.Current()->info().content_hash
                << ")" << std::endl;
  };
  api::HttpServer server(server_options, std::move(handle));
  // One scheduler round before the first request: the duties planned (EnsurePlanning's timer is
  // due at start) and overdue timers fired, so nobody reads a board the scheduler's thread has not
  // yet planned. The thread started below would run this same round a moment later.
  if (auto first = timer_scheduler.RunOnce(); !first)
    std::cerr << "zhidu: scheduler: " << first.error().message << std::endl;
  if (auto listening = server.Listen(); !listening) {
    std::cerr << "zhidu: " << listening.error().message << "\n";
    return 2;
  }
  std::cout << "zhidu: serving on http://" << host << ":" << server.port() << " ("
            << store.backend() << ", policy " << active_pack.Current()->info().name << " "
            << active_pack.Current()->info().version << ", console "
            << (deps.web_root.empty() ? "not built" : deps.web_root.string()) << ", cookies "
            << (deps.secure_cookies ? "Secure" : "not Secure") << ")" << std::endl;
  timer_scheduler.Start();  // overdue timers fire now, marked late
  server.Run();
  for (auto it = modules.rbegin(); it != modules.rend(); ++it) (*it)->Stop();
  timer_scheduler.Stop();  // before the writer: the firing in progress commits first
  webhooks.Stop();
  writer.Stop();  // every queued write commits before exit
  std::cout << "zhidu: stopped cleanly" << std::endl;
  return 0;
}

int Verify(const StoreLocation& where, const std::vector<std::string>& anchors) {
  store::VerifyOptions options;
  for (const auto& text : anchors) {
    auto anchor = store::ParseAnchor(text);
    if (!anchor) {
      std::cerr << "zhidu verify: --anchor must be a record's hash (64 hex digits) or SEQ:HASH, "
                   "as verify printed it\n";
      return 2;
    }
    options.anchors.push_back(*anchor);
  }
  auto store = OpenStore(where, false, false);
  auto broken = [](const std::string& problem) {
    std::cout << "journal BROKEN: " << problem << "\n";
    return 1;
  };
  if (!store) {
    if (store.error().code == Errc::kCorruption)
      return broken("the database file is damaged: " + store.error().message);
    std::cerr << "zhidu verify: " << store.error().message << "\n";
    return 2;
  }
  // One seq range per core, checked in parallel (docs/journal_format.md §Verify).
  int threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  auto report = store::VerifyJournal(**store, threads, 50'000, options);
  if (!report) {
    // A page SQLite cannot read is a damaged file, not an operational error.
    if (report.error().code == Errc::kCorruption)
      return broken("the database file is damaged: " + report.error().message);
    std::cerr << "zhidu verify: " << report.error().message << "\n";
    return 2;
  }
  if (!report->ok) {
    if (report->bad_seq == 0) return broken(report->problem);
    std::cout << "journal BROKEN at record " << report->bad_seq << ": " << report->problem << "\n";
    return 1;
  }
  std::cout << "journal intact: " << report->records << " records, head " << report->records << ":"
            << ToHex(report->head);
  if (!options.anchors.empty()) std::cout << "; the anchor is record " << report->anchor_seq;
  std::cout << "\n";
  return 0;
}

int CreateUser(const StoreLocation& where, const std::string& username, const std::string& role,
               const std::string& password, const std::filesystem::path& policies) {
  DataDirLock lock;
  if (where.database_url.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(where.data_dir, ec);
    if (auto locked = lock.Acquire(where.data_dir); !locked) {
      std::cerr << "zhidu: " << locked.error().message << " (stop the server first)\n";
      return 2;
    }
  }
  auto store = OpenStore(where, true, true);
  if (!store) {
    std::cerr << "zhidu: " << store.error().message << "\n";
    return 2;
  }
  SystemClock clock;
  store::Writer writer(**store, clock);
  org::RoleCatalogue roles;
  // The roles are the pack's: a role it does not define is refused by CreateAccount below.
  auto dir = policies.empty() ? DefaultPolicies() : policies;
  policy::LoadReport report;
  auto pack = policy::LoadPack(dir, &report, PackLoadOptions());
  if (!pack) {
    std::cerr << "zhidu: the policy pack " << dir.string() << " has errors:\n"
              << report.ToString() << "\n";
    return 2;
  }
  DefineRoles(roles, &*pack);
  org::AuthService auth(**store, writer, clock, roles);
  org::NewAccount in{username, password, 0, {{0, 0, role, "global", 0}}};
  auto created = auth.CreateAccount(nullptr, in);
  if (!created) {
    std::cerr << "zhidu: " << created.error().message << "\n";
    return 2;
  }
  std::cout << "created account " << created->username << " (id " << created->id << ", role "
            << role << ")\n";
  return 0;
}

int PrintRoutes() {
  api::Api api_handler(api::ApiDeps{});
  auto modules = AllModules();
  (void)MountModules(modules, api_handler);
  for (const auto& r : api_handler.router().routes())
    std::cout << r.method << " " << r.pattern << "\n";
  return 0;
}

}  // namespace zhidu::app
