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
      // 6: procedures (流程实例) and deadlines (时限), kernel/runtime/procedures.hpp
      R"sql(
CREATE TABLE procedure_instances(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  procedure TEXT NOT NULL,
  state TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  ref TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL,
  notes TEXT NOT NULL,
  person_id BIGINT NOT NULL DEFAULT 0,
  started_by BIGINT NOT NULL DEFAULT 0,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  closed_at BIGINT NOT NULL DEFAULT 0);
CREATE INDEX procedure_instances_site ON procedure_instances(site_id, closed_at, id);
CREATE INDEX procedure_instances_ref ON procedure_instances(site_id, ref);
CREATE TABLE procedure_transitions(
  id INTEGER PRIMARY KEY,
  instance_id INTEGER NOT NULL REFERENCES procedure_instances(id),
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  event TEXT NOT NULL,
  account_id BIGINT NOT NULL DEFAULT 0,
  person_id BIGINT NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  inputs TEXT NOT NULL,
  at BIGINT NOT NULL);
CREATE INDEX procedure_transitions_instance ON procedure_transitions(instance_id, id);
CREATE TABLE procedure_tasks(
  id INTEGER PRIMARY KEY,
  instance_id INTEGER NOT NULL REFERENCES procedure_instances(id),
  state TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('assignment','action')),
  task TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT '',
  slot INTEGER NOT NULL DEFAULT 0,
  person_id BIGINT NOT NULL DEFAULT 0,
  assigned_by BIGINT NOT NULL DEFAULT 0,
  assigned_at BIGINT NOT NULL DEFAULT 0,
  done_by BIGINT NOT NULL DEFAULT 0,
  done_at BIGINT NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  UNIQUE(instance_id, state, kind, task, slot));
CREATE UNIQUE INDEX procedure_tasks_distinct_people ON procedure_tasks(instance_id, state, person_id)
  WHERE kind='assignment' AND person_id<>0;
CREATE TABLE deadlines(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  service_level TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  ref TEXT NOT NULL DEFAULT '',
  person_id BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK(state IN ('open','met','met_late','breached','not_started')),
  data TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  started_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL DEFAULT 0,
  stopped_at BIGINT NOT NULL DEFAULT 0,
  breached_at BIGINT NOT NULL DEFAULT 0,
  started_by BIGINT NOT NULL DEFAULT 0,
  stopped_by BIGINT NOT NULL DEFAULT 0);
CREATE INDEX deadlines_site_state ON deadlines(site_id, state, id);
CREATE INDEX deadlines_ref ON deadlines(site_id, ref);
)sql",
      // 7: rosters (kernel/roster)
      R"sql(
CREATE TABLE rosters(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  post_id INTEGER NOT NULL REFERENCES posts(id),
  pattern TEXT NOT NULL,
  team_ids TEXT NOT NULL,
  first_day TEXT NOT NULL,
  last_day TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('draft','published')),
  created_by BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  published_by BIGINT NOT NULL DEFAULT 0,
  published_at BIGINT NOT NULL DEFAULT 0);
CREATE INDEX rosters_site ON rosters(site_id, id);
CREATE TABLE roster_assignments(
  id INTEGER PRIMARY KEY,
  roster_id INTEGER NOT NULL REFERENCES rosters(id),
  site_id INTEGER NOT NULL REFERENCES sites(id),
  post_id INTEGER NOT NULL REFERENCES posts(id),
  person_id INTEGER NOT NULL REFERENCES people(id),
  team_id BIGINT NOT NULL DEFAULT 0,
  shift TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('active','swapped','leave','substituted','removed')),
  origin TEXT NOT NULL CHECK(origin IN ('generated','added','swap','substitution')),
  replaces BIGINT NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  CHECK(ends_at > starts_at));
CREATE INDEX roster_assignments_roster ON roster_assignments(roster_id, starts_at);
CREATE INDEX roster_assignments_person ON roster_assignments(person_id, starts_at);
CREATE INDEX roster_assignments_post ON roster_assignments(post_id, starts_at);
CREATE TABLE roster_swaps(
  id INTEGER PRIMARY KEY,
  roster_id INTEGER NOT NULL REFERENCES rosters(id),
  site_id INTEGER NOT NULL REFERENCES sites(id),
  requester_person BIGINT NOT NULL,
  requester_assignment BIGINT NOT NULL,
  colleague_person BIGINT NOT NULL,
  colleague_assignment BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK(state IN ('pending','approved','rejected')),
  requested_by BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  decided_by BIGINT NOT NULL DEFAULT 0,
  decided_at BIGINT NOT NULL DEFAULT 0,
  decision_note TEXT NOT NULL DEFAULT '');
CREATE TABLE ical_tokens(
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id),
  token_hash TEXT NOT NULL UNIQUE,
  created_by BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0);
)sql",
      // 8: duty log (kernel/dutylog) with its bigram index, alarms (kernel/alarms)
      R"sql(
CREATE TABLE duty_log(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  post_id BIGINT NOT NULL DEFAULT 0,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  author BIGINT NOT NULL DEFAULT 0,
  author_person BIGINT NOT NULL DEFAULT 0,
  at BIGINT NOT NULL,
  corrects BIGINT NOT NULL DEFAULT 0,
  ref TEXT NOT NULL DEFAULT '',
  repeat_count INTEGER NOT NULL DEFAULT 1,
  last_at BIGINT NOT NULL);
CREATE INDEX duty_log_site_at ON duty_log(site_id, at);
CREATE TRIGGER duty_log_no_delete BEFORE DELETE ON duty_log
  BEGIN SELECT RAISE(ABORT, 'the duty log is append-only'); END;
CREATE TRIGGER duty_log_no_edit BEFORE UPDATE OF site_id, post_id, kind, text, author, at,
  corrects, ref ON duty_log BEGIN SELECT RAISE(ABORT, 'the duty log is append-only'); END;
-- bi: CJK bigrams in order (runs separated by the token "x"), uni: single CJK characters and
-- Latin words; fed by the store, rowid = duty_log.id.
CREATE VIRTUAL TABLE duty_log_fts USING fts5(bi, uni, content='', tokenize='unicode61 remove_diacritics 0');
CREATE TABLE alarm_points(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  post_id BIGINT NOT NULL DEFAULT 0,
  source TEXT NOT NULL,
  tag TEXT NOT NULL,
  title TEXT NOT NULL,
  kind TEXT NOT NULL,
  priority INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('normal','active_unack','active_ack','rtn_unack')),
  active_since BIGINT NOT NULL DEFAULT 0,
  changed_at BIGINT NOT NULL DEFAULT 0,
  shelved_until BIGINT NOT NULL DEFAULT 0,
  shelve_reason TEXT NOT NULL DEFAULT '',
  shelved_by BIGINT NOT NULL DEFAULT 0,
  shelve_timer BIGINT NOT NULL DEFAULT 0,
  suppressed INTEGER NOT NULL DEFAULT 0,
  suppress_reason TEXT NOT NULL DEFAULT '',
  log_entry_id BIGINT NOT NULL DEFAULT 0,
  log_window_start BIGINT NOT NULL DEFAULT 0,
  activations BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE(source, tag));
CREATE INDEX alarm_points_site ON alarm_points(site_id, state);
CREATE TABLE alarm_activations(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  point_id INTEGER NOT NULL REFERENCES alarm_points(id),
  post_id BIGINT NOT NULL DEFAULT 0,
  at BIGINT NOT NULL,
  value TEXT NOT NULL,
  annunciated INTEGER NOT NULL);
CREATE INDEX alarm_activations_site_at ON alarm_activations(site_id, at);
)sql",
      // 9: unused (a number reserved while branches were merged); a no-op
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
      // 11: visits (来访) and footage segments (录像), kernel/visits
      R"sql(
CREATE TABLE visits(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  place TEXT NOT NULL,
  request_id INTEGER NOT NULL UNIQUE REFERENCES approval_requests(id),
  request_type TEXT NOT NULL,
  visitor_name TEXT NOT NULL,
  company TEXT NOT NULL,
  reason TEXT NOT NULL,
  escort_person BIGINT NOT NULL DEFAULT 0,
  approver BIGINT NOT NULL DEFAULT 0,
  record TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('registered','entered','exited')),
  registered_by BIGINT NOT NULL,
  registered_at BIGINT NOT NULL,
  entered_by BIGINT NOT NULL DEFAULT 0,
  entered_at BIGINT NOT NULL DEFAULT 0,
  exited_by BIGINT NOT NULL DEFAULT 0,
  exited_at BIGINT NOT NULL DEFAULT 0);
CREATE INDEX visits_site_state ON visits(site_id, state, id);
CREATE TABLE footage_segments(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  camera TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL CHECK(ends_at > starts_at),
  storage_ref TEXT NOT NULL,
  tape TEXT NOT NULL DEFAULT '',
  registered_by BIGINT NOT NULL,
  registered_at BIGINT NOT NULL,
  deleted_by BIGINT NOT NULL DEFAULT 0,
  deleted_at BIGINT NOT NULL DEFAULT 0);
CREATE INDEX footage_site_camera ON footage_segments(site_id, camera, id);
)sql",
      // 12: repairs (报修) and content-addressed photos (kernel/repairs)
      R"sql(
CREATE TABLE repairs(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  what TEXT NOT NULL,
  description TEXT NOT NULL,
  source_kind TEXT NOT NULL CHECK(source_kind IN ('checklist','procedure','alarm','manual')),
  source_id BIGINT NOT NULL DEFAULT 0,
  source_item TEXT NOT NULL DEFAULT '',
  clauses TEXT NOT NULL,
  reported_by BIGINT NOT NULL,
  reporter_person BIGINT NOT NULL DEFAULT 0,
  reporter_post BIGINT NOT NULL DEFAULT 0,
  assignee_role TEXT NOT NULL DEFAULT '',
  assignee_person BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK(state IN ('open','assigned','in_progress','fixed','closed','cancelled')),
  note TEXT NOT NULL DEFAULT '',
  history TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  fixed_at BIGINT NOT NULL DEFAULT 0,
  closed_at BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL);
CREATE INDEX repairs_site_state ON repairs(site_id, state, id);
CREATE TABLE photos(
  sha256 TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  data BLOB NOT NULL,
  stored_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL);
)sql",
      // 13: what a post may require of its holder (R20 §二1): birth date and education
      R"sql(
ALTER TABLE people ADD COLUMN birth_date TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN education TEXT NOT NULL DEFAULT '';
)sql",
      // 14: hardening (docs/security.md). The journal's seq must be positive: SQLite cannot add a
      // CHECK to an existing table, so two triggers refuse the row instead. journal_head keeps the
      // last record's seq and hash, moved by a trigger in the same transaction as every append,
      // so verify sees the last records deleted. Usernames are unique whatever their case: a
      // later account whose name differs from an earlier one's only in case is renamed
      // NAME-dupID first (ValidUsername allowed such pairs before).
      R"sql(
CREATE TRIGGER journal_seq_positive_insert BEFORE INSERT ON journal WHEN NEW.seq <= 0
BEGIN SELECT RAISE(ABORT, 'journal seq must be positive'); END;
CREATE TRIGGER journal_seq_positive_update BEFORE UPDATE OF seq ON journal WHEN NEW.seq <= 0
BEGIN SELECT RAISE(ABORT, 'journal seq must be positive'); END;
CREATE TABLE journal_head(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  seq INTEGER NOT NULL,
  hash BLOB NOT NULL);
INSERT INTO journal_head(id, seq, hash)
  SELECT 1, coalesce(max(seq), 0),
         coalesce((SELECT hash FROM journal ORDER BY seq DESC LIMIT 1), zeroblob(32))
  FROM journal;
CREATE TRIGGER journal_head_follows AFTER INSERT ON journal
BEGIN UPDATE journal_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq < NEW.seq; END;
UPDATE accounts SET username = username || '-dup' || id
  WHERE EXISTS (SELECT 1 FROM accounts a
                WHERE lower(a.username) = lower(accounts.username) AND a.id < accounts.id);
CREATE UNIQUE INDEX accounts_username_nocase ON accounts(lower(username));
)sql",
      // 15: an outside party fined without a person record (issue 16 §6: a visitor, a
      // contractor), and the open stints of a post found without reading its whole history.
      R"sql(
ALTER TABLE violations ADD COLUMN party TEXT NOT NULL DEFAULT '';
CREATE INDEX violations_party ON violations(party, code) WHERE party <> '';
CREATE INDEX attendance_open ON attendance(post_id) WHERE ended_at = 0;
)sql",
      // 16: a deadline paused while its ticket waits on the customer (issue 18 §3, a service
      // level's pause/resume events) and whether it counts working hours. SQLite cannot change a
      // CHECK, so the table is copied into one that allows the state `paused`.
      R"sql(
CREATE TABLE deadlines_v16(
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  service_level TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  ref TEXT NOT NULL DEFAULT '',
  person_id BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL
    CHECK(state IN ('open','paused','met','met_late','breached','not_started')),
  data TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  started_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL DEFAULT 0,
  stopped_at BIGINT NOT NULL DEFAULT 0,
  breached_at BIGINT NOT NULL DEFAULT 0,
  started_by BIGINT NOT NULL DEFAULT 0,
  stopped_by BIGINT NOT NULL DEFAULT 0,
  paused_at BIGINT NOT NULL DEFAULT 0,
  working_hours INTEGER NOT NULL DEFAULT 0);
INSERT INTO deadlines_v16(id, site_id, service_level, subject, ref, person_id, state, data, note,
                          started_at, due_at, stopped_at, breached_at, started_by, stopped_by)
  SELECT id, site_id, service_level, subject, ref, person_id, state, data, note, started_at,
         due_at, stopped_at, breached_at, started_by, stopped_by FROM deadlines;
DROP TABLE deadlines;
ALTER TABLE deadlines_v16 RENAME TO deadlines;
CREATE INDEX deadlines_site_state ON deadlines(site_id, state, id);
CREATE INDEX deadlines_ref ON deadlines(site_id, ref);
)sql",
      // 17: a duty-log entry's time of occurrence, when its writer records something that
      // happened before the writing (issue 17: 值班记录 "14:05 发现…" written at 14:30). 0: not
      // given.
      R"sql(
ALTER TABLE duty_log ADD COLUMN occurred_at INTEGER NOT NULL DEFAULT 0;
)sql",
      // 18: webhook delivery claimed in the database (issue 22 §5, kernel/notify/webhooks.hpp):
      // one cursor row per channel — every record up to after_seq is done for it — leased by one
      // node at a time; retries and counts live in the row. Existing channels start at the head.
      R"sql(
CREATE TABLE webhook_cursors(
  channel_id INTEGER PRIMARY KEY REFERENCES webhook_channels(id),
  after_seq INTEGER NOT NULL,
  lease_node TEXT NOT NULL DEFAULT '',
  lease_until INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  attempts_total INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0,
  last_status TEXT NOT NULL DEFAULT '',
  last_attempt_at INTEGER NOT NULL DEFAULT 0);
INSERT INTO webhook_cursors(channel_id, after_seq)
  SELECT id, (SELECT coalesce(max(seq), 0) FROM journal) FROM webhook_channels;
)sql",
  };
  return kMigrations;
}

}  // namespace zhidu::store
