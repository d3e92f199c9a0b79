// Handovers (交接班): their statements, written once — the same SQL runs on SQLite and PostgreSQL
// through store::Sql. Times are microseconds, 0 for "not yet" (NOT NULL DEFAULT 0 columns).
#include "modules/handover/handover_store.hpp"

#include "base/name_table.hpp"
#include "store/sql_where.hpp"

namespace zhidu::handover::db {
namespace {

using store::Id;
using store::SqlMicros;

constexpr const char* kSelect =
    "SELECT id, site_id, post_id, checklists, shift_change, report_from, outgoing_person, "
    "incoming_person, opened_by, state, opened_at, report, report_sha256, answers, "
    "acknowledgements, signatures, refusal, seal_sha256, closed_at FROM handovers";

Handover Map(const store::SqlRow& s) {
  Handover h;
  h.id = s.Int(0);
  h.site_id = s.Int(1);
  h.post_id = s.Int(2);
  h.checklists = s.Text(3);
  h.shift_change = s.Time(4);
  h.report_from = s.Time(5);
  h.outgoing_person = s.Int(6);
  h.incoming_person = s.Int(7);
  h.opened_by = s.Int(8);
  h.state = ParseHandoverState(s.Text(9)).value_or(HandoverState::kOpen);
  h.opened_at = s.Time(10);
  h.report = s.Text(11);
  h.report_sha256 = s.Text(12);
  h.answers = s.Text(13);
  h.acknowledgements = s.Text(14);
  h.signatures = s.Text(15);
  h.refusal = s.Text(16);
  h.seal_sha256 = s.Text(17);
  h.closed_at = s.Time(18);
  return h;
}

std::string Name(HandoverState s) { return std::string(HandoverStateName(s)); }

}  // namespace

Result<Id> InsertHandover(store::Sql& sql, const Handover& v) {
  return sql.Insert(
      "insert handover",
      "INSERT INTO handovers(site_id, post_id, checklists, shift_change, report_from, "
      "outgoing_person, incoming_person, opened_by, state, opened_at, report, report_sha256, "
      "answers, acknowledgements, signatures, refusal, seal_sha256, closed_at) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.site_id, v.post_id, v.checklists, SqlMicros(v.shift_change), SqlMicros(v.report_from),
       v.outgoing_person, v.incoming_person, v.opened_by, Name(v.state), SqlMicros(v.opened_at),
       v.report, v.report_sha256, v.answers, v.acknowledgements, v.signatures, v.refusal,
       v.seal_sha256, SqlMicros(v.closed_at)});
}

Result<Handover> GetHandover(store::Sql& sql, Id id) {
  return sql.One<Handover>("get handover", std::string(kSelect) + " WHERE id=?", {id}, Map,
                           "handover " + std::to_string(id) + " does not exist");
}

Result<void> UpdateHandover(store::Sql& sql, const Handover& v) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update handover",
                     "UPDATE handovers SET state=?, answers=?, acknowledgements=?, signatures=?, "
                     "refusal=?, seal_sha256=?, closed_at=? WHERE id=? AND state='open'",
                     {Name(v.state), v.answers, v.acknowledgements, v.signatures, v.refusal,
                      v.seal_sha256, SqlMicros(v.closed_at), v.id}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(Handover h, GetHandover(sql, v.id));
  return Fail(Errc::kFailedPrecondition,
              "handover " + std::to_string(v.id) + " is already " + Name(h.state));
}

Result<std::vector<Handover>> ListHandovers(store::Sql& sql, const HandoverFilter& f,
                                            store::PageRequest page) {
  store::SqlWhere where;
  where.AndIf(f.site_id != 0, "site_id=?", f.site_id)
      .AndIf(f.post_id != 0, "post_id=?", f.post_id)
      .AndIf(f.state.has_value(), "state=?", f.state ? Name(*f.state) : std::string())
      .And("id>?", page.after_id);
  return sql.Many<Handover>("list handovers", kSelect + where.text() + " ORDER BY id LIMIT ?",
                            where.Params({store::SqlLimit(page.limit)}), Map);
}

Result<std::optional<Handover>> LatestHandover(store::Sql& sql, Id post_id, HandoverState state) {
  std::optional<Handover> out;
  ZHIDU_TRY_VOID(
      sql.Query("latest handover",
                std::string(kSelect) + " WHERE post_id=? AND state=? ORDER BY id DESC LIMIT 1",
                {post_id, Name(state)}, [&](const store::SqlRow& r) { out = Map(r); }));
  return out;
}

}  // namespace zhidu::handover::db

namespace zhidu::handover {
namespace {
constexpr NameTable<HandoverState, 3> kHandoverStates = {{
    {HandoverState::kOpen, "open"},
    {HandoverState::kRefused, "refused"},
    {HandoverState::kCompleted, "completed"},
}};
}  // namespace

std::string_view HandoverStateName(HandoverState s) { return NameIn(kHandoverStates, s); }
std::optional<HandoverState> ParseHandoverState(std::string_view n) {
  return ParseIn(kHandoverStates, n);
}

}  // namespace zhidu::handover
