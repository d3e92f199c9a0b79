// 合并工单 (issue 18 §2): a duplicate ticket merged into another of the same site. README "Merge".
//
// In one write transaction, or not at all:
//  1. the source is closed with merged_into = the target and a state entry naming it;
//  2. the target's thread gets an internal entry naming the source (merged_from, no
//     copied_from), then a copy of each of the source's customer messages, replies and notes, with
//     their kind, body, author and time (merged_from = the source, copied_from = the entry copied);
//     the source's thread is left as it was (append-only, invariant 3), and its state changes and
//     assignments are not copied (they are the source's history, and the daily statistics count
//     them);
//  3. kTicketMerged is raised on the source: the pack's service levels that stop on it (cn-default:
//     first response, next response, resolution) stop its running deadlines through the kernel's
//     engine, as any stop event does;
//  4. service.ticket.merged is journaled.
// A source with a pack procedure still open on it (cn-default: a complaint's 客户反馈表) is not
// merged: R06 §四(一)7 follows the form 直至客户满意 on its own ticket (merge the other way).
#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

namespace {

std::string Ref(store::Id id) { return "ticket/" + std::to_string(id); }
std::string Name(store::Id id) { return "ticket " + std::to_string(id); }

bool Conversation(EntryKind k) {
  return k == EntryKind::kCustomer || k == EntryKind::kReply || k == EntryKind::kNote;
}

// The target as the caller may see it, named by the field `into`.
Result<Ticket> Target(store::Sql& sql, const org::Principal& who, store::Id into) {
  auto t = TicketFor(sql, who, into);
  if (!t && t.error().code == Errc::kNotFound)
    return Fail(Errc::kNotFound, Reason{"service.unknown_ticket"}, Name(into) + " does not exist",
                "into");
  return t;
}

}  // namespace

Result<TicketView> Service::Merge(const org::Principal& who, store::Id id, store::Id into,
                                  const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxBody));
  if (into == 0) return Fail(Errc::kInvalidArgument, kRequired, "into is required", "into");
  if (into == id)
    return Fail(Errc::kInvalidArgument, Reason{"service.merge_into_self"},
                "a ticket is not merged into itself: name the ticket it duplicates", "into");
  auto pack = pack_.Current();
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    ZHIDU_TRY(Ticket src, TicketFor(sql, who, id));
    ZHIDU_TRY(Ticket dst, Target(sql, who, into));
    if (dst.site_id != src.site_id)
      return Fail(Errc::kConflict, Reason{"service.merge_other_site"},
                  Name(into) + " is another site's: tickets are merged within one site", "into");
    if (src.state == TicketState::kClosed)
      return Fail(Errc::kConflict, Reason{"service.merge_source_closed"},
                  Name(id) +
                      (src.merged_into ? " was merged into " + Name(src.merged_into)
                                       : std::string(" is closed")) +
                      " already");
    if (dst.state == TicketState::kClosed || dst.state == TicketState::kResolved)
      return Fail(Errc::kConflict, Reason{"service.merge_closed"},
                  Name(into) +
                      (dst.merged_into ? " was merged into " + Name(dst.merged_into)
                                       : " is " + std::string(StateName(dst.state))) +
                      ": merge into a ticket still being worked on (reopen it first)",
                  "into");
    store::ProcedureFilter pf;
    pf.site_id = src.site_id;
    pf.ref = Ref(src.id);
    pf.open = true;
    ZHIDU_TRY(auto running, unit.ListProcedureInstances(pf, {0, 10}));
    if (!running.empty()) {
      std::string title = running.front().procedure;
      std::vector<std::string> clauses;
      if (pack)
        for (const auto& p : pack->procedures())
          if (p.id == running.front().procedure) {
            title = p.title;
            clauses = p.clauses;
          }
      return Fail(Errc::kConflict, Reason{"service.merge_procedure_running"},
                  Name(id) + " runs 「" + title + "」 (" + Join(clauses, "、") +
                      "): it is followed to its end on this ticket — merge " + Name(into) +
                      " into it instead");
    }
    TimePoint now = tx.now();
    // 2. The target: the entry naming the source, then the source's conversation.
    Entry head;
    head.ticket_id = dst.id;
    head.kind = EntryKind::kNote;
    head.body = "合并工单 #" + std::to_string(src.id) + "「" + src.subject + "」" +
                (note.empty() ? "" : "：" + note);
    head.author = who.account_id;
    head.at = now;
    head.merged_from = src.id;
    ZHIDU_TRY(head.id, db::InsertEntry(tx, head));
    ZHIDU_TRY(auto thread, db::Thread(sql, src.id));
    std::int64_t copied = 0;
    for (Entry e : thread) {
      if (!Conversation(e.kind)) continue;
      e.copied_from = e.id;
      e.id = 0;
      e.ticket_id = dst.id;
      e.merged_from = src.id;
      ZHIDU_TRY(e.id, db::InsertEntry(tx, e));
      ++copied;
    }
    dst.updated_at = now;
    ZHIDU_TRY_VOID(db::UpdateTicket(sql, dst, dst.state));
    // 1. The source, closed and marked.
    TicketState from = src.state;
    Entry closing;
    closing.ticket_id = src.id;
    closing.kind = EntryKind::kState;
    closing.body = "已合并到工单 #" + std::to_string(dst.id) + (note.empty() ? "" : "：" + note);
    closing.from_state = std::string(StateName(from));
    closing.to_state = std::string(StateName(TicketState::kClosed));
    closing.author = who.account_id;
    closing.at = now;
    ZHIDU_TRY(closing.id, db::InsertEntry(tx, closing));
    src.state = TicketState::kClosed;
    src.closed_at = src.updated_at = now;
    src.merged_into = dst.id;
    ZHIDU_TRY_VOID(db::UpdateTicket(sql, src, from));
    // 4. The journal, then 3. the pack's clocks of the source stop.
    CanonicalObject payload;
    payload.Add("id", src.id)
        .Add("site_id", src.site_id)
        .Add("queue", src.queue)
        .Add("subject", src.subject)
        .Add("complaint", src.complaint)
        .Add("from", StateName(from))
        .Add("state", StateName(src.state))
        .Add("into", dst.id)
        .Add("into_subject", dst.subject)
        .Add("into_queue", dst.queue)
        .Add("entries_copied", copied)
        .Add("note", note);
    if (src.assignee) payload.Add("person_id", src.assignee);
    ZHIDU_TRY(auto seq,
              tx.Journal("service.ticket.merged", who.account_id, Ref(src.id), payload.Str()));
    (void)seq;
    ZHIDU_TRY_VOID(EmitTicketEvent(tx, src, kTicketMerged, who.account_id));
    return true;
  });
  if (!done) return Fail(done.error());
  return GetTicket(who, id);
}

}  // namespace zhidu::service
