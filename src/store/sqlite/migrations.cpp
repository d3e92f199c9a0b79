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
  };
  return kMigrations;
}

}  // namespace zhidu::store
