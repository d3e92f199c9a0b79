// A customer's records the desk's lists do not give per customer (客户360°视图, issue 18 §10):
// the survey answers and return-visit records of their tickets, the pack's 客户反馈表 on their
// complaints, the 信息反馈 and the callbacks recorded for them, and counts over all their records.
// The profile, contacts, tickets and orders come from their own lists (?customer_id=). One read;
// phones masked as everywhere (R19 §二5)); nothing is stored. Who may read: anyone who may read the
// customer (a role at its site), else 404 like the customer itself.
#pragma once

#include <string>
#include <vector>

#include "modules/service/desk.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

// At most this many of each list, newest first (the counts cover them all). Our bound.
inline constexpr int kOverviewListLimit = 50;

struct OverviewSurvey {  // an answered survey or a return-visit record
  store::Id ticket_id = 0;
  std::string subject;
  SurveyChannel channel = SurveyChannel::kLink;
  int score = 0, scale_size = 0;
  std::string label;  // the score's label on the link's scale ("" for a return visit)
  bool satisfied = false;
  std::string reason;
  TimePoint answered_at;
};

struct OverviewForm {  // an instance of the pack's 客户反馈表 on a complaint ticket
  store::Id ticket_id = 0, instance_id = 0;
  std::string subject, procedure, title, state, state_title;
  bool open = false;
};

struct CustomerOverview {
  Customer customer;  // masked
  int contacts = 0, tickets = 0, open_tickets = 0, complaints = 0, orders = 0;
  int surveys_answered = 0, surveys_satisfied = 0;
  std::vector<OverviewSurvey> surveys;
  std::vector<OverviewForm> forms;
  std::vector<Feedback> feedback;
  std::vector<std::string> feedback_labels;  // the pack's label of each feedback's category
  std::vector<Callback> callbacks;           // phones masked
};

class Overview {
 public:
  Overview(store::Store& store, const policy::ActivePack& pack, Service& service, const Desk& desk)
      : store_(store), pack_(pack), service_(service), desk_(desk) {}

  // 404 (the customer unknown or of a site the reader has no role at).
  Result<CustomerOverview> Of(const org::Principal& who, store::Id customer_id) const;

 private:
  store::Store& store_;
  const policy::ActivePack& pack_;
  Service& service_;
  const Desk& desk_;
};

}  // namespace zhidu::service
