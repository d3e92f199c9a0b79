// The composition root: opens the store named by the options, builds the kernel services and
// the API, and runs the server. The only place that names a concrete storage backend.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::app {

struct StoreLocation {
  std::filesystem::path data_dir;
  std::string database_url;  // empty: SQLite file DATA/zhidu.db
};

// Opens and migrates the store. `create` false refuses to create a missing SQLite file.
Result<std::unique_ptr<store::Store>> OpenStore(const StoreLocation& where, bool create,
                                                bool migrate);

struct ServeOptions {
  StoreLocation store;
  std::string listen = "127.0.0.1:8080";
  std::filesystem::path policies;
  std::filesystem::path web_root;
  bool demo = false;
  std::string node_id;          // scheduler node id; empty: host/pid/random
  int timer_lease_ms = 30'000;  // a timer claim's lease (a crashed node's claims wait this long)
  // A webhook channel's delivery lease (kernel/notify/webhooks.hpp): a crashed node's channels
  // wait this long before another node sends for them. At least twice the 5 s HTTP budget.
  int webhook_lease_ms = 30'000;
  // Non-empty: run on a manual test clock starting at this ISO 8601 time, moved only by
  // POST /api/v1/test/clock (scenario tests at an accelerated clock). Never in production.
  std::string test_clock;
  // Alarm ingest from MQTT: broker "host:port" (empty: none) and the topic pattern to subscribe.
  std::string mqtt;
  std::string mqtt_topic = "zhidu/+/alarms";
  // The MQTT shared-subscription group ($share/<group>/<topic>): nodes in one group receive each
  // message once between them. Empty: a plain subscription (every node gets every message).
  std::string mqtt_group = "zhidu";
  // The SMS relay the lounge's follow-up (R15 第十五条 短信回访) is POSTed to; empty: none.
  std::string sms_url;
  // A PEM file of CA certificates trusted for outbound https:// (robots, the SMS relay) besides
  // the system's: a company's private CA. Empty: the system's only.
  std::filesystem::path tls_ca_file;
  // GB/T 26875.3 receiver "host:port" (empty: none) and the YAML file mapping field devices
  // (fire-panel components, Modbus polls) to alarm points (docs/operations.md).
  std::string gb26875_listen;
  std::string field_devices;
  // Alarm repeats of a point within this many seconds merge into one duty-log entry.
  int alarm_aggregation_s = 600;
  // The longest shelving of an alarm, in minutes.
  int alarm_max_shelve_min = 24 * 60;
  int web_form_per_hour = 30;  // submissions per public web form and hour (our figure)
  // The largest photo upload (POST /api/v1/photos), in bytes; larger ones get 413.
  std::int64_t photo_max_bytes = 10 << 20;
  // Board answers kept between writes (api/read_cache.hpp); 0: off.
  std::int64_t read_cache_entries = 1024;
  // Principals of API tokens kept between writes (api/generation_cache.hpp); 0: off.
  std::int64_t principal_cache_entries = 4096;
  // Mark the session cookie Secure; unset: on unless the listen host is loopback.
  std::optional<bool> secure_cookies;
  // A file holding the bearer token GET /metrics requires; empty: /metrics answers anyone who
  // reaches the server (as before; fine on a loopback --listen).
  std::filesystem::path metrics_token_file;
  // Reverse proxies whose X-Forwarded-For is believed (sign-in delays per client address).
  std::vector<std::string> trusted_proxies;
  // Password checks (argon2id, 64 MiB each) at once; more are refused with 503 and Retry-After.
  int max_password_checks = 4;
  // The access log (api/access_log.hpp): one JSON line per request with its X-Request-Id, to
  // stderr or appended to `log_file`; `access_log` false: none.
  bool access_log = true;
  std::filesystem::path log_file;
  // Tests only: argon2id at libsodium's minimum cost, so that seeding ~30 demo accounts takes
  // milliseconds, not seconds (each interactive hash is 64 MiB). Refused unless --listen is a
  // loopback address; the weak hashes stay in the data and are verified as they were made.
  bool test_fast_password_hashing = false;
};

// policies/cn-default of the working directory or of the source tree the binary was built in,
// or $ZHIDU_POLICIES.
std::filesystem::path DefaultPolicies();

int Serve(const ServeOptions& options);
// Exit 0 intact, 1 broken (the chain, an anchor, the recorded head, the file), 2 error. Each
// anchor is "HASH" or "SEQ:HASH" of a record an auditor noted (store::ParseAnchor).
int Verify(const StoreLocation& where, const std::vector<std::string>& anchors = {});
// `role` must be `admin` or a role of the pack in `policies` (default DefaultPolicies()).
int CreateUser(const StoreLocation& where, const std::string& username, const std::string& role,
               const std::string& password, const std::filesystem::path& policies = {});
int PrintRoutes();

}  // namespace zhidu::app
