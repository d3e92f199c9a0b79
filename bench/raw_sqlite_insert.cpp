// W1 same-run limit: the rows zhidu writes, inserted by plain SQLite with prepared statements, in
// batches of the size zhidu's group commit achieved, with zhidu's schema (migrations applied by
// the store) and zhidu's settings (WAL, synchronous=FULL, foreign_keys=ON). No HTTP, no
// savepoints, no auth, no statement preparation per row: what SQLite alone can do on this disk.
//   --rows people (default): what one `POST /api/v1/people` writes (a people row + its journal
//     record); a "row" is one person.
//   --rows alarm: what one ingested alarm event writes (docs/alarms.md), over --points points that
//     alternate active/normal: an activation updates the point, inserts the activation, adds a
//     repeat to the point's duty-log entry and appends `alarm.activated`; a return updates the
//     point and appends `alarm.returned`. A "row" is one event.
//
//   bench_raw_sqlite_insert --db FILE --batch B [--rows people|alarm] [--points 1000]
//                           [--seconds 5] [--max-rows 5000000]
// Prints one JSON object on stdout. Only the time inside SQLite (BEGIN..COMMIT) is counted; the
// rows and their hashes are prepared before each batch.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "base/time.hpp"
#include "bench/bench_common.hpp"
#include "store/journal.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace zhidu;
using Steady = std::chrono::steady_clock;

namespace {

bool Check(sqlite3* db, int rc, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return true;
  std::cerr << what << ": " << sqlite3_errmsg(db) << "\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  int batch = 64;
  double seconds = 5;
  std::int64_t max_rows = 5000000, points = 1000;
  std::string kind = "people";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--db")
      path = argv[i + 1];
    else if (a == "--batch")
      batch = std::max(1, std::stoi(argv[i + 1]));
    else if (a == "--seconds")
      seconds = std::stod(argv[i + 1]);
    else if (a == "--rows")
      kind = argv[i + 1];
    else if (a == "--points")
      points = std::max<std::int64_t>(1, std::stoll(argv[i + 1]));
    else if (a == "--max-rows")
      max_rows = std::stoll(argv[i + 1]);
    else {
      std::cerr << "unknown argument " << a << "\n";
      return 2;
    }
  }
  if (path.empty()) {
    std::cerr << "usage: bench_raw_sqlite_insert --db FILE --batch B [--seconds S]\n";
    return 2;
  }
  {  // zhidu's schema, exactly
    auto store = store::OpenSqliteStore(path);
    if (!store || !(*store)->Migrate()) {
      std::cerr << "cannot create the schema in " << path << "\n";
      return 2;
    }
  }
  sqlite3* db = nullptr;
  if (!Check(db, sqlite3_open(path.c_str(), &db), "open")) return 2;
  if (!Check(db,
             sqlite3_exec(db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                          "PRAGMA foreign_keys=ON; INSERT INTO sites(name, time_zone, created_at) "
                          "VALUES('压测站点', 'Asia/Shanghai', 0)",
                          nullptr, nullptr, nullptr),
             "configure"))
    return 2;
  sqlite3_stmt *person = nullptr, *journal = nullptr, *point = nullptr, *activation = nullptr,
               *repeat = nullptr;
  auto prepare = [&](const char* sql, sqlite3_stmt** st) {
    return Check(db, sqlite3_prepare_v2(db, sql, -1, st, nullptr), sql);
  };
  bool prepared =
      prepare(
          "INSERT INTO people(site_id, department_id, team_id, name, employee_no, phone, "
          "created_at) VALUES(1,NULL,NULL,?,NULL,?,?)",
          &person) &&
      prepare(
          "INSERT INTO journal(seq, at, kind, actor, subject, payload, prev_hash, hash) "
          "VALUES(?,?,?,?,?,?,?,?)",
          &journal);
  const bool alarm = kind == "alarm";
  if (alarm) {  // the points and their duty-log entries exist before the events (not timed)
    std::string setup = "BEGIN;";
    for (std::int64_t p = 1; p <= points; ++p) {
      const auto id = std::to_string(p);
      setup +=
          "INSERT INTO alarm_points(id, site_id, source, tag, title, kind, priority, state, "
          "log_entry_id, created_at) VALUES(" +
          id + ",1,'fas-bench','P" + id + "','烟感','fire',3,'normal'," + id + ",0);";
      setup += "INSERT INTO duty_log(id, site_id, kind, text, at, ref, last_at) VALUES(" + id +
               ",1,'alarm','烟感报警（fas-bench/P" + id + "）',0,'alarm/" + id + "',0);";
    }
    setup += "COMMIT;";
    prepared =
        prepared &&
        Check(db, sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr), "alarm points") &&
        prepare(
            "UPDATE alarm_points SET state=?, active_since=?, changed_at=?, "
            "activations=activations+? WHERE id=?",
            &point) &&
        prepare(
            "INSERT INTO alarm_activations(site_id, point_id, post_id, at, value, "
            "annunciated) VALUES(1,?,0,?,'1',1)",
            &activation) &&
        prepare(
            "UPDATE duty_log SET repeat_count=repeat_count+1, last_at=max(last_at, ?) "
            "WHERE id=?",
            &repeat);
  } else if (kind != "people") {
    std::cerr << "--rows is people or alarm\n";
    return 2;
  }
  if (!prepared) return 2;

  struct Row {
    std::string name;
    std::int64_t point = 0;
    bool active = false;
    store::JournalRecord record;
  };
  std::vector<Row> rows(static_cast<size_t>(batch));
  store::JournalHead head;
  std::int64_t done = 0, commits = 0;
  double inside = 0;
  std::vector<double> commit_ms;
  const auto started = Steady::now();
  const auto deadline = started + std::chrono::duration<double>(seconds);
  const std::string phone = "13800000000";
  while (done < max_rows && Steady::now() < deadline) {
    for (int i = 0; i < batch; ++i) {  // prepare the batch (not timed)
      const std::int64_t id = done + i + 1;
      auto& r = rows[static_cast<size_t>(i)];
      r.record = {};
      r.record.at = TimePoint(Micros(1767196800LL * 1000000 + id));
      r.record.actor = alarm ? 0 : 1;
      if (alarm) {
        r.point = (id - 1) % points + 1;
        r.active = ((id - 1) / points) % 2 == 0;
        r.record.kind = r.active ? "alarm.activated" : "alarm.returned";
        r.record.subject = "alarm/" + std::to_string(r.point);
        CanonicalObject payload;
        payload.Add("id", r.point).Add("site_id", std::int64_t{1}).Add("source", "fas-bench");
        payload.Add("tag", "P" + std::to_string(r.point)).Add("title", "烟感");
        payload.Add("state", r.active ? "active_unack" : "rtn_unack");
        payload.Add("at", FormatIso8601Utc(r.record.at)).Add("value", "1");
        if (r.active)
          payload.Add("annunciated", true).Add("log_entry", r.point).Add("merged", true);
        r.record.payload = payload.Str();
      } else {
        r.name = "压测人员-raw-" + std::to_string(id);
        r.record.kind = "org.person.created";
        r.record.subject = "person/" + std::to_string(id);
        r.record.payload = CanonicalObject()
                               .Add("name", r.name)
                               .Add("site_id", std::int64_t{1})
                               .Add("department_id", std::int64_t{0})
                               .Add("team_id", std::int64_t{0})
                               .Add("employee_no", "")
                               .Add("phone", phone)
                               .Str();
      }
      store::Chain(r.record, head);
    }
    const auto t0 = Steady::now();
    bool ok = Check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), "begin");
    for (int i = 0; ok && i < batch; ++i) {
      const auto& r = rows[static_cast<size_t>(i)];
      const auto at = static_cast<sqlite3_int64>(r.record.at.time_since_epoch().count());
      if (alarm) {
        const char* state = r.active ? "active_unack" : "rtn_unack";
        sqlite3_bind_text(point, 1, state, -1, SQLITE_STATIC);
        sqlite3_bind_int64(point, 2, r.active ? at : 0);
        sqlite3_bind_int64(point, 3, at);
        sqlite3_bind_int64(point, 4, r.active ? 1 : 0);
        sqlite3_bind_int64(point, 5, r.point);
        ok = Check(db, sqlite3_step(point), "update point");
        sqlite3_reset(point);
        if (r.active) {
          sqlite3_bind_int64(activation, 1, r.point);
          sqlite3_bind_int64(activation, 2, at);
          ok = ok && Check(db, sqlite3_step(activation), "insert activation");
          sqlite3_reset(activation);
          sqlite3_bind_int64(repeat, 1, at);
          sqlite3_bind_int64(repeat, 2, r.point);
          ok = ok && Check(db, sqlite3_step(repeat), "duty log repeat");
          sqlite3_reset(repeat);
        }
      } else {
        sqlite3_bind_text(person, 1, r.name.data(), static_cast<int>(r.name.size()), SQLITE_STATIC);
        sqlite3_bind_text(person, 2, phone.data(), static_cast<int>(phone.size()), SQLITE_STATIC);
        sqlite3_bind_int64(person, 3, at);
        ok = Check(db, sqlite3_step(person), "insert person");
        sqlite3_reset(person);
      }
      const auto& j = r.record;
      sqlite3_bind_int64(journal, 1, j.seq);
      sqlite3_bind_int64(journal, 2, at);
      sqlite3_bind_text(journal, 3, j.kind.data(), static_cast<int>(j.kind.size()), SQLITE_STATIC);
      sqlite3_bind_int64(journal, 4, j.actor);
      sqlite3_bind_text(journal, 5, j.subject.data(), static_cast<int>(j.subject.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(journal, 6, j.payload.data(), static_cast<int>(j.payload.size()),
                        SQLITE_STATIC);
      sqlite3_bind_blob(journal, 7, j.prev_hash.data(), 32, SQLITE_STATIC);
      sqlite3_bind_blob(journal, 8, j.hash.data(), 32, SQLITE_STATIC);
      ok = ok && Check(db, sqlite3_step(journal), "insert journal");
      sqlite3_reset(journal);
    }
    const auto t1 = Steady::now();
    ok = ok && Check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
    const auto t2 = Steady::now();
    if (!ok) return 1;
    inside += std::chrono::duration<double>(t2 - t0).count();
    commit_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    done += batch;
    commits++;
  }
  const double wall = std::chrono::duration<double>(Steady::now() - started).count();
  for (auto* st : {person, journal, point, activation, repeat}) sqlite3_finalize(st);
  sqlite3_close(db);
  std::sort(commit_ms.begin(), commit_ms.end());
  auto pct = [&](double p) {
    if (commit_ms.empty()) return 0.0;
    return commit_ms[std::min(commit_ms.size() - 1, static_cast<size_t>(p * commit_ms.size()))];
  };
  std::printf(
      "{\"what\":\"%s\",\"rows\":%lld,\"batch\":%d,\"commits\":%lld,\"sqlite_seconds\":%.3f,\"wall_"
      "seconds\":%.3f,"
      "\"rows_per_s\":%.0f,\"commit_ms_p50\":%.3f,\"commit_ms_p99\":%.3f,\"peak_rss_kib\":%lld}\n",
      kind.c_str(), static_cast<long long>(done), batch, static_cast<long long>(commits), inside,
      wall, inside > 0 ? done / inside : 0.0, pct(0.5), pct(0.99),
      static_cast<long long>(bench::PeakRssKib()));
  return 0;
}
