#include "app/server.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "api/api.hpp"
#include "api/http_server.hpp"
#include "api/mqtt_ingest.hpp"
#include "api/notify_webhooks.hpp"
#include "app/demo.hpp"
#include "app/roles.hpp"
#include "base/canonical_json.hpp"
#include "base/clock.hpp"
#include "base/time.hpp"
#include "kernel/handover/handover.hpp"
#include "kernel/notify/event_feed.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/org_service.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/repairs/photos.hpp"
#include "kernel/repairs/repairs.hpp"
#include "kernel/roster/roster.hpp"
#include "kernel/runtime/duties.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/procedures.hpp"
#include "kernel/runtime/requests.hpp"
#include "kernel/scheduler/reminders.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "kernel/visits/visits.hpp"
#include "store/journal.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/writer.hpp"

namespace zhidu::app {

namespace {

std::filesystem::path SqlitePath(const StoreLocation& where) { return where.data_dir / "zhidu.db"; }

// Holds an exclusive lock on DATA/zhidu.lock for the life of the process, so that two servers
// never share one SQLite data directory.
class DataDirLock {
 public:
  Result<void> Acquire(const std::filesystem::path& dir) {
    auto path = dir / "zhidu.lock";
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0) return Fail(Errc::kUnavailable, "cannot open " + path.string());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0)
      return Fail(Errc::kUnavailable, "another zhidu process is using " + dir.string());
    return Ok();
  }
  ~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

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
  auto active_or = policy::ActivePack::Open(policies_dir, &load_report);
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
  org::AuthService auth(store, writer, clock, roles);
  org::OrgService org_service(store, writer, roles);
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

  if (options.demo) {
    auto seeded = SeedDemo(store, auth, org_service, options.store.data_dir);
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
  runtime::Duties duties(store, writer, timer_scheduler, active_pack, roles);
  duties.RegisterHandlers();
  // Shift duties (交接班检查, 每班 forms) follow the published roster (docs/runtime.md).
  duties.SetShiftCalendar([](store::UnitOfWork& unit, store::Id post_id, TimePoint from,
                             TimePoint to) -> Result<std::vector<runtime::ShiftWindow>> {
    ZHIDU_TRY(auto slots, roster::PublishedShiftStarts(unit, post_id, from, to));
    std::vector<runtime::ShiftWindow> out;
    for (const auto& s : slots) out.push_back({s.starts_at, s.ends_at});
    return out;
  });
  runtime::Ledger ledger(store, writer, active_pack, roles);
  runtime::SiteParameters site_parameters(store, writer, active_pack, roles);
  runtime::Procedures procedures(store, writer, timer_scheduler, active_pack, roles);
  procedures.RegisterHandlers();
  // Duties raised by site events (on: maintenance_due, visitors_left …; docs/runtime.md).
  procedures.SetEventDuties(
      [&duties](store::Tx& tx, const runtime::SiteEvent& e, std::int64_t key) {
        return duties.StartForEvent(tx, e, key);
      });
  if (auto planning = duties.EnsurePlanning(); !planning) {
    std::cerr << "zhidu: duty planning: " << planning.error().message << "\n";
    return 2;
  }
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
  runtime::Requests requests(store, writer, auth, roles, active_pack);
  roster::Rosters rosters(store, writer, active_pack, roles);
  if (options.demo) {
    auto seeded = SeedDemoRosters(store, rosters, clock);
    if (!seeded) {
      std::cerr << "zhidu: demo roster seeding failed: " << seeded.error().message << "\n";
      return 2;
    }
  }

  // The control room: duty log (值班记录) and alarms (报警).
  dutylog::DutyLog duty_log(store, writer, roles, active_pack);
  alarms::AlarmOptions alarm_options;
  alarm_options.aggregation_window = std::chrono::seconds(options.alarm_aggregation_s);
  alarm_options.max_shelve = std::chrono::minutes(options.alarm_max_shelve_min);
  alarms::Alarms alarm_service(store, writer, timer_scheduler, roles, clock, alarm_options);
  alarm_service.RegisterHandlers();
  alarm_service.SetPack(&active_pack);
  // R02 §二4: a SCADA activation raises the site event "scada_alarm", which starts the pack's
  // r02-scada-fault procedure (observe, escalate when not cleared). After the activation commits;
  // a failure to raise is logged, the alarm itself stands (docs/alarms.md).
  alarm_service.SetScadaObserver([&](const store::AlarmPoint& point, TimePoint) {
    runtime::SiteEvent event{
        point.site_id, "scada_alarm", point.title, "alarm-point/" + std::to_string(point.id), {}};
    auto raised = writer.Run<runtime::EventOutcome>(
        [&](store::Tx& tx) { return procedures.Raise(tx, event, 0); });
    if (!raised)
      std::cerr << "zhidu: scada_alarm for alarm point " << point.id << ": "
                << raised.error().message << "\n";
  });
  // The same point returning to normal raises "cleared" with the same ref, which moves the
  // procedure it started from observing to cleared (R02 §二4: 故障能自动消除则不上报).
  alarm_service.SetScadaReturnObserver([&](const store::AlarmPoint& point, TimePoint) {
    runtime::SiteEvent event{
        point.site_id, "cleared", point.title, "alarm-point/" + std::to_string(point.id), {}};
    auto raised = writer.Run<runtime::EventOutcome>(
        [&](store::Tx& tx) { return procedures.Raise(tx, event, 0); });
    if (!raised)
      std::cerr << "zhidu: cleared for alarm point " << point.id << ": " << raised.error().message
                << "\n";
  });
  std::unique_ptr<api::MqttIngest> mqtt;
  if (!options.mqtt.empty()) {
    mqtt = std::make_unique<api::MqttIngest>(alarm_service, options.mqtt, options.mqtt_topic);
    if (auto started = mqtt->Start(); !started) {
      std::cerr << "zhidu: " << started.error().message << "\n";
      return 2;
    }
  }
  metrics.SetCounter("zhidu_alarm_ingest_rejected_total",
                     "Alarm messages or events refused on MQTT (unknown point, bad payload).",
                     [&] { return static_cast<double>(alarm_service.rejected()); });
  // Repairs (报修) and content-addressed photos (docs/repairs.md).
  repairs::Repairs repair_service(store, writer, active_pack, roles);
  repairs::Photos photo_service(store, writer);
  // Handover reads the duty log and rosters through two small functions (docs/handover.md).
  handover::Handovers handovers(store, writer, auth, active_pack);
  // Visitors and footage; FootageRules' defaults name the shipped pack's footage record and
  // view requests (the pack does not type them yet; docs/visitors.md).
  visits::Visits visits(store, writer, roles, active_pack);
  visits.RaiseEventsThrough(&procedures);  // visitors_left when a place empties (R02 §一4)
  if (options.demo) {
    auto seeded = SeedDemoFootage(store, visits, clock);
    if (!seeded) {
      std::cerr << "zhidu: demo footage seeding failed: " << seeded.error().message << "\n";
      return 2;
    }
  }
  handovers.SetLogSource([&](store::Id post_id, TimePoint from,
                             TimePoint to) -> Result<std::vector<handover::LogEntry>> {
    // The next shift must read abnormal entries and alarms (R12 §四(一)3, R20 §四8).
    std::vector<handover::LogEntry> out;
    ZHIDU_TRY(auto unit, store.BeginRead());
    store::DutyLogFilter filter;
    filter.post_id = post_id;
    filter.from = from;
    filter.before = to;
    store::PageRequest page{0, 500};
    for (int pages = 0; pages < 100; ++pages) {  // newest first, ids below after_id
      ZHIDU_TRY(auto rows, unit->ListDutyLog(filter, page));
      for (const auto& e : rows)
        out.push_back({e.id, e.at, e.author_person, e.kind, e.text,
                       e.kind == "abnormal" || e.kind == "alarm"});
      if (static_cast<int>(rows.size()) < page.limit) break;
      page.after_id = rows.back().id;
    }
    std::reverse(out.begin(), out.end());
    return out;
  });
  handovers.SetRosterSource(
      [&](store::Id post_id, TimePoint at) -> Result<std::optional<std::vector<store::Id>>> {
        ZHIDU_TRY(auto slot, rosters.ShiftCovering(post_id, at));
        if (!slot) return std::optional<std::vector<store::Id>>();
        return std::optional<std::vector<store::Id>>(slot->person_ids);
      });

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
  notify::WebhookDispatcher webhooks(store, feed, robot_transport, clock);
  if (auto started = webhooks.Start(); !started) {
    std::cerr << "zhidu: webhooks: " << started.error().message << "\n";
    return 2;
  }
  auto webhook_total = [&webhooks](std::uint64_t notify::ChannelStats::*field) {
    return [&webhooks, field] {
      double sum = 0;
      for (const auto& [_, s] : webhooks.Stats()) sum += static_cast<double>(s.*field);
      return sum;
    };
  };
  metrics.SetCounter("zhidu_webhook_delivered_total", "Records accepted by webhook receivers.",
                     webhook_total(&notify::ChannelStats::delivered));
  metrics.SetCounter("zhidu_webhook_failed_total", "Records given up after every retry.",
                     webhook_total(&notify::ChannelStats::failed));
  metrics.SetCounter("zhidu_webhook_attempts_total", "HTTP attempts to webhook receivers.",
                     webhook_total(&notify::ChannelStats::attempts));

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
  deps.dutylog = &duty_log;
  deps.alarms = &alarm_service;
  deps.rosters = &rosters;
  deps.clock = &clock;
  deps.handovers = &handovers;
  deps.repairs = &repair_service;
  deps.photos = &photo_service;
  deps.photo_max_bytes = static_cast<size_t>(options.photo_max_bytes);
  deps.read_cache_entries = static_cast<size_t>(options.read_cache_entries);
  deps.principal_cache_entries = static_cast<size_t>(options.principal_cache_entries);
  deps.visits = &visits;
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
  api::Api api_handler(deps);

  api::ServerOptions server_options;
  server_options.host = host;
  server_options.port = port;
  server_options.body_limit_for = [&](std::string_view target) -> size_t {
    return target == "/api/v1/photos" ? deps.photo_max_bytes + 1 : 0;  // +1: the route says 413
  };
  server_options.stream_handler = [&](api::HttpRequest& r) { return api_handler.OpenStream(r); };
  server_options.on_reload = [&] {
    policy::LoadReport report;
    if (auto reloaded = reload_policy(0, &report); !reloaded)
      std::cerr << "zhidu: policy reload refused, the previous pack stays in force:\n"
                << report.ToString() << "\n";
    else
      std::cout << "zhidu: policy pack reloaded (" << active_pack.Current()->info().content_hash
                << ")" << std::endl;
  };
  api::HttpServer server(server_options,
                         [&](api::HttpRequest& r) { return api_handler.Handle(r); });
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
  if (mqtt) mqtt->Stop();
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
               const std::string& password) {
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
  auto pack = policy::LoadPack(DefaultPolicies());
  DefineRoles(roles, pack ? &*pack : nullptr);
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
  for (const auto& r : api_handler.router().routes())
    std::cout << r.method << " " << r.pattern << "\n";
  return 0;
}

}  // namespace zhidu::app
