// zhidu: serve, verify, backup, restore, admin and policy commands. Exit codes: 0 ok, 1 the checked
// thing is bad (verify: journal broken; policy check: errors), 2 usage or operational error.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/backup.hpp"
#include "app/policy_cli.hpp"
#include "app/server.hpp"

int main(int argc, char** argv) {
  using namespace zhidu::app;
  CLI::App app{"zhidu (制度): workplace regulations made executable"};
  app.require_subcommand(1);
  int exit_code = 0;

  ServeOptions serve;
  std::string data_dir, database;
  auto* serve_cmd = app.add_subcommand("serve", "Run the zhidu server");
  serve_cmd
      ->add_option("--data", data_dir, "Data directory (SQLite file, uploads, demo credentials)")
      ->required();
  serve_cmd->add_option("--listen", serve.listen, "host:port to listen on")->capture_default_str();
  serve_cmd
      ->add_option("--database", database,
                   "postgresql://… to use PostgreSQL instead of SQLite (or $ZHIDU_DATABASE)")
      ->envname("ZHIDU_DATABASE");
  serve_cmd->add_option("--policies", serve.policies,
                        "Policy pack directory (default policies/cn-default)");
  serve_cmd->add_option("--web", serve.web_root, "Built web console directory (default web/dist)");
  serve_cmd->add_flag("--demo", serve.demo, "Seed a demo company and print its credentials");
  serve_cmd->add_option("--node-id", serve.node_id, "Scheduler node id (default host/pid/random)");
  serve_cmd
      ->add_option("--timer-lease-ms", serve.timer_lease_ms, "How long a timer claim is exclusive")
      ->capture_default_str();
  serve_cmd
      ->add_option("--webhook-lease-ms", serve.webhook_lease_ms,
                   "How long a node's claim on a webhook channel is exclusive")
      ->capture_default_str()
      ->check(CLI::Range(1000, 3'600'000));
  serve_cmd->add_option("--test-clock", serve.test_clock,
                        "Run on a manual test clock from this ISO 8601 time (scenario tests only)");
  serve_cmd->add_option("--mqtt", serve.mqtt, "MQTT broker host:port to take alarms from");
  serve_cmd->add_option(
      "--sms-url", serve.sms_url,
      "http:// or https:// URL of the SMS relay the lounge's follow-up goes to (docs/lounge.md)");
  serve_cmd->add_option("--tls-ca-file", serve.tls_ca_file,
                        "PEM file of CA certificates trusted for outbound https:// (robots, SMS "
                        "relay) besides the system's, e.g. a private CA");
  serve_cmd->add_option("--gb26875-listen", serve.gb26875_listen,
                        "host:port to receive GB/T 26875.3 fire-alarm transmission frames on "
                        "(docs/operations.md; off by default)");
  serve_cmd->add_option("--field-devices", serve.field_devices,
                        "YAML file mapping fire-panel components and Modbus polls to alarm points "
                        "(docs/operations.md)");
  serve_cmd->add_option("--mqtt-topic", serve.mqtt_topic, "MQTT topic pattern of alarm messages")
      ->capture_default_str();
  serve_cmd
      ->add_option("--mqtt-group", serve.mqtt_group,
                   "MQTT shared-subscription group: the nodes of one group each get a share of "
                   "the messages, so each is ingested once (\"\": every node gets every message)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--alarm-aggregation", serve.alarm_aggregation_s,
                   "Seconds within which repeats of an alarm merge into one duty-log entry")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  serve_cmd
      ->add_option("--alarm-max-shelve", serve.alarm_max_shelve_min,
                   "Longest shelving of an alarm, in minutes")
      ->capture_default_str()
      ->check(CLI::Range(1, 7 * 24 * 60));
  serve_cmd
      ->add_option("--web-form-per-hour", serve.web_form_per_hour,
                   "Submissions a public web form takes per hour before it answers 429 (0: no "
                   "limit; our figure, not a regulation's)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  serve_cmd
      ->add_option("--photo-max-bytes", serve.photo_max_bytes,
                   "Largest photo upload in bytes (larger ones get 413)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{256} << 20));
  serve_cmd
      ->add_option("--read-cache-entries", serve.read_cache_entries,
                   "Answers of the duty board's reads kept between writes (0: no cache)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 20));
  serve_cmd
      ->add_option("--principal-cache-entries", serve.principal_cache_entries,
                   "API tokens whose account and roles are kept between writes (0: no cache)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 20));
  serve_cmd->add_option("--metrics-token-file", serve.metrics_token_file,
                        "File holding the token GET /metrics then requires as "
                        "'Authorization: Bearer TOKEN' (without it /metrics is open)");
  serve_cmd->add_option("--trusted-proxy", serve.trusted_proxies,
                        "Address of a reverse proxy whose X-Forwarded-For names the client "
                        "(repeatable; from other peers the header is ignored)");
  serve_cmd->add_option("--log-file", serve.log_file,
                        "Append the access log (one JSON line per request, with its "
                        "X-Request-Id) to this file instead of standard error");
  serve_cmd->add_flag("!--no-access-log", serve.access_log, "Write no access log");
  serve_cmd
      ->add_option("--max-password-checks", serve.max_password_checks,
                   "Passwords checked at once (argon2id, 64 MiB each); more get 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve_cmd->add_flag("--test-fast-password-hashing", serve.test_fast_password_hashing,
                      "Hash passwords at the minimum cost (tests only; loopback --listen only)");
  bool secure_cookies = false, insecure_cookies = false;
  auto* secure = serve_cmd->add_flag(
      "--secure-cookies", secure_cookies,
      "Mark the session cookie Secure (the default unless --listen is a loopback address)");
  serve_cmd
      ->add_flag("--no-secure-cookies", insecure_cookies,
                 "Do not mark it Secure even beyond loopback (plain HTTP on a trusted network)")
      ->excludes(secure);
  serve_cmd->callback([&] {
    if (secure_cookies || insecure_cookies) serve.secure_cookies = secure_cookies;
    serve.store = {data_dir, database};
    exit_code = Serve(serve);
  });

  auto* verify_cmd = app.add_subcommand("verify", "Verify the hash-chained journal");
  verify_cmd->add_option("--data", data_dir, "Data directory")->required();
  verify_cmd
      ->add_option("--database", database,
                   "postgresql://… when the server uses PostgreSQL (or $ZHIDU_DATABASE)")
      ->envname("ZHIDU_DATABASE");
  std::vector<std::string> anchors;
  verify_cmd->add_option("--anchor", anchors,
                         "A head verify printed before (SEQ:HASH, or HASH): broken unless the "
                         "journal still holds that record unchanged");
  verify_cmd->callback([&] { exit_code = Verify({data_dir, database}, anchors); });

  std::string backup_file;
  auto* backup_cmd = app.add_subcommand(
      "backup", "Copy the SQLite database of a data directory while the server runs, verified");
  backup_cmd->add_option("--data-dir,--data", data_dir, "Data directory")->required();
  backup_cmd->add_option("--out", backup_file, "The backup file to write (must not exist)")
      ->required();
  backup_cmd->callback([&] { exit_code = Backup(data_dir, backup_file); });

  auto* restore_cmd = app.add_subcommand(
      "restore", "Put a verified backup in place of a stopped server's SQLite database");
  restore_cmd->add_option("--data-dir,--data", data_dir, "Data directory")->required();
  restore_cmd->add_option("--from", backup_file, "The backup file zhidu backup wrote")->required();
  restore_cmd->callback([&] { exit_code = Restore(data_dir, backup_file); });

  auto* admin = app.add_subcommand("admin", "Administration");
  admin->require_subcommand(1);
  std::string username, role, user_policies;
  bool password_stdin = false;
  auto* create_user = admin->add_subcommand("create-user", "Create an account");
  create_user->add_option("--data", data_dir, "Data directory")->required();
  create_user
      ->add_option("--database", database,
                   "postgresql://… when the server uses PostgreSQL (or $ZHIDU_DATABASE)")
      ->envname("ZHIDU_DATABASE");
  create_user->add_option("--username", username, "Username")->required();
  create_user->add_option("--role", role, "Role: admin, or a role of the policy pack")->required();
  create_user->add_option("--policies", user_policies,
                          "Policy pack the server runs (default policies/cn-default)");
  create_user->add_flag("--password-stdin", password_stdin, "Read the password from standard input")
      ->required();
  create_user->callback([&] {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    exit_code = CreateUser({data_dir, database}, username, role, password, user_policies);
  });

  auto* routes = app.add_subcommand("routes", "Print the API routes (METHOD PATTERN per line)");
  routes->callback([&] { exit_code = PrintRoutes(); });

  AddPolicyCommands(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
