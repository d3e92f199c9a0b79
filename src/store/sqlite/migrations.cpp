#include "store/sqlite/migrations.hpp"

namespace zhidu::store {

const std::vector<const char*>& SqliteMigrations() {
  static const std::vector<const char*> kMigrations = {
      // 1: organisation, accounts, sessions, idempotency, journal
      R"sql(
CREATE TABLE sites(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  time_zone TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE departments(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  name TEXT NOT NULL,
  UNIQUE(site_id, name));
CREATE TABLE teams(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  department_id INTEGER REFERENCES departments(id),
  name TEXT NOT NULL,
  UNIQUE(site_id, name));
CREATE TABLE posts(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  department_id INTEGER REFERENCES departments(id),
  name TEXT NOT NULL,
  UNIQUE(site_id, name));
CREATE TABLE people(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  department_id INTEGER REFERENCES departments(id),
  team_id INTEGER REFERENCES teams(id),
  name TEXT NOT NULL,
  employee_no TEXT UNIQUE,
  phone TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL);
CREATE TABLE certifications(
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id),
  kind TEXT NOT NULL,
  number TEXT NOT NULL,
  expires_on TEXT NOT NULL DEFAULT '');
CREATE INDEX certifications_person ON certifications(person_id);
CREATE TABLE accounts(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  person_id INTEGER REFERENCES people(id),
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE TABLE role_grants(
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  role TEXT NOT NULL,
  scope_kind TEXT NOT NULL,
  scope_id INTEGER NOT NULL DEFAULT 0,
  UNIQUE(account_id, role, scope_kind, scope_id));
CREATE TABLE sessions(
  token_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE TABLE api_tokens(
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE idempotency(
  account_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(account_id, key));
CREATE TABLE journal(
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor INTEGER NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL);
)sql",
      // 2: durable timers (kernel/scheduler)
      R"sql(
CREATE TABLE timers(
  id INTEGER PRIMARY KEY,
  site_id INTEGER REFERENCES sites(id),
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK(state IN ('pending','claimed','fired','cancelled','failed')),
  claimed_by TEXT NOT NULL DEFAULT '',
  lease_until INTEGER NOT NULL DEFAULT 0,
  fired_at INTEGER NOT NULL DEFAULT 0,
  late INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE INDEX timers_state_due ON timers(state, due_at);
CREATE INDEX timers_subject ON timers(subject, id);
)sql",
      // 3: runtime — duty instances, attendance, violations, approvals (kernel/runtime)
      R"sql(
CREATE TABLE duty_instances(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  post_id INTEGER NOT NULL REFERENCES posts(id),
  duty TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  key TEXT NOT NULL UNIQUE,
  due_at BIGINT NOT NULL,
  window_end BIGINT NOT NULL,
  miss_at BIGINT NOT NULL,
  required INTEGER NOT NULL DEFAULT 1,
  completions INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK(state IN
    ('scheduled','due','in_progress','done','late','missed','cancelled')),
  started_by BIGINT NOT NULL DEFAULT 0,
  started_at BIGINT NOT NULL DEFAULT 0,
  completed_by BIGINT NOT NULL DEFAULT 0,
  completed_person BIGINT NOT NULL DEFAULT 0,
  completed_at BIGINT NOT NULL DEFAULT 0,
  answers TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL);
CREATE INDEX duty_instances_site_due ON duty_instances(site_id, due_at);
CREATE INDEX duty_instances_post_due ON duty_instances(post_id, due_at);
CREATE TABLE attendance(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  post_id INTEGER NOT NULL REFERENCES posts(id),
  person_id INTEGER NOT NULL REFERENCES people(id),
  started_at BIGINT NOT NULL,
  ended_at BIGINT NOT NULL DEFAULT 0,
  relieved_by BIGINT NOT NULL DEFAULT 0);
CREATE INDEX attendance_post ON attendance(post_id, started_at);
CREATE INDEX attendance_person ON attendance(person_id, started_at);
CREATE TABLE violations(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  person_id BIGINT NOT NULL DEFAULT 0,
  department_id BIGINT NOT NULL DEFAULT 0,
  post_id BIGINT NOT NULL DEFAULT 0,
  code TEXT NOT NULL,
  clauses TEXT NOT NULL,
  source TEXT NOT NULL CHECK(source IN ('auto','inspector')),
  subject TEXT NOT NULL DEFAULT '',
  occurred_at BIGINT NOT NULL,
  recorded_by BIGINT NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  occurrence INTEGER NOT NULL,
  consequence TEXT NOT NULL,
  fine_fen BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK(state IN ('recorded','appealed','upheld','overturned')),
  appeal TEXT NOT NULL DEFAULT '',
  appealed_at BIGINT NOT NULL DEFAULT 0,
  decided_by BIGINT NOT NULL DEFAULT 0,
  decided_at BIGINT NOT NULL DEFAULT 0,
  decision_note TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL);
CREATE INDEX violations_person_code ON violations(person_id, code, occurred_at);
CREATE INDEX violations_site_time ON violations(site_id, occurred_at);
CREATE TABLE approval_requests(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  type TEXT NOT NULL,
  applicant BIGINT NOT NULL,
  applicant_person BIGINT NOT NULL DEFAULT 0,
  inputs TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK(state IN ('pending','approved','rejected','withdrawn')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL);
CREATE INDEX approval_requests_site_state ON approval_requests(site_id, state, id);
CREATE TABLE approval_decisions(
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES approval_requests(id),
  step TEXT NOT NULL,
  account_id BIGINT NOT NULL,
  approve INTEGER NOT NULL,
  signed INTEGER NOT NULL,
  escort_person BIGINT NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  at BIGINT NOT NULL,
  UNIQUE(request_id, step));
)sql",
      // 4: site parameters (kernel/policy/parameters.hpp)
      R"sql(
CREATE TABLE site_parameters(
  site_id INTEGER NOT NULL REFERENCES sites(id),
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_by BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY(site_id, name));
)sql",
      // 5: webhook channels (kernel/notify)
      R"sql(
CREATE TABLE webhook_channels(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  format TEXT NOT NULL CHECK(format IN ('wecom','dingtalk','feishu')),
  url TEXT NOT NULL,
  kinds TEXT NOT NULL,
  site_id INTEGER REFERENCES sites(id),
  created_by INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX webhook_channels_enabled_name ON webhook_channels(name) WHERE disabled=0;
)sql",
      // 6-9: taken by other branches (rosters, duty log, …); replaced when they merge.
      "SELECT 1",
      "SELECT 1",
      "SELECT 1",
      "SELECT 1",
      // 10: handovers (kernel/handover)
      R"sql(
CREATE TABLE handovers(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  post_id INTEGER NOT NULL REFERENCES posts(id),
  checklists TEXT NOT NULL,
  shift_change BIGINT NOT NULL,
  report_from BIGINT NOT NULL,
  outgoing_person BIGINT NOT NULL,
  incoming_person BIGINT NOT NULL,
  opened_by BIGINT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('open','refused','completed')),
  opened_at BIGINT NOT NULL,
  report TEXT NOT NULL,
  report_sha256 TEXT NOT NULL,
  answers TEXT NOT NULL,
  acknowledgements TEXT NOT NULL,
  signatures TEXT NOT NULL,
  refusal TEXT NOT NULL DEFAULT '',
  seal_sha256 TEXT NOT NULL DEFAULT '',
  closed_at BIGINT NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX handovers_one_open ON handovers(post_id) WHERE state='open';
CREATE INDEX handovers_post_state ON handovers(post_id, state, id);
)sql",
  };
  return kMigrations;
}

}  // namespace zhidu::store
