#include "modules/service/carry.hpp"

#include "base/canonical_json.hpp"
#include "kernel/runtime/handover_events.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {
namespace {

using store::Id;

constexpr std::string_view kModule = "service";

bool NotResolved(TicketState s) {
  return s == TicketState::kNew || s == TicketState::kOpen || s == TicketState::kPending;
}

// The tickets of queue `post_id` that `person` holds and that are not resolved, by id.
Result<std::vector<Ticket>> OpenTicketsOf(store::Sql& sql, Id site_id, Id post_id, Id person) {
  TicketFilter f;
  f.site_id = site_id;
  f.queue_post_id = post_id;
  f.assignee = person;
  std::vector<Ticket> out;
  store::PageRequest page{0, 500};
  for (int guard = 0; guard < 200; ++guard) {
    ZHIDU_TRY(auto rows, db::ListTickets(sql, f, page));
    for (auto& t : rows)
      if (NotResolved(t.state)) out.push_back(std::move(t));
    if (static_cast<int>(rows.size()) < page.limit) break;
    page.after_id = rows.back().id;
  }
  return out;
}

// The line a person reads in the handover: 工单 #12 退款未到账（处理中，紧急）.
std::string Line(const Ticket& t) {
  static constexpr std::string_view kState[] = {"新建", "处理中", "等待客户", "已解决", "已关闭"};
  static constexpr std::string_view kPriority[] = {"低", "普通", "高", "紧急"};
  return "工单 #" + std::to_string(t.id) + " " + t.subject + "（" +
         std::string(kState[static_cast<int>(t.state)]) + "，" +
         std::string(kPriority[static_cast<int>(t.priority)]) + "）";
}

std::string Item(Id id) { return "ticket/" + std::to_string(id); }

std::string StringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& s : items) out += (out.size() > 1 ? "," : "") + JsonQuote(s);
  return out + "]";
}

}  // namespace

void SubscribeHandoverCarry(runtime::EventBus& bus) {
  bus.Subscribe<runtime::HandoverOpening>(
      std::string(kModule), [](store::Tx& tx, const runtime::HandoverOpening& e) -> Result<void> {
        ZHIDU_TRY(auto tickets,
                  OpenTicketsOf(tx.unit().sql(), e.site_id, e.post_id, e.outgoing_person));
        for (const auto& t : tickets)
          e.carried->push_back({Item(t.id), Line(t), std::string(kModule)});
        return Ok();
      });
  bus.Subscribe<runtime::HandoverCompleted>(
      std::string(kModule), [](store::Tx& tx, const runtime::HandoverCompleted& e) -> Result<void> {
        auto& sql = tx.unit().sql();
        ZHIDU_TRY(auto tickets, OpenTicketsOf(sql, e.site_id, e.post_id, e.outgoing_person));
        if (tickets.empty()) return Ok();
        ZHIDU_TRY(bool agent, db::IsAgentAt(sql, e.incoming_person, e.site_id));
        if (!agent)
          return Fail(Errc::kFailedPrecondition, Reason{"service.carry_not_agent"},
                      "the incoming (person " + std::to_string(e.incoming_person) +
                          ") holds no role at the site, so the " + std::to_string(tickets.size()) +
                          " open ticket(s) of the outgoing on post " + std::string(e.post) +
                          " cannot pass to them");
        const std::string note =
            "交接班 #" + std::to_string(e.handover_id) + "：未结工单由接班人接手";
        for (auto& t : tickets) {
          const TicketState state = t.state;
          t.assignee = e.incoming_person;
          t.updated_at = tx.now();
          ZHIDU_TRY_VOID(db::UpdateTicket(sql, t, state));
          Entry entry{0,       t.id,    EntryKind::kAssign, note, "", "", e.incoming_person,
                      e.actor, tx.now()};
          ZHIDU_TRY(entry.id, db::InsertEntry(tx, entry));
          CanonicalObject payload;
          payload.Add("id", t.id)
              .Add("site_id", t.site_id)
              .Add("queue", t.queue)
              .Add("subject", t.subject)
              .Add("priority", PriorityName(t.priority))
              .Add("state", StateName(t.state))
              .Add("person_id", e.incoming_person)
              .Add("from_person_id", e.outgoing_person)
              .Add("handover_id", e.handover_id)
              .Add("carried_over", true)
              .Add("note", note)
              .AddRaw("clauses", StringArray(e.clauses));
          ZHIDU_TRY(auto seq,
                    tx.Journal("service.ticket.assigned", e.actor, Item(t.id), payload.Str()));
          (void)seq;
          e.carried->push_back({Item(t.id), Line(t), std::string(kModule)});
        }
        return Ok();
      });
}

}  // namespace zhidu::service
