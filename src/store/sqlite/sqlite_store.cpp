#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/sqlite/migrations.hpp"
#include "store/text_search.hpp"

namespace zhidu::store {
namespace {

// ---------------------------------------------------------------- connection and statements

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    return {Errc::kConflict, msg, ""};
  if (primary == SQLITE_CONSTRAINT) return {Errc::kFailedPrecondition, msg, ""};
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL ||
      primary == SQLITE_IOERR)
    return {Errc::kUnavailable, msg, ""};
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return {Errc::kCorruption, msg, ""};
  return {Errc::kInternal, msg, ""};
}

// One connection and its prepared-statement cache. Used by one thread at a time (the writer
// thread, or whoever took it from the read pool); owns `db` and finalizes the cache before closing.
struct Conn {
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool busy = false;  // a Stmt is using it: nested users get a fresh statement instead
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };

  explicit Conn(sqlite3* d) : db(d) {}
  ~Conn() {
    for (auto& [sql, cached] : cache) sqlite3_finalize(cached.stmt);
    sqlite3_close(db);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  sqlite3* db;
  // Keyed by SQL text; node-based, so a Cached* stays valid while others are inserted.
  std::unordered_map<std::string, Cached, Hash, std::equal_to<>> cache;
};

// A statement for one use. Takes the connection's cached statement for `sql` (preparing and
// caching it on first use) and resets it on destruction; when that statement is already in use
// (a nested or streaming user of the same text), prepares a private one and finalizes it.
class Stmt {
 public:
  Stmt(Conn* conn, std::string_view sql) : db_(conn->db) {
    auto it = conn->cache.find(sql);
    if (it != conn->cache.end()) {
      if (!it->second.busy) {
        cached_ = &it->second;
        cached_->busy = true;
        stmt_ = cached_->stmt;
        rc_ = SQLITE_OK;
        return;
      }
      rc_ = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
      return;
    }
    rc_ = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc_ == SQLITE_OK && stmt_ != nullptr)
      cached_ = &conn->cache.emplace(std::string(sql), Conn::Cached{stmt_, true}).first->second;
  }
  ~Stmt() {
    if (cached_ == nullptr) {
      sqlite3_finalize(stmt_);
      return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    cached_->busy = false;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Error error(std::string_view what) const { return SqliteError(db_, rc_, what); }

  Stmt& Bind(std::int64_t v) {
    sqlite3_bind_int64(stmt_, ++index_, v);
    return *this;
  }
  Stmt& Bind(int v) { return Bind(static_cast<std::int64_t>(v)); }
  Stmt& Bind(bool v) { return Bind(static_cast<std::int64_t>(v ? 1 : 0)); }
  Stmt& Bind(std::string_view v) {
    sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(const std::string& v) { return Bind(std::string_view(v)); }
  Stmt& Bind(const char* v) { return Bind(std::string_view(v)); }
  Stmt& Bind(TimePoint t) { return Bind(static_cast<std::int64_t>(t.time_since_epoch().count())); }
  Stmt& BindBlob(const void* data, size_t size) {
    sqlite3_bind_blob(stmt_, ++index_, data, static_cast<int>(size), SQLITE_TRANSIENT);
    return *this;
  }
  // Binds 0 as NULL, for optional references.
  Stmt& BindRef(std::int64_t id) {
    if (id == 0) {
      sqlite3_bind_null(stmt_, ++index_);
      return *this;
    }
    return Bind(id);
  }

  // SQLITE_ROW -> true, SQLITE_DONE -> false.
  Result<bool> Step(std::string_view what) {
    if (rc_ != SQLITE_OK) return Fail(error(what));
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    rc_ = sqlite3_extended_errcode(db_);
    return Fail(SqliteError(db_, rc_, what));
  }

  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  // Valid until the next Step or the end of this Stmt.
  std::string_view TextView(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string_view(p, sqlite3_column_bytes(stmt_, col)) : std::string_view();
  }
  std::string Text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
  }
  TimePoint Time(int col) const { return TimePoint(Micros(Int(col))); }
  Sha256Digest Digest(int col) const {
    Sha256Digest d{};
    const void* p = sqlite3_column_blob(stmt_, col);
    if (p && sqlite3_column_bytes(stmt_, col) == 32) std::memcpy(d.data(), p, 32);
    return d;
  }

 private:
  sqlite3* db_;
  Conn::Cached* cached_ = nullptr;  // null: a private statement, finalized by the destructor
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  int index_ = 0;
};

Result<void> Exec(sqlite3* db, const char* sql, std::string_view what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(db, sqlite3_extended_errcode(db), what);
    sqlite3_free(err);
    return Fail(e);
  }
  return Ok();
}

// One statement through the connection's cache (transaction control: BEGIN, COMMIT, SAVEPOINT…).
Result<void> Run(Conn* conn, std::string_view sql, std::string_view what) {
  Stmt s(conn, sql);
  ZHIDU_TRY(bool row, s.Step(what));
  (void)row;
  return Ok();
}

// Once per process, before the first connection: no allocation statistics. With them SQLite takes
// one global mutex around every malloc and free of every connection, and the writer and the
// handler threads' read connections queued on it (docs/performance.md, session 23: 17 % of the
// ticket-creation profile was that mutex's lock and wake). Nothing in zhidu reads
// sqlite3_memory_used; after sqlite3_initialize the call is refused and changes nothing.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

Result<std::unique_ptr<Conn>> OpenConnection(const std::string& path, bool read_only) {
  ConfigureSqliteOnce();
  sqlite3* db = nullptr;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);
    return Fail(e);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  // temp_store=MEMORY: the statement journals of the writer's savepoints (one per job) and
  // sorter temporaries stay in memory instead of temporary files written through the kernel
  // (docs/performance.md, W1). Durability is the WAL's, unchanged.
  const char* pragmas = read_only ? "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                                  : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
  if (auto r = Exec(db, pragmas, "configure " + path); !r) {
    sqlite3_close(db);
    return Fail(r.error());
  }
  return std::make_unique<Conn>(db);
}

// ---------------------------------------------------------------- row mapping

template <typename T, typename Map>
Result<std::vector<T>> Collect(Stmt& s, std::string_view what, Map map) {
  std::vector<T> out;
  for (;;) {
    ZHIDU_TRY(bool row, s.Step(what));
    if (!row) break;
    out.push_back(map(s));
  }
  return out;
}

template <typename T, typename Map>
Result<T> One(Stmt& s, std::string_view what, std::string not_found, Map map) {
  ZHIDU_TRY(bool row, s.Step(what));
  if (!row) return Fail(Errc::kNotFound, std::move(not_found));
  return map(s);
}

Site MapSite(Stmt& s) { return {s.Int(0), s.Text(1), s.Text(2), s.Time(3)}; }
Department MapDepartment(Stmt& s) { return {s.Int(0), s.Int(1), s.Text(2)}; }
Team MapTeam(Stmt& s) { return {s.Int(0), s.Int(1), s.Int(2), s.Text(3)}; }
Post MapPost(Stmt& s) { return {s.Int(0), s.Int(1), s.Int(2), s.Text(3)}; }
Person MapPerson(Stmt& s) {
  return {s.Int(0),  s.Int(1),  s.Int(2),  s.Int(3),  s.Text(4),
          s.Text(5), s.Text(6), s.Time(7), s.Text(8), s.Text(9)};
}
Certification MapCertification(Stmt& s) {
  return {s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4)};
}
Account MapAccount(Stmt& s) {
  return {s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4) != 0, s.Time(5)};
}
// Assigns into `r`, reusing its strings' capacity (no allocation once they are large enough).
void MapJournalInto(Stmt& s, JournalRecord& r) {
  r.seq = s.Int(0);
  r.at = s.Time(1);
  r.kind.assign(s.TextView(2));
  r.actor = s.Int(3);
  r.subject.assign(s.TextView(4));
  r.payload.assign(s.TextView(5));
  r.prev_hash = s.Digest(6);
  r.hash = s.Digest(7);
}
JournalRecord MapJournal(Stmt& s) {
  JournalRecord r;
  MapJournalInto(s, r);
  return r;
}

Timer MapTimer(Stmt& s) {
  Timer t;
  t.id = s.Int(0);
  t.site_id = s.Int(1);
  t.kind = s.Text(2);
  t.subject = s.Text(3);
  t.payload = s.Text(4);
  t.due_at = s.Time(5);
  t.state = ParseTimerState(s.Text(6)).value_or(TimerState::kPending);
  t.claimed_by = s.Text(7);
  t.lease_until = s.Time(8);
  t.fired_at = s.Time(9);
  t.late = s.Int(10) != 0;
  t.attempts = static_cast<int>(s.Int(11));
  t.created_at = s.Time(12);
  return t;
}

#define kDutyColumns                                                                           \
  "id, site_id, post_id, duty, target, key, due_at, window_end, miss_at, required, "           \
  "completions, state, started_by, started_at, completed_by, completed_person, completed_at, " \
  "answers, created_at"
DutyInstance MapDuty(Stmt& s) {
  DutyInstance d;
  d.id = s.Int(0);
  d.site_id = s.Int(1);
  d.post_id = s.Int(2);
  d.duty = s.Text(3);
  d.target = s.Text(4);
  d.key = s.Text(5);
  d.due_at = s.Time(6);
  d.window_end = s.Time(7);
  d.miss_at = s.Time(8);
  d.required = static_cast<int>(s.Int(9));
  d.completions = static_cast<int>(s.Int(10));
  d.state = ParseDutyState(s.Text(11)).value_or(DutyState::kScheduled);
  d.started_by = s.Int(12);
  d.started_at = s.Time(13);
  d.completed_by = s.Int(14);
  d.completed_person = s.Int(15);
  d.completed_at = s.Time(16);
  d.answers = s.Text(17);
  d.created_at = s.Time(18);
  return d;
}

#define kAttendanceColumns "id, site_id, post_id, person_id, started_at, ended_at, relieved_by"
Attendance MapAttendance(Stmt& s) {
  return {s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Time(4), s.Time(5), s.Int(6)};
}

#define kViolationColumns                                                              \
  "id, site_id, person_id, department_id, post_id, code, clauses, source, subject, "   \
  "occurred_at, recorded_by, note, occurrence, consequence, fine_fen, state, appeal, " \
  "appealed_at, decided_by, decided_at, decision_note, created_at, party"
Violation MapViolation(Stmt& s) {
  Violation v;
  v.id = s.Int(0);
  v.site_id = s.Int(1);
  v.person_id = s.Int(2);
  v.department_id = s.Int(3);
  v.post_id = s.Int(4);
  v.code = s.Text(5);
  v.clauses = s.Text(6);
  v.source = s.Text(7);
  v.subject = s.Text(8);
  v.occurred_at = s.Time(9);
  v.recorded_by = s.Int(10);
  v.note = s.Text(11);
  v.occurrence = static_cast<int>(s.Int(12));
  v.consequence = s.Text(13);
  v.fine_fen = s.Int(14);
  v.state = ParseViolationState(s.Text(15)).value_or(ViolationState::kRecorded);
  v.appeal = s.Text(16);
  v.appealed_at = s.Time(17);
  v.decided_by = s.Int(18);
  v.decided_at = s.Time(19);
  v.decision_note = s.Text(20);
  v.created_at = s.Time(21);
  v.party = s.Text(22);
  return v;
}

#define kRequestColumns \
  "id, site_id, type, applicant, applicant_person, inputs, reason, state, created_at, updated_at"
ApprovalRequest MapRequest(Stmt& s) {
  return {s.Int(0),  s.Int(1),
          s.Text(2), s.Int(3),
          s.Int(4),  s.Text(5),
          s.Text(6), ParseRequestState(s.Text(7)).value_or(RequestState::kPending),
          s.Time(8), s.Time(9)};
}
#define kProcedureColumns                                                                         \
  "id, site_id, procedure, state, subject, ref, data, notes, person_id, started_by, started_at, " \
  "updated_at, closed_at"
ProcedureInstance MapProcedure(Stmt& s) {
  return {s.Int(0),  s.Int(1), s.Text(2), s.Text(3),  s.Text(4),  s.Text(5), s.Text(6),
          s.Text(7), s.Int(8), s.Int(9),  s.Time(10), s.Time(11), s.Time(12)};
}
#define kDeadlineColumns                                                                         \
  "id, site_id, service_level, subject, ref, person_id, state, data, note, started_at, due_at, " \
  "stopped_at, breached_at, started_by, stopped_by, paused_at, working_hours"
Deadline MapDeadline(Stmt& s) {
  return {s.Int(0),   s.Int(1),  s.Text(2), s.Text(3),  s.Text(4),     s.Int(5),
          s.Text(6),  s.Text(7), s.Text(8), s.Time(9),  s.Time(10),    s.Time(11),
          s.Time(12), s.Int(13), s.Int(14), s.Time(15), s.Int(16) != 0};
}
int OpenFlag(const std::optional<bool>& open) { return open ? (*open ? 1 : 0) : -1; }
#define kDecisionColumns \
  "id, request_id, step, account_id, approve, signed, escort_person, note, at"
ApprovalDecision MapDecision(Stmt& s) {
  return {s.Int(0),      s.Int(1), s.Text(2), s.Int(3), s.Int(4) != 0,
          s.Int(5) != 0, s.Int(6), s.Text(7), s.Time(8)};
}

#define kTimerColumns                                                                         \
  "id, coalesce(site_id,0), kind, subject, payload, due_at, state, claimed_by, lease_until, " \
  "fired_at, late, attempts, created_at"

#define kPersonSelect                                                          \
  "SELECT id, site_id, coalesce(department_id,0), coalesce(team_id,0), name, " \
  "coalesce(employee_no,''), phone, created_at, birth_date, education FROM people"
#define kAccountSelect \
  "SELECT id, username, password_hash, coalesce(person_id,0), disabled, created_at FROM accounts"

constexpr const char* kJournalColumns = "seq, at, kind, actor, subject, payload, prev_hash, hash";

// ---- webhook channels
constexpr const char* kWebhookColumns =
    "id, name, format, url, kinds, coalesce(site_id,0), created_by, created_at, disabled";
WebhookChannel MapWebhookChannel(Stmt& s) {
  return WebhookChannel{s.Int(0), s.Text(1), s.Text(2), s.Text(3),    s.Text(4),
                        s.Int(5), s.Int(6),  s.Time(7), s.Int(8) != 0};
}

// ---------------------------------------------------------------- unit of work

// The portable statements of modules (store/sql.hpp) on one connection.
class SqliteSql final : public Sql {
 public:
  explicit SqliteSql(Conn* db) : db_(db) {}
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::int64_t> Exec(std::string_view what, std::string_view sql,
                            const SqlParams& params) override {
    Stmt s(db_, sql);
    BindAll(s, params);
    ZHIDU_TRY(bool row, s.Step(what));
    (void)row;
    return static_cast<std::int64_t>(sqlite3_changes(db_->db));
  }
  Result<Id> Insert(std::string_view what, std::string_view sql, const SqlParams& params) override {
    constexpr std::string_view kReturning = " RETURNING id";
    if (!sql.ends_with(kReturning)) return Sql::Insert(what, sql, params);
    ZHIDU_TRY(auto changed, Exec(what, sql.substr(0, sql.size() - kReturning.size()), params));
    if (changed != 1)
      return Fail(Errc::kInternal, std::string(what) + ": the insert returned no id");
    return sqlite3_last_insert_rowid(db_->db);
  }
  Result<void> Query(std::string_view what, std::string_view sql, const SqlParams& params,
                     const std::function<void(const SqlRow&)>& row) override {
    Stmt s(db_, sql);
    BindAll(s, params);
    Row r(s);
    for (;;) {
      ZHIDU_TRY(bool more, s.Step(what));
      if (!more) return Ok();
      row(r);
    }
  }

 private:
  class Row final : public SqlRow {
   public:
    explicit Row(const Stmt& s) : s_(s) {}
    bool IsNull(int col) const override { return s_.IsNull(col); }
    std::int64_t Int(int col) const override { return s_.Int(col); }
    std::string Text(int col) const override { return s_.Text(col); }

   private:
    const Stmt& s_;
  };
  static void BindAll(Stmt& s, const SqlParams& params) {
    for (const auto& p : params) {
      if (std::holds_alternative<std::int64_t>(p))
        s.Bind(std::get<std::int64_t>(p));
      else if (std::holds_alternative<std::string>(p))
        s.Bind(std::get<std::string>(p));
      else
        s.BindRef(0);  // NULL
    }
  }
  Conn* db_;
};

class SqliteUnit final : public UnitOfWork {
 public:
  // `release` returns the connection to its owner (pool or writer slot).
  SqliteUnit(Conn* db, std::function<void(Conn*)> release)
      : db_(db), release_(std::move(release)), sql_(db) {}
  ~SqliteUnit() override {
    if (!finished_) (void)Run(db_, "ROLLBACK", "rollback");
    release_(db_);
  }

  Result<void> Begin(bool write) {
    return Run(db_, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", "begin transaction");
  }

  Result<void> Commit() override {
    ZHIDU_TRY_VOID(Run(db_, "COMMIT", "commit"));
    finished_ = true;
    return Ok();
  }
  Result<void> Savepoint() override { return Run(db_, "SAVEPOINT job", "savepoint"); }
  Result<void> RollbackToSavepoint() override {
    ZHIDU_TRY_VOID(Run(db_, "ROLLBACK TO job", "rollback to savepoint"));
    return Run(db_, "RELEASE job", "release savepoint");
  }
  Result<void> ReleaseSavepoint() override { return Run(db_, "RELEASE job", "release savepoint"); }
  Sql& sql() override { return sql_; }

  // ---- organisation
  Result<Id> InsertSite(const Site& v) override {
    Stmt s(db_, "INSERT INTO sites(name, time_zone, created_at) VALUES(?,?,?)");
    s.Bind(v.name).Bind(v.time_zone).Bind(v.created_at);
    return Insert(s, "insert site");
  }
  Result<Site> GetSite(Id id) override {
    Stmt s(db_, "SELECT id, name, time_zone, created_at FROM sites WHERE id=?");
    s.Bind(id);
    return One<Site>(s, "get site", "site " + std::to_string(id) + " does not exist", MapSite);
  }
  Result<std::vector<Site>> ListSites(PageRequest p) override {
    Stmt s(db_, "SELECT id, name, time_zone, created_at FROM sites WHERE id>? ORDER BY id LIMIT ?");
    s.Bind(p.after_id).Bind(p.limit);
    return Collect<Site>(s, "list sites", MapSite);
  }
  Result<Id> InsertDepartment(const Department& v) override {
    Stmt s(db_, "INSERT INTO departments(site_id, name) VALUES(?,?)");
    s.Bind(v.site_id).Bind(v.name);
    return Insert(s, "insert department");
  }
  Result<Department> GetDepartment(Id id) override {
    Stmt s(db_, "SELECT id, site_id, name FROM departments WHERE id=?");
    s.Bind(id);
    return One<Department>(s, "get department",
                           "department " + std::to_string(id) + " does not exist", MapDepartment);
  }
  Result<std::vector<Department>> ListDepartments(Id site_id, PageRequest p) override {
    Stmt s(db_,
           "SELECT id, site_id, name FROM departments WHERE (?=0 OR site_id=?) AND id>? "
           "ORDER BY id LIMIT ?");
    s.Bind(site_id).Bind(site_id).Bind(p.after_id).Bind(p.limit);
    return Collect<Department>(s, "list departments", MapDepartment);
  }
  Result<Id> InsertTeam(const Team& v) override {
    Stmt s(db_, "INSERT INTO teams(site_id, department_id, name) VALUES(?,?,?)");
    s.Bind(v.site_id).BindRef(v.department_id).Bind(v.name);
    return Insert(s, "insert team");
  }
  Result<Team> GetTeam(Id id) override {
    Stmt s(db_, "SELECT id, site_id, coalesce(department_id,0), name FROM teams WHERE id=?");
    s.Bind(id);
    return One<Team>(s, "get team", "team " + std::to_string(id) + " does not exist", MapTeam);
  }
  Result<std::vector<Team>> ListTeams(Id site_id, PageRequest p) override {
    Stmt s(
        db_,
        "SELECT id, site_id, coalesce(department_id,0), name FROM teams WHERE (?=0 OR site_id=?) "
        "AND id>? ORDER BY id LIMIT ?");
    s.Bind(site_id).Bind(site_id).Bind(p.after_id).Bind(p.limit);
    return Collect<Team>(s, "list teams", MapTeam);
  }
  Result<Id> InsertPost(const Post& v) override {
    Stmt s(db_, "INSERT INTO posts(site_id, department_id, name) VALUES(?,?,?)");
    s.Bind(v.site_id).BindRef(v.department_id).Bind(v.name);
    return Insert(s, "insert post");
  }
  Result<Post> GetPost(Id id) override {
    Stmt s(db_, "SELECT id, site_id, coalesce(department_id,0), name FROM posts WHERE id=?");
    s.Bind(id);
    return One<Post>(s, "get post", "post " + std::to_string(id) + " does not exist", MapPost);
  }
  Result<std::vector<Post>> ListPosts(Id site_id, PageRequest p) override {
    Stmt s(
        db_,
        "SELECT id, site_id, coalesce(department_id,0), name FROM posts WHERE (?=0 OR site_id=?) "
        "AND id>? ORDER BY id LIMIT ?");
    s.Bind(site_id).Bind(site_id).Bind(p.after_id).Bind(p.limit);
    return Collect<Post>(s, "list posts", MapPost);
  }
  Result<Id> InsertPerson(const Person& v) override {
    Stmt s(db_,
           "INSERT INTO people(site_id, department_id, team_id, name, employee_no, phone, "
           "created_at, birth_date, education) VALUES(?,?,?,?,?,?,?,?,?)");
    s.Bind(v.site_id).BindRef(v.department_id).BindRef(v.team_id).Bind(v.name);
    if (v.employee_no.empty()) {
      s.BindRef(0);
    } else {
      s.Bind(v.employee_no);
    }
    s.Bind(v.phone).Bind(v.created_at).Bind(v.birth_date).Bind(v.education);
    return Insert(s, "insert person");
  }
  Result<void> UpdatePersonProfile(Id id, const std::string& birth_date,
                                   const std::string& education) override {
    Stmt s(db_, "UPDATE people SET birth_date=?, education=? WHERE id=? RETURNING id");
    s.Bind(birth_date).Bind(education).Bind(id);
    ZHIDU_TRY(bool row, s.Step("update person profile"));
    if (row) return Ok();
    return Fail(Errc::kNotFound, "person " + std::to_string(id) + " does not exist");
  }
  Result<Person> GetPerson(Id id) override {
    Stmt s(db_, kPersonSelect " WHERE id=?");
    s.Bind(id);
    return One<Person>(s, "get person", "person " + std::to_string(id) + " does not exist",
                       MapPerson);
  }
  Result<std::vector<Person>> ListPeople(Id site_id, PageRequest p) override {
    Stmt s(db_, kPersonSelect " WHERE (?=0 OR site_id=?) AND id>? ORDER BY id LIMIT ?");
    s.Bind(site_id).Bind(site_id).Bind(p.after_id).Bind(p.limit);
    return Collect<Person>(s, "list people", MapPerson);
  }
  Result<Id> InsertCertification(const Certification& v) override {
    Stmt s(db_, "INSERT INTO certifications(person_id, kind, number, expires_on) VALUES(?,?,?,?)");
    s.Bind(v.person_id).Bind(v.kind).Bind(v.number).Bind(v.expires_on);
    return Insert(s, "insert certification");
  }
  Result<std::vector<Certification>> ListCertifications(Id person_id) override {
    Stmt s(db_,
           "SELECT id, person_id, kind, number, expires_on FROM certifications WHERE person_id=? "
           "ORDER BY id");
    s.Bind(person_id);
    return Collect<Certification>(s, "list certifications", MapCertification);
  }

  // ---- accounts
  Result<Id> InsertAccount(const Account& v) override {
    Stmt s(db_,
           "INSERT INTO accounts(username, password_hash, person_id, disabled, created_at) "
           "VALUES(?,?,?,?,?)");
    s.Bind(v.username)
        .Bind(v.password_hash)
        .BindRef(v.person_id)
        .Bind(v.disabled)
        .Bind(v.created_at);
    return Insert(s, "insert account");
  }
  Result<Account> GetAccount(Id id) override {
    Stmt s(db_, kAccountSelect " WHERE id=?");
    s.Bind(id);
    return One<Account>(s, "get account", "account " + std::to_string(id) + " does not exist",
                        MapAccount);
  }
  Result<Account> GetAccountByUsername(const std::string& username) override {
    Stmt s(db_, kAccountSelect " WHERE lower(username)=lower(?)");  // unique whatever the case
    s.Bind(username);
    return One<Account>(s, "get account", "no account named \"" + username + "\"", MapAccount);
  }
  Result<std::vector<Account>> ListAccounts(PageRequest p) override {
    Stmt s(db_, kAccountSelect " WHERE id>? ORDER BY id LIMIT ?");
    s.Bind(p.after_id).Bind(p.limit);
    return Collect<Account>(s, "list accounts", MapAccount);
  }
  Result<Id> InsertRoleGrant(const RoleGrant& v) override {
    Stmt s(db_, "INSERT INTO role_grants(account_id, role, scope_kind, scope_id) VALUES(?,?,?,?)");
    s.Bind(v.account_id).Bind(v.role).Bind(v.scope_kind).Bind(v.scope_id);
    return Insert(s, "insert role grant");
  }
  Result<std::vector<RoleGrant>> ListRoleGrants(Id account_id) override {
    Stmt s(db_,
           "SELECT id, account_id, role, scope_kind, scope_id FROM role_grants WHERE account_id=? "
           "ORDER BY id");
    s.Bind(account_id);
    return Collect<RoleGrant>(s, "list role grants", [](Stmt& s) {
      return RoleGrant{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4)};
    });
  }
  Result<void> InsertSession(const Session& v) override {
    Stmt s(db_,
           "INSERT INTO sessions(token_hash, account_id, csrf_token, created_at, expires_at) "
           "VALUES(?,?,?,?,?)");
    s.Bind(v.token_hash)
        .Bind(v.account_id)
        .Bind(v.csrf_token)
        .Bind(v.created_at)
        .Bind(v.expires_at);
    return Done(s, "insert session");
  }
  Result<Session> GetSession(const std::string& token_hash) override {
    Stmt s(db_,
           "SELECT token_hash, account_id, csrf_token, created_at, expires_at FROM sessions "
           "WHERE token_hash=?");
    s.Bind(token_hash);
    return One<Session>(s, "get session", "no such session", [](Stmt& s) {
      return Session{s.Text(0), s.Int(1), s.Text(2), s.Time(3), s.Time(4)};
    });
  }
  Result<void> DeleteSession(const std::string& token_hash) override {
    Stmt s(db_, "DELETE FROM sessions WHERE token_hash=?");
    s.Bind(token_hash);
    return Done(s, "delete session");
  }
  Result<Id> InsertApiToken(const ApiToken& v) override {
    Stmt s(db_,
           "INSERT INTO api_tokens(account_id, name, token_hash, created_at, revoked) "
           "VALUES(?,?,?,?,?)");
    s.Bind(v.account_id).Bind(v.name).Bind(v.token_hash).Bind(v.created_at).Bind(v.revoked);
    return Insert(s, "insert api token");
  }
  Result<ApiToken> GetApiTokenByHash(const std::string& token_hash) override {
    Stmt s(db_,
           "SELECT id, account_id, name, token_hash, created_at, revoked FROM api_tokens "
           "WHERE token_hash=?");
    s.Bind(token_hash);
    return One<ApiToken>(s, "get api token", "no such api token", [](Stmt& s) {
      return ApiToken{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Time(4), s.Int(5) != 0};
    });
  }

  // ---- idempotency
  Result<std::optional<IdempotentResponse>> GetIdempotentResponse(Id account_id,
                                                                  const std::string& key) override {
    Stmt s(db_,
           "SELECT account_id, key, request_hash, status, body, created_at FROM idempotency "
           "WHERE account_id=? AND key=?");
    s.Bind(account_id).Bind(key);
    ZHIDU_TRY(bool row, s.Step("get idempotent response"));
    if (!row) return std::optional<IdempotentResponse>();
    return std::optional<IdempotentResponse>(IdempotentResponse{
        s.Int(0), s.Text(1), s.Text(2), static_cast<int>(s.Int(3)), s.Text(4), s.Time(5)});
  }
  Result<void> InsertIdempotentResponse(const IdempotentResponse& v) override {
    Stmt s(db_,
           "INSERT INTO idempotency(account_id, key, request_hash, status, body, created_at) "
           "VALUES(?,?,?,?,?,?)");
    s.Bind(v.account_id)
        .Bind(v.key)
        .Bind(v.request_hash)
        .Bind(v.status)
        .Bind(v.body)
        .Bind(v.created_at);
    return Done(s, "insert idempotent response");
  }

  Result<void> CompleteIdempotentResponse(Id account_id, const std::string& key, int status,
                                          const std::string& body) override {
    Stmt s(db_, "UPDATE idempotency SET status=?, body=? WHERE account_id=? AND key=?");
    s.Bind(status).Bind(body).Bind(account_id).Bind(key);
    return Done(s, "complete idempotent response");
  }

  // ---- durable timers
  Result<Id> InsertTimer(const Timer& v) override {
    Stmt s(db_,
           "INSERT INTO timers(site_id, kind, subject, payload, due_at, created_at) "
           "VALUES(?,?,?,?,?,?)");
    s.BindRef(v.site_id).Bind(v.kind).Bind(v.subject).Bind(v.payload).Bind(v.due_at);
    s.Bind(v.created_at);
    return Insert(s, "insert timer");
  }
  Result<std::vector<Id>> InsertTimers(const std::vector<Timer>& timers) override {
    // One prepared statement reused: SQLite has no round trips to save.
    std::vector<Id> ids;
    ids.reserve(timers.size());
    for (const auto& t : timers) {
      ZHIDU_TRY(Id id, InsertTimer(t));
      ids.push_back(id);
    }
    return ids;
  }
  Result<Timer> GetTimer(Id id) override {
    Stmt s(db_, "SELECT " kTimerColumns " FROM timers WHERE id=?");
    s.Bind(id);
    return One<Timer>(s, "get timer", "timer " + std::to_string(id) + " does not exist", MapTimer);
  }
  Result<void> CancelTimer(Id id, TimePoint at) override {
    Stmt s(db_,
           "UPDATE timers SET state='cancelled', fired_at=? WHERE id=? AND state IN "
           "('pending','claimed') RETURNING id");
    s.Bind(at).Bind(id);
    ZHIDU_TRY(bool row, s.Step("cancel timer"));
    if (row) return Ok();
    ZHIDU_TRY(Timer t, GetTimer(id));
    return Fail(Errc::kFailedPrecondition, "timer " + std::to_string(id) + " is already " +
                                               std::string(TimerStateName(t.state)));
  }
  Result<std::vector<Timer>> ClaimDueTimers(TimePoint now, const std::string& node_id, Micros lease,
                                            int limit) override {
    // Expired leases first (they are older than anything pending), then pending by due time;
    // both halves walk the (state, due_at) index.
    Stmt s(db_,
           "UPDATE timers SET state='claimed', claimed_by=?1, lease_until=?2, "
           "attempts=attempts+1 WHERE id IN (SELECT id FROM ("
           "SELECT id FROM timers WHERE state='claimed' AND lease_until<=?3 "
           "UNION ALL SELECT id FROM (SELECT id FROM timers WHERE state='pending' AND due_at<=?3 "
           "ORDER BY due_at LIMIT ?4)) LIMIT ?4) RETURNING " kTimerColumns);
    s.Bind(node_id).Bind(now + lease).Bind(now).Bind(limit);
    ZHIDU_TRY(auto rows, Collect<Timer>(s, "claim due timers", MapTimer));
    std::sort(rows.begin(), rows.end(), [](const Timer& a, const Timer& b) {
      return a.due_at != b.due_at ? a.due_at < b.due_at : a.id < b.id;
    });
    return rows;
  }
  Result<void> MarkTimerFired(Id id, const std::string& node_id, TimePoint fired_at,
                              bool late) override {
    Stmt s(db_,
           "UPDATE timers SET state='fired', fired_at=?, late=? WHERE id=? AND state='claimed' "
           "AND claimed_by=? RETURNING id");
    s.Bind(fired_at).Bind(late).Bind(id).Bind(node_id);
    return Transition(s, id, node_id, "mark timer fired");
  }
  Result<void> MarkTimerFailed(Id id, const std::string& node_id, TimePoint at) override {
    Stmt s(db_,
           "UPDATE timers SET state='failed', fired_at=? WHERE id=? AND state='claimed' "
           "AND claimed_by=? RETURNING id");
    s.Bind(at).Bind(id).Bind(node_id);
    return Transition(s, id, node_id, "mark timer failed");
  }
  Result<std::optional<TimePoint>> NextDueAt() override {
    Stmt s(db_,
           "SELECT min(t) FROM (SELECT min(due_at) AS t FROM timers WHERE state='pending' "
           "UNION ALL SELECT min(lease_until) FROM timers WHERE state='claimed')");
    ZHIDU_TRY(bool row, s.Step("next due timer"));
    if (!row || s.IsNull(0)) return std::optional<TimePoint>();
    return std::optional<TimePoint>(s.Time(0));
  }
  Result<std::int64_t> CountTimers(std::optional<TimerState> state) override {
    std::string name = state ? std::string(TimerStateName(*state)) : std::string();
    Stmt s(db_, "SELECT count(*) FROM timers WHERE (?1='' OR state=?1)");
    s.Bind(name);
    ZHIDU_TRY(bool row, s.Step("count timers"));
    return row ? s.Int(0) : 0;
  }
  Result<std::vector<Timer>> ListTimers(const TimerFilter& f, PageRequest p) override {
    std::string state = f.state ? std::string(TimerStateName(*f.state)) : std::string();
    Stmt s(db_, "SELECT " kTimerColumns
                " FROM timers WHERE (?1='' OR kind=?1) AND (?2='' OR subject=?2) AND "
                "(?3='' OR state=?3) AND (?4=0 OR site_id=?4) AND id>?5 ORDER BY id LIMIT ?6");
    s.Bind(f.kind).Bind(f.subject).Bind(state).Bind(f.site_id).Bind(p.after_id).Bind(p.limit);
    return Collect<Timer>(s, "list timers", MapTimer);
  }

  // ---- runtime: duty instances
  Result<std::optional<Id>> InsertDutyInstance(const DutyInstance& v) override {
    Stmt s(db_,
           "INSERT INTO duty_instances(site_id, post_id, duty, target, key, due_at, window_end, "
           "miss_at, required, completions, state, answers, created_at) "
           "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING RETURNING id");
    s.Bind(v.site_id).Bind(v.post_id).Bind(v.duty).Bind(v.target).Bind(v.key).Bind(v.due_at);
    s.Bind(v.window_end).Bind(v.miss_at).Bind(v.required).Bind(v.completions);
    s.Bind(DutyStateName(v.state)).Bind(v.answers).Bind(v.created_at);
    ZHIDU_TRY(bool row, s.Step("insert duty instance"));
    if (!row) return std::optional<Id>();
    return std::optional<Id>(s.Int(0));
  }
  Result<DutyInstance> GetDutyInstance(Id id) override {
    Stmt s(db_, "SELECT " kDutyColumns " FROM duty_instances WHERE id=?");
    s.Bind(id);
    return One<DutyInstance>(s, "get duty instance",
                             "duty instance " + std::to_string(id) + " does not exist", MapDuty);
  }
  Result<void> UpdateDutyInstance(const DutyInstance& v) override {
    Stmt s(db_,
           "UPDATE duty_instances SET state=?, started_by=?, started_at=?, completions=?, "
           "completed_by=?, completed_person=?, completed_at=?, answers=? WHERE id=?");
    s.Bind(DutyStateName(v.state)).Bind(v.started_by).Bind(v.started_at).Bind(v.completions);
    s.Bind(v.completed_by).Bind(v.completed_person).Bind(v.completed_at).Bind(v.answers);
    s.Bind(v.id);
    return Changed(s, "update duty instance", "duty instance", v.id);
  }
  Result<std::vector<DutyInstance>> ListDutyInstances(const DutyFilter& f, PageRequest p) override {
    std::string state = f.state ? std::string(DutyStateName(*f.state)) : std::string();
    Stmt s(db_, "SELECT " kDutyColumns
                " FROM duty_instances WHERE (?1=0 OR site_id=?1) AND (?2=0 OR post_id=?2) AND "
                "(?3='' OR duty=?3) AND (?4='' OR state=?4) AND due_at>=?5 AND due_at<?6 AND "
                "id>?7 ORDER BY id LIMIT ?8");
    s.Bind(f.site_id).Bind(f.post_id).Bind(f.duty).Bind(state);
    s.Bind(f.due_from.value_or(TimePoint::min())).Bind(f.due_before.value_or(TimePoint::max()));
    s.Bind(p.after_id).Bind(p.limit);
    return Collect<DutyInstance>(s, "list duty instances", MapDuty);
  }

  // ---- runtime: attendance
  Result<Id> InsertAttendance(const Attendance& v) override {
    Stmt s(db_,
           "INSERT INTO attendance(site_id, post_id, person_id, started_at, ended_at, "
           "relieved_by) VALUES(?,?,?,?,?,?)");
    s.Bind(v.site_id).Bind(v.post_id).Bind(v.person_id).Bind(v.started_at).Bind(v.ended_at);
    s.Bind(v.relieved_by);
    return Insert(s, "insert attendance");
  }
  Result<void> EndAttendance(Id id, TimePoint at, Id relieved_by) override {
    Stmt s(db_,
           "UPDATE attendance SET ended_at=?, relieved_by=? WHERE id=? AND ended_at=0 "
           "RETURNING id");
    s.Bind(at).Bind(relieved_by).Bind(id);
    ZHIDU_TRY(bool row, s.Step("end attendance"));
    if (row) return Ok();
    Stmt q(db_, "SELECT id FROM attendance WHERE id=?");
    q.Bind(id);
    ZHIDU_TRY(bool exists, q.Step("get attendance"));
    if (!exists)
      return Fail(Errc::kNotFound, "attendance " + std::to_string(id) + " does not exist");
    return Fail(Errc::kFailedPrecondition,
                "attendance " + std::to_string(id) + " has already ended");
  }
  Result<std::vector<Attendance>> ListAttendanceAt(Id post_id, Id person_id,
                                                   TimePoint at) override {
    Stmt s(db_, "SELECT " kAttendanceColumns
                " FROM attendance WHERE (?1=0 OR post_id=?1) AND (?2=0 OR person_id=?2) AND "
                "started_at<=?3 AND (ended_at=0 OR ended_at>?3) ORDER BY id");
    s.Bind(post_id).Bind(person_id).Bind(at);
    return Collect<Attendance>(s, "list attendance", MapAttendance);
  }

  // ---- runtime: violations
  Result<Id> InsertViolation(const Violation& v) override {
    Stmt s(db_,
           "INSERT INTO violations(site_id, person_id, department_id, post_id, code, clauses, "
           "source, subject, occurred_at, recorded_by, note, occurrence, consequence, fine_fen, "
           "state, created_at, party) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(v.site_id).Bind(v.person_id).Bind(v.department_id).Bind(v.post_id).Bind(v.code);
    s.Bind(v.clauses).Bind(v.source).Bind(v.subject).Bind(v.occurred_at).Bind(v.recorded_by);
    s.Bind(v.note).Bind(v.occurrence).Bind(v.consequence).Bind(v.fine_fen);
    s.Bind(ViolationStateName(v.state)).Bind(v.created_at).Bind(v.party);
    return Insert(s, "insert violation");
  }
  Result<Violation> GetViolation(Id id) override {
    Stmt s(db_, "SELECT " kViolationColumns " FROM violations WHERE id=?");
    s.Bind(id);
    return One<Violation>(s, "get violation", "violation " + std::to_string(id) + " does not exist",
                          MapViolation);
  }
  Result<void> UpdateViolation(const Violation& v) override {
    Stmt s(db_,
           "UPDATE violations SET state=?, appeal=?, appealed_at=?, decided_by=?, decided_at=?, "
           "decision_note=? WHERE id=?");
    s.Bind(ViolationStateName(v.state)).Bind(v.appeal).Bind(v.appealed_at).Bind(v.decided_by);
    s.Bind(v.decided_at).Bind(v.decision_note).Bind(v.id);
    return Changed(s, "update violation", "violation", v.id);
  }
  Result<std::vector<Violation>> ListViolations(const ViolationFilter& f, PageRequest p) override {
    std::string state = f.state ? std::string(ViolationStateName(*f.state)) : std::string();
    Stmt s(db_, "SELECT " kViolationColumns
                " FROM violations WHERE (?1=0 OR site_id=?1) AND (?2=0 OR person_id=?2) AND "
                "(?3=0 OR department_id=?3) AND (?4='' OR code=?4) AND (?5='' OR state=?5) AND "
                "occurred_at>=?6 AND occurred_at<?7 AND id>?8 AND (?10='' OR party=?10) "
                "ORDER BY id LIMIT ?9");
    s.Bind(f.site_id).Bind(f.person_id).Bind(f.department_id).Bind(f.code).Bind(state);
    s.Bind(f.from.value_or(TimePoint::min())).Bind(f.before.value_or(TimePoint::max()));
    s.Bind(p.after_id).Bind(p.limit).Bind(f.party);
    return Collect<Violation>(s, "list violations", MapViolation);
  }
  Result<std::int64_t> CountViolations(Id person_id, const std::string& code, TimePoint from,
                                       TimePoint before) override {
    Stmt s(db_,
           "SELECT count(*) FROM violations WHERE person_id=? AND code=? AND occurred_at>=? AND "
           "occurred_at<? AND state<>'overturned'");
    s.Bind(person_id).Bind(code).Bind(from).Bind(before);
    return One<std::int64_t>(s, "count violations", "", [](Stmt& s) { return s.Int(0); });
  }

  // ---- runtime: requests and approvals
  Result<Id> InsertApprovalRequest(const ApprovalRequest& v) override {
    Stmt s(db_,
           "INSERT INTO approval_requests(site_id, type, applicant, applicant_person, inputs, "
           "reason, state, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?)");
    s.Bind(v.site_id).Bind(v.type).Bind(v.applicant).Bind(v.applicant_person).Bind(v.inputs);
    s.Bind(v.reason).Bind(RequestStateName(v.state)).Bind(v.created_at).Bind(v.updated_at);
    return Insert(s, "insert approval request");
  }
  Result<ApprovalRequest> GetApprovalRequest(Id id) override {
    Stmt s(db_, "SELECT " kRequestColumns " FROM approval_requests WHERE id=?");
    s.Bind(id);
    return One<ApprovalRequest>(s, "get approval request",
                                "request " + std::to_string(id) + " does not exist", MapRequest);
  }
  Result<void> DecideApprovalRequest(Id id, RequestState state, TimePoint at) override {
    Stmt s(db_,
           "UPDATE approval_requests SET state=?, updated_at=? WHERE id=? AND state='pending' "
           "RETURNING id");
    s.Bind(RequestStateName(state)).Bind(at).Bind(id);
    ZHIDU_TRY(bool row, s.Step("decide approval request"));
    if (row) return Ok();
    ZHIDU_TRY(ApprovalRequest r, GetApprovalRequest(id));
    return Fail(Errc::kFailedPrecondition, "request " + std::to_string(id) + " is already " +
                                               std::string(RequestStateName(r.state)));
  }
  Result<std::vector<ApprovalRequest>> ListApprovalRequests(const RequestFilter& f,
                                                            PageRequest p) override {
    std::string state = f.state ? std::string(RequestStateName(*f.state)) : std::string();
    Stmt s(db_, "SELECT " kRequestColumns
                " FROM approval_requests WHERE (?1=0 OR site_id=?1) AND (?2='' OR type=?2) AND "
                "(?3=0 OR applicant=?3) AND (?4='' OR state=?4) AND id>?5 ORDER BY id LIMIT ?6");
    s.Bind(f.site_id).Bind(f.type).Bind(f.applicant).Bind(state).Bind(p.after_id).Bind(p.limit);
    return Collect<ApprovalRequest>(s, "list approval requests", MapRequest);
  }
  Result<Id> InsertApprovalDecision(const ApprovalDecision& v) override {
    Stmt s(db_,
           "INSERT INTO approval_decisions(request_id, step, account_id, approve, signed, "
           "escort_person, note, at) VALUES(?,?,?,?,?,?,?,?)");
    s.Bind(v.request_id).Bind(v.step).Bind(v.account_id).Bind(v.approve).Bind(v.signed_);
    s.Bind(v.escort_person).Bind(v.note).Bind(v.at);
    return Insert(s, "insert approval decision");
  }
  Result<std::vector<ApprovalDecision>> ListApprovalDecisions(Id request_id) override {
    Stmt s(db_,
           "SELECT " kDecisionColumns " FROM approval_decisions WHERE request_id=? ORDER BY id");
    s.Bind(request_id);
    return Collect<ApprovalDecision>(s, "list approval decisions", MapDecision);
  }

  // ---- site parameters
  Result<void> PutSiteParameter(const SiteParameter& v) override {
    Stmt s(db_,
           "INSERT INTO site_parameters(site_id, name, value, updated_by, updated_at) "
           "VALUES(?,?,?,?,?) ON CONFLICT(site_id, name) DO UPDATE SET value=excluded.value, "
           "updated_by=excluded.updated_by, updated_at=excluded.updated_at");
    s.Bind(v.site_id).Bind(v.name).Bind(v.value).Bind(v.updated_by).Bind(v.updated_at);
    return Done(s, "put site parameter");
  }
  Result<std::vector<SiteParameter>> ListSiteParameters(Id site_id) override {
    Stmt s(db_,
           "SELECT site_id, name, value, updated_by, updated_at FROM site_parameters "
           "WHERE site_id=? ORDER BY name");
    s.Bind(site_id);
    return Collect<SiteParameter>(s, "list site parameters", [](Stmt& s) {
      return SiteParameter{s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Time(4)};
    });
  }

  // ---- procedures and deadlines
  Result<Id> InsertProcedureInstance(const ProcedureInstance& v) override {
    Stmt s(db_,
           "INSERT INTO procedure_instances(site_id, procedure, state, subject, ref, data, notes, "
           "person_id, started_by, started_at, updated_at, closed_at) "
           "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(v.site_id).Bind(v.procedure).Bind(v.state).Bind(v.subject).Bind(v.ref).Bind(v.data);
    s.Bind(v.notes).Bind(v.person_id).Bind(v.started_by).Bind(v.started_at).Bind(v.updated_at);
    s.Bind(v.closed_at);
    return Insert(s, "insert procedure instance");
  }
  Result<ProcedureInstance> GetProcedureInstance(Id id) override {
    Stmt s(db_, "SELECT " kProcedureColumns " FROM procedure_instances WHERE id=?");
    s.Bind(id);
    return One<ProcedureInstance>(s, "get procedure instance",
                                  "procedure instance " + std::to_string(id) + " does not exist",
                                  MapProcedure);
  }
  Result<void> UpdateProcedureInstance(const ProcedureInstance& v,
                                       const std::string& from) override {
    Stmt s(db_,
           "UPDATE procedure_instances SET state=?, notes=?, updated_at=?, closed_at=? "
           "WHERE id=? AND state=? RETURNING id");
    s.Bind(v.state).Bind(v.notes).Bind(v.updated_at).Bind(v.closed_at).Bind(v.id).Bind(from);
    ZHIDU_TRY(bool row, s.Step("update procedure instance"));
    if (row) return Ok();
    ZHIDU_TRY(ProcedureInstance cur, GetProcedureInstance(v.id));
    return Fail(Errc::kFailedPrecondition, "procedure instance " + std::to_string(v.id) +
                                               " is in state " + cur.state + ", not " + from);
  }
  Result<std::vector<ProcedureInstance>> ListProcedureInstances(const ProcedureFilter& f,
                                                                PageRequest p) override {
    // With a site and a ref (every site event's lookups: procedures, W1 alarm ingest) the
    // statement names them plainly so that the planner takes the (site_id, ref) index: behind
    // "?4='' OR ref=?4" it scanned the table in id order, a cost per event that grew with it.
    Stmt s(db_, f.site_id != 0 && !f.ref.empty()
                    ? "SELECT " kProcedureColumns
                      " FROM procedure_instances WHERE site_id=?1 AND (?2='' OR procedure=?2) "
                      "AND (?3='' OR state=?3) AND ref=?4 AND (?5<0 OR (closed_at=0)=(?5=1)) "
                      "AND id>?6 ORDER BY id LIMIT ?7"
                    : "SELECT " kProcedureColumns
                      " FROM procedure_instances WHERE (?1=0 OR site_id=?1) AND (?2='' OR "
                      "procedure=?2) AND (?3='' OR state=?3) AND (?4='' OR ref=?4) AND (?5<0 OR "
                      "(closed_at=0)=(?5=1)) AND id>?6 ORDER BY id LIMIT ?7");
    s.Bind(f.site_id).Bind(f.procedure).Bind(f.state).Bind(f.ref).Bind(OpenFlag(f.open));
    s.Bind(p.after_id).Bind(p.limit);
    return Collect<ProcedureInstance>(s, "list procedure instances", MapProcedure);
  }
  Result<Id> InsertProcedureTransition(const ProcedureTransition& v) override {
    Stmt s(db_,
           "INSERT INTO procedure_transitions(instance_id, from_state, to_state, event, "
           "account_id, person_id, note, inputs, at) VALUES(?,?,?,?,?,?,?,?,?)");
    s.Bind(v.instance_id).Bind(v.from_state).Bind(v.to_state).Bind(v.event).Bind(v.account_id);
    s.Bind(v.person_id).Bind(v.note).Bind(v.inputs).Bind(v.at);
    return Insert(s, "insert procedure transition");
  }
  Result<std::vector<ProcedureTransition>> ListProcedureTransitions(Id instance_id) override {
    Stmt s(db_,
           "SELECT id, instance_id, from_state, to_state, event, account_id, person_id, note, "
           "inputs, at FROM procedure_transitions WHERE instance_id=? ORDER BY id");
    s.Bind(instance_id);
    return Collect<ProcedureTransition>(s, "list procedure transitions", [](Stmt& s) {
      return ProcedureTransition{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4),
                                 s.Int(5), s.Int(6), s.Text(7), s.Text(8), s.Time(9)};
    });
  }
  Result<Id> InsertProcedureTask(const ProcedureTask& v) override {
    Stmt s(db_,
           "INSERT INTO procedure_tasks(instance_id, state, kind, task, role, slot, person_id, "
           "assigned_by, assigned_at, done_by, done_at, note) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(v.instance_id).Bind(v.state).Bind(v.kind).Bind(v.task).Bind(v.role).Bind(v.slot);
    s.Bind(v.person_id).Bind(v.assigned_by).Bind(v.assigned_at).Bind(v.done_by).Bind(v.done_at);
    s.Bind(v.note);
    return Insert(s, "insert procedure task");
  }
  Result<void> UpdateProcedureTask(const ProcedureTask& v) override {
    Stmt s(db_,
           "UPDATE procedure_tasks SET person_id=?, assigned_by=?, assigned_at=?, done_by=?, "
           "done_at=?, note=? WHERE id=? RETURNING id");
    s.Bind(v.person_id).Bind(v.assigned_by).Bind(v.assigned_at).Bind(v.done_by).Bind(v.done_at);
    s.Bind(v.note).Bind(v.id);
    ZHIDU_TRY(bool row, s.Step("update procedure task"));
    if (row) return Ok();
    return Fail(Errc::kNotFound, "procedure task " + std::to_string(v.id) + " does not exist");
  }
  Result<std::vector<ProcedureTask>> ListProcedureTasks(Id instance_id) override {
    Stmt s(db_,
           "SELECT id, instance_id, state, kind, task, role, slot, person_id, assigned_by, "
           "assigned_at, done_by, done_at, note FROM procedure_tasks WHERE instance_id=? "
           "ORDER BY id");
    s.Bind(instance_id);
    return Collect<ProcedureTask>(s, "list procedure tasks", [](Stmt& s) {
      return ProcedureTask{s.Int(0),
                           s.Int(1),
                           s.Text(2),
                           s.Text(3),
                           s.Text(4),
                           s.Text(5),
                           static_cast<int>(s.Int(6)),
                           s.Int(7),
                           s.Int(8),
                           s.Time(9),
                           s.Int(10),
                           s.Time(11),
                           s.Text(12)};
    });
  }
  Result<Id> InsertDeadline(const Deadline& v) override {
    Stmt s(db_,
           "INSERT INTO deadlines(site_id, service_level, subject, ref, person_id, state, data, "
           "note, started_at, due_at, stopped_at, breached_at, started_by, stopped_by, paused_at, "
           "working_hours) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(v.site_id).Bind(v.service_level).Bind(v.subject).Bind(v.ref).Bind(v.person_id);
    s.Bind(v.state).Bind(v.data).Bind(v.note).Bind(v.started_at).Bind(v.due_at);
    s.Bind(v.stopped_at).Bind(v.breached_at).Bind(v.started_by).Bind(v.stopped_by);
    s.Bind(v.paused_at).Bind(v.working_hours ? 1 : 0);
    return Insert(s, "insert deadline");
  }
  Result<Deadline> GetDeadline(Id id) override {
    Stmt s(db_, "SELECT " kDeadlineColumns " FROM deadlines WHERE id=?");
    s.Bind(id);
    return One<Deadline>(s, "get deadline", "deadline " + std::to_string(id) + " does not exist",
                         MapDeadline);
  }
  Result<void> UpdateDeadline(const Deadline& v, const std::string& from) override {
    Stmt s(db_,
           "UPDATE deadlines SET state=?, stopped_at=?, breached_at=?, stopped_by=?, note=?, "
           "due_at=?, paused_at=?, data=?, working_hours=? WHERE id=? AND state=? RETURNING id");
    s.Bind(v.state).Bind(v.stopped_at).Bind(v.breached_at).Bind(v.stopped_by).Bind(v.note);
    s.Bind(v.due_at).Bind(v.paused_at).Bind(v.data).Bind(v.working_hours ? 1 : 0);
    s.Bind(v.id).Bind(from);
    ZHIDU_TRY(bool row, s.Step("update deadline"));
    if (row) return Ok();
    ZHIDU_TRY(Deadline cur, GetDeadline(v.id));
    return Fail(Errc::kFailedPrecondition,
                "deadline " + std::to_string(v.id) + " is " + cur.state + ", not " + from);
  }
  Result<std::vector<Deadline>> ListDeadlines(const DeadlineFilter& f, PageRequest p) override {
    // A site and a ref: the (site_id, ref) index, as in ListProcedureInstances.
    Stmt s(db_, f.site_id != 0 && !f.ref.empty()
                    ? "SELECT " kDeadlineColumns
                      " FROM deadlines WHERE site_id=?1 AND (?2='' OR service_level=?2) AND "
                      "(?3='' OR state=?3) AND ref=?4 AND id>?5 ORDER BY id LIMIT ?6"
                    : "SELECT " kDeadlineColumns
                      " FROM deadlines WHERE (?1=0 OR site_id=?1) AND (?2='' OR service_level=?2) "
                      "AND (?3='' OR state=?3) AND (?4='' OR ref=?4) AND id>?5 ORDER BY id LIMIT "
                      "?6");
    s.Bind(f.site_id).Bind(f.service_level).Bind(f.state).Bind(f.ref).Bind(p.after_id);
    s.Bind(p.limit);
    return Collect<Deadline>(s, "list deadlines", MapDeadline);
  }

  // ---- duty log: only the insert, for bench/gen_store.cpp (store.hpp)
  Result<Id> InsertDutyLogEntry(const DutyLogEntry& v) override {
    Stmt s(
        db_,
        "INSERT INTO duty_log(site_id, post_id, kind, text, author, author_person, at, corrects, "
        "ref, repeat_count, last_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(v.site_id).Bind(v.post_id).Bind(v.kind).Bind(v.text).Bind(v.author);
    s.Bind(v.author_person).Bind(v.at).Bind(v.corrects).Bind(v.ref).Bind(v.repeat_count);
    s.Bind(v.last_at);
    ZHIDU_TRY(Id id, Insert(s, "insert duty log entry"));
    auto row = Fts5ColumnsOf(TextTerms{v.index_bigrams, v.index_tokens});
    Stmt f(db_, "INSERT INTO duty_log_fts(rowid, bi, uni) VALUES(?,?,?)");
    f.Bind(id).Bind(row.bi).Bind(row.uni);
    ZHIDU_TRY_VOID(Done(f, "index duty log entry"));
    return id;
  }
  // ---- photos
  Result<bool> InsertPhoto(const Photo& v) override {
    Stmt s(db_,
           "INSERT INTO photos(sha256, content_type, size_bytes, data, stored_by, created_at) "
           "VALUES(?,?,?,?,?,?) ON CONFLICT(sha256) DO NOTHING RETURNING sha256");
    s.Bind(v.sha256).Bind(v.content_type).Bind(v.size_bytes);
    s.BindBlob(v.data.data(), v.data.size()).Bind(v.stored_by).Bind(v.created_at);
    return s.Step("insert photo");
  }
  Result<Photo> GetPhoto(const std::string& sha256, bool with_data) override {
    Stmt s(db_,
           "SELECT sha256, content_type, size_bytes, CASE WHEN ?2 THEN data ELSE x'' END, "
           "stored_by, created_at FROM photos WHERE sha256=?1");
    s.Bind(sha256).Bind(with_data);
    return One<Photo>(s, "get photo", "photo " + sha256 + " does not exist", [](Stmt& s) {
      return Photo{s.Text(0), s.Text(1), s.Int(2), s.Text(3), s.Int(4), s.Time(5)};
    });
  }

  // ---- journal
  Result<JournalHead> ReadJournalHead() override {
    Stmt s(db_, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1");
    ZHIDU_TRY(bool row, s.Step("read journal head"));
    if (!row) return JournalHead{};
    return JournalHead{s.Int(0), s.Digest(1)};
  }
  Result<JournalAudit> ReadJournalAudit() override {
    JournalAudit out;
    {
      Stmt s(db_, "PRAGMA quick_check(20)");
      for (;;) {
        auto row = s.Step("check the database file");
        if (!row && row.error().code != Errc::kCorruption) return Fail(row.error());
        if (!row) out.storage_problems.push_back(row.error().message);
        if (!row || !*row) break;
        if (auto finding = s.Text(0); finding != "ok") out.storage_problems.push_back(finding);
      }
    }
    if (!out.storage_problems.empty()) return out;  // reading more of a damaged file may fail
    {
      Stmt s(db_, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='journal_head'");
      ZHIDU_TRY(bool row, s.Step("read journal head"));
      out.keeps_head = row && s.Int(0) > 0;
    }
    if (out.keeps_head) {
      Stmt s(db_, "SELECT seq, hash FROM journal_head WHERE id=1");
      ZHIDU_TRY(bool row, s.Step("read journal head"));
      if (row) out.recorded_head = JournalHead{s.Int(0), s.Digest(1)};
    }
    Stmt s(db_, "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM sites)");
    ZHIDU_TRY(bool row, s.Step("count accounts and sites"));
    if (row) out.data_rows = s.Int(0);
    return out;
  }
  Result<void> AppendJournal(const JournalRecord& r) override {
    Stmt s(db_,
           "INSERT INTO journal(seq, at, kind, actor, subject, payload, prev_hash, hash) "
           "VALUES(?,?,?,?,?,?,?,?)");
    s.Bind(r.seq).Bind(r.at).Bind(r.kind).Bind(r.actor).Bind(r.subject).Bind(r.payload);
    s.BindBlob(r.prev_hash.data(), 32).BindBlob(r.hash.data(), 32);
    return Done(s, "append journal record");
  }
  Result<std::vector<JournalRecord>> ReadJournal(std::int64_t after_seq, int limit) override {
    std::string sql =
        std::string("SELECT ") + kJournalColumns + " FROM journal WHERE seq>? ORDER BY seq LIMIT ?";
    Stmt s(db_, sql);
    s.Bind(after_seq).Bind(limit);
    return Collect<JournalRecord>(s, "read journal", MapJournal);
  }
  Result<void> ScanJournalRange(std::int64_t first_seq, std::int64_t last_seq,
                                const std::function<bool(const JournalRecord&)>& visit) override {
    // seq is the rowid: this is the physical order, so a renumbered row shows up where it is.
    std::string sql = std::string("SELECT ") + kJournalColumns +
                      " FROM journal WHERE rowid BETWEEN ? AND ? ORDER BY rowid";
    Stmt s(db_, sql);
    s.Bind(first_seq).Bind(last_seq);
    JournalRecord record;  // reused: one allocation per field for the whole scan, not per row
    for (;;) {
      ZHIDU_TRY(bool row, s.Step("scan journal"));
      if (!row) return Ok();
      MapJournalInto(s, record);
      if (!visit(record)) return Ok();
    }
  }

  // ---- webhook channels
  Result<Id> InsertWebhookChannel(const WebhookChannel& v) override {
    Stmt s(db_,
           "INSERT INTO webhook_channels(name, format, url, kinds, site_id, created_by, "
           "created_at, disabled) VALUES(?,?,?,?,?,?,?,?)");
    s.Bind(v.name).Bind(v.format).Bind(v.url).Bind(v.kinds).BindRef(v.site_id);
    s.Bind(v.created_by).Bind(v.created_at).Bind(v.disabled);
    return Insert(s, "insert webhook channel");
  }
  Result<WebhookChannel> GetWebhookChannel(Id id) override {
    std::string sql =
        std::string("SELECT ") + kWebhookColumns + " FROM webhook_channels WHERE id=?";
    Stmt s(db_, sql);
    s.Bind(id);
    return One<WebhookChannel>(s, "get webhook channel",
                               "webhook channel " + std::to_string(id) + " does not exist",
                               MapWebhookChannel);
  }
  Result<std::vector<WebhookChannel>> ListWebhookChannels(bool include_disabled) override {
    std::string sql = std::string("SELECT ") + kWebhookColumns +
                      " FROM webhook_channels WHERE ?=1 OR disabled=0 ORDER BY id";
    Stmt s(db_, sql);
    s.Bind(include_disabled);
    return Collect<WebhookChannel>(s, "list webhook channels", MapWebhookChannel);
  }
  Result<void> DisableWebhookChannel(Id id) override {
    Stmt s(db_, "UPDATE webhook_channels SET disabled=1 WHERE id=? AND disabled=0 RETURNING id");
    s.Bind(id);
    ZHIDU_TRY(bool row, s.Step("disable webhook channel"));
    if (row) return Ok();
    ZHIDU_TRY(auto channel, GetWebhookChannel(id));
    (void)channel;
    return Fail(Errc::kFailedPrecondition,
                "webhook channel " + std::to_string(id) + " is already deleted");
  }

 private:
  // A conditional timer transition: no row changed means the timer is not claimed by `node_id`.
  Result<void> Transition(Stmt& s, Id id, const std::string& node_id, std::string_view what) {
    ZHIDU_TRY(bool row, s.Step(what));
    if (row) return Ok();
    ZHIDU_TRY(Timer t, GetTimer(id));
    return Fail(Errc::kConflict, std::string(what) + ": timer " + std::to_string(id) + " is " +
                                     std::string(TimerStateName(t.state)) + " by \"" +
                                     t.claimed_by + "\", not claimed by \"" + node_id + "\"");
  }
  Result<Id> Insert(Stmt& s, std::string_view what) {
    ZHIDU_TRY(bool row, s.Step(what));
    (void)row;
    return sqlite3_last_insert_rowid(db_->db);
  }
  // An UPDATE by id (no RETURNING: SQLite buffers RETURNING rows in an ephemeral b-tree per
  // statement, which was a third of W1's writer CPU, docs/performance.md); kNotFound when it
  // changed no row.
  Result<void> Changed(Stmt& s, std::string_view what, std::string_view noun, Id id) {
    ZHIDU_TRY(bool row, s.Step(what));
    if (!row && sqlite3_changes(db_->db) == 0)
      return Fail(Errc::kNotFound,
                  std::string(noun) + " " + std::to_string(id) + " does not exist");
    return Ok();
  }
  Result<void> Done(Stmt& s, std::string_view what) {
    ZHIDU_TRY(bool row, s.Step(what));
    (void)row;
    return Ok();
  }

  Conn* db_;
  std::function<void(Conn*)> release_;
  SqliteSql sql_;
  bool finished_ = false;
};

// ---------------------------------------------------------------- store

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<Conn> writer, int read_connections)
      : path_(std::move(path)), writer_(std::move(writer)), max_readers_(read_connections) {}

  std::string_view backend() const override { return "sqlite"; }

  Result<void> Migrate() override {
    sqlite3* db = writer_->db;
    ZHIDU_TRY_VOID(Exec(db,
                        "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
                        "applied_at INTEGER NOT NULL)",
                        "create schema_migrations"));
    ZHIDU_TRY(int current, SchemaVersion());
    const auto& migrations = SqliteMigrations();
    for (int v = current + 1; v <= static_cast<int>(migrations.size()); ++v) {
      ZHIDU_TRY_VOID(Exec(db, "BEGIN IMMEDIATE", "begin migration"));
      auto applied = Exec(db, migrations[v - 1], "migration " + std::to_string(v));
      if (applied) {
        Stmt s(
            writer_.get(),
            "INSERT INTO schema_migrations(version, applied_at) VALUES(?, strftime('%s','now'))");
        s.Bind(v);
        auto r = s.Step("record migration");
        if (!r) applied = Fail(r.error());
      }
      if (!applied) {
        (void)Exec(db, "ROLLBACK", "rollback migration");
        return Fail(applied.error());
      }
      ZHIDU_TRY_VOID(Exec(db, "COMMIT", "commit migration"));
    }
    return Ok();
  }

  Result<void> MigrateModule(std::string_view module,
                             const std::vector<Migration>& migrations) override {
    sqlite3* db = writer_->db;
    ZHIDU_TRY_VOID(Exec(db,
                        "CREATE TABLE IF NOT EXISTS module_migrations(module TEXT NOT NULL, "
                        "version INTEGER NOT NULL, applied_at INTEGER NOT NULL, "
                        "PRIMARY KEY(module, version))",
                        "create module_migrations"));
    int current = 0;
    {
      Stmt s(writer_.get(),
             "SELECT coalesce(max(version),0) FROM module_migrations WHERE module=?");
      s.Bind(module);
      ZHIDU_TRY(bool row, s.Step("read module schema version"));
      if (row) current = static_cast<int>(s.Int(0));
    }
    for (const auto& m : migrations) {
      if (m.version <= current) continue;
      std::string what = std::string(module) + " migration " + std::to_string(m.version);
      ZHIDU_TRY_VOID(Exec(db, "BEGIN IMMEDIATE", "begin " + what));
      std::string ddl = DialectSql(m.sql, Dialect::kSqlite);
      auto applied = Exec(db, ddl.c_str(), what);
      if (applied) {
        Stmt s(writer_.get(),
               "INSERT INTO module_migrations(module, version, applied_at) "
               "VALUES(?, ?, strftime('%s','now'))");
        s.Bind(module).Bind(m.version);
        auto r = s.Step("record " + what);
        if (!r) applied = Fail(r.error());
      }
      if (!applied) {
        (void)Exec(db, "ROLLBACK", "rollback " + what);
        return Fail(applied.error());
      }
      ZHIDU_TRY_VOID(Exec(db, "COMMIT", "commit " + what));
    }
    return Ok();
  }

  Result<int> SchemaVersion() override {
    Stmt s(writer_.get(), "SELECT coalesce(max(version),0) FROM schema_migrations");
    ZHIDU_TRY(bool row, s.Step("read schema version"));
    return row ? static_cast<int>(s.Int(0)) : 0;
  }

  Result<std::unique_ptr<UnitOfWork>> BeginWrite() override {
    auto unit = std::make_unique<SqliteUnit>(writer_.get(), [](Conn*) {});
    ZHIDU_TRY_VOID(unit->Begin(true));
    return std::unique_ptr<UnitOfWork>(std::move(unit));
  }

  Result<std::unique_ptr<UnitOfWork>> BeginRead() override {
    std::unique_ptr<Conn> db;
    {
      std::lock_guard lock(mu_);
      if (!idle_readers_.empty()) {
        db = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (!db) {
      ZHIDU_TRY(db, OpenConnection(path_, true));
    }
    // The unit borrows the connection; Return takes ownership back (pool or close).
    auto unit = std::make_unique<SqliteUnit>(db.release(), [this](Conn* conn) { Return(conn); });
    ZHIDU_TRY_VOID(unit->Begin(false));
    return std::unique_ptr<UnitOfWork>(std::move(unit));
  }

 private:
  void Return(Conn* db) {
    std::unique_ptr<Conn> owned(db);
    std::lock_guard lock(mu_);
    if (static_cast<int>(idle_readers_.size()) < max_readers_)
      idle_readers_.push_back(std::move(owned));
    // else: closed (statements finalized) by `owned`'s destructor
  }

  std::string path_;
  std::unique_ptr<Conn> writer_;
  int max_readers_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_readers_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, int read_connections) {
  ZHIDU_TRY(auto writer, OpenConnection(path, false));
  return std::unique_ptr<Store>(
      std::make_unique<SqliteStore>(path, std::move(writer), read_connections));
}

}  // namespace zhidu::store
