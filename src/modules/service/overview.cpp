// A customer's overview (overview.hpp): one read of the surveys, the pack's forms on their
// complaints, the feedback and the callbacks recorded for them.
#include "modules/service/overview.hpp"

namespace zhidu::service {

namespace {

using IdText = std::pair<store::Id, std::string>;

int CountOf(store::Sql& sql, const char* what, const std::string& query, store::Id customer_id) {
  int n = 0;
  auto done = sql.Query(what, query, {customer_id},
                        [&](const store::SqlRow& r) { n = static_cast<int>(r.Int(0)); });
  return done ? n : -1;
}

}  // namespace

Result<CustomerOverview> Overview::Of(const org::Principal& who, store::Id customer_id) const {
  CustomerOverview out;
  ZHIDU_TRY(out.customer, service_.GetCustomer(who, customer_id, false));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto& sql = unit->sql();
  const store::Id id = customer_id;
  const std::string limit = " LIMIT " + std::to_string(kOverviewListLimit);
  struct Counted {
    int* into;
    const char* what;
    const char* query;
  };
  for (const auto& c : std::initializer_list<Counted>{
           {&out.contacts, "customer's contacts",
            "SELECT COUNT(*) FROM service_contacts WHERE customer_id = ?"},
           {&out.tickets, "customer's tickets",
            "SELECT COUNT(*) FROM service_tickets WHERE customer_id = ?"},
           {&out.open_tickets, "customer's open tickets",
            "SELECT COUNT(*) FROM service_tickets WHERE customer_id = ? AND "
            "state IN ('new','open','pending')"},
           {&out.complaints, "customer's complaints",
            "SELECT COUNT(*) FROM service_tickets WHERE customer_id = ? AND complaint = 1"},
           {&out.orders, "customer's orders",
            "SELECT COUNT(*) FROM service_orders WHERE customer_id = ?"},
           {&out.surveys_answered, "customer's answers",
            "SELECT COUNT(*) FROM service_surveys s JOIN service_tickets t ON t.id = s.ticket_id "
            "WHERE t.customer_id = ? AND s.state = 'answered'"},
           {&out.surveys_satisfied, "customer's satisfied answers",
            "SELECT COUNT(*) FROM service_surveys s JOIN service_tickets t ON t.id = s.ticket_id "
            "WHERE t.customer_id = ? AND s.state = 'answered' AND s.satisfied = 1"}}) {
    *c.into = CountOf(sql, c.what, c.query, id);
    if (*c.into < 0) return Fail(Errc::kInternal, std::string("could not count the ") + c.what);
  }

  ZHIDU_TRY(out.surveys,
            sql.Many<OverviewSurvey>(
                "customer's survey answers",
                "SELECT s.ticket_id, t.subject, s.channel, s.score, s.scale_size, s.satisfied, "
                "s.reason, s.answered_at, s.scale FROM service_surveys s JOIN service_tickets t "
                "ON t.id = s.ticket_id WHERE t.customer_id = ? AND s.state = 'answered' "
                "ORDER BY s.answered_at DESC, s.id DESC" +
                    limit,
                {id}, [](const store::SqlRow& r) {
                  OverviewSurvey v;
                  v.ticket_id = r.Int(0);
                  v.subject = r.Text(1);
                  v.channel = ParseSurveyChannel(r.Text(2)).value_or(SurveyChannel::kLink);
                  v.score = static_cast<int>(r.Int(3));
                  v.scale_size = static_cast<int>(r.Int(4));
                  v.satisfied = r.Flag(5);
                  v.reason = r.Text(6);
                  v.answered_at = r.Time(7);
                  auto labels = policy::ParamListItems(r.Text(8));
                  if (v.score >= 1 && v.score <= static_cast<int>(labels.size()))
                    v.label = labels[v.score - 1];
                  return v;
                }));

  // The pack's 客户反馈表: the procedures a complaint starts, on the customer's complaints.
  auto pack = pack_.Current();
  std::vector<const policy::Procedure*> forms;
  if (pack)
    for (const auto& p : pack->procedures())
      if (p.trigger == kComplaintReceived) forms.push_back(&p);
  if (!forms.empty()) {
    ZHIDU_TRY(auto complaints,
              sql.Many<IdText>("customer's complaints",
                               "SELECT id, subject FROM service_tickets WHERE customer_id = ? AND "
                               "complaint = 1 ORDER BY id DESC" +
                                   limit,
                               {id}, [](const store::SqlRow& r) {
                                 return std::pair{r.Int(0), r.Text(1)};
                               }));
    for (const auto& [ticket, subject] : complaints) {
      store::ProcedureFilter f;
      f.site_id = out.customer.site_id;
      f.ref = "ticket/" + std::to_string(ticket);
      ZHIDU_TRY(auto instances, unit->ListProcedureInstances(f, {0, 100}));
      for (const auto& i : instances)
        for (const auto* p : forms) {
          if (p->id != i.procedure) continue;
          OverviewForm o{ticket,   i.id,    subject, i.procedure,
                         p->title, i.state, i.state, i.closed_at == TimePoint{}};
          for (const auto& st : p->states)
            if (st.id == i.state && !st.title.empty()) o.state_title = st.title;
          out.forms.push_back(std::move(o));
        }
    }
  }

  const store::PageRequest newest{0, kOverviewListLimit};
  ZHIDU_TRY(out.feedback, db::ListFeedback(sql, out.customer.site_id, "", newest, id));
  auto categories = desk_.Categories();
  for (const auto& f : out.feedback) {
    std::string label = f.category;
    for (const auto& c : categories)
      if (c.id == f.category) label = c.label;
    out.feedback_labels.push_back(label);
  }
  ZHIDU_TRY(out.callbacks, db::ListCallbacks(sql, out.customer.site_id, false, newest, id));
  for (auto& b : out.callbacks) b.phone = Mask(b.phone);
  return out;
}

}  // namespace zhidu::service
