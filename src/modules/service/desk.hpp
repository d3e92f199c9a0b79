// The service desk's R17 registers (issue 18 §8): information feedback (信息反馈, R17 §二) in the
// pack's categories, routed to the role the pack names for each, and the callback register
// (回拨登记, R17 §行为规范·二7/二8) whose promised time is a deadline of the kernel's engine.
//
// The pack's part (nothing here names a cn-default category, role, record id or figure):
//  - the categories are the `check` fields of the pack's record RuleNamed kInfoFeedbackRecord
//    (cn-default: r17-info-feedback, six fields citing R17 §二(1)–(6)); a feedback raises
//    kInfoFeedback (ref feedback/ID, data kCategoryInput = the field's id) on which the pack's
//    procedure routes it (cn-default r17-feedback-routing: a guarded transition per category to a
//    state whose assignment is the task of the role that handles it) and its service level times
//    it (r17-feedback-timely, a site parameter without a default);
//  - a callback raises kCallbackPromised (ref callback/ID, data `promised` = the promised time,
//    the due_from field of the pack's level: r17-callback-promised, breach escalated as the pack
//    says); recording it done raises kCallbackDone, which stops that deadline (met or met late).
//
// Invariants:
//  1. A feedback or a callback is written with its journal record and its events in one
//     transaction, or not at all; a refused request writes nothing.
//  2. A callback is recorded done once (a second time is a 409 callback.already_done).
//  3. Phones leave this module masked (R19 §二5)), as the customer archive's do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/bus.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/types.hpp"
#include "store/writer.hpp"

namespace zhidu::service {

inline constexpr std::string_view kInfoFeedback = "info_feedback";
inline constexpr std::string_view kCallbackPromised = "callback_promised";
inline constexpr std::string_view kCallbackDone = "callback_done";
inline constexpr std::string_view kCategoryInput = "feedback.category";
inline constexpr std::string_view kPromisedField = "promised";
inline constexpr std::string_view kInfoFeedbackRecord = "info-feedback";
inline constexpr std::string_view kCallbackRecord = "callback";

// A category as the pack declares it: a check field of its feedback record.
struct FeedbackCategory {
  std::string id, label;
  std::vector<std::string> clauses;
};

struct Feedback {
  store::Id id = 0;
  store::Id site_id = 0;
  std::string category;
  std::string detail;
  store::Id customer_id = 0;  // optional
  store::Id agent = 0;        // the person of the account that recorded it
  store::Id created_by = 0;
  TimePoint created_at;
};

// The feedback with the pack's instances and deadlines on it, and the roles it went to: the
// assignments' roles of the current state of each instance.
struct FeedbackView {
  Feedback feedback;
  std::string category_label;
  std::vector<std::string> clauses;
  std::vector<std::string> routed_to;
  std::vector<store::ProcedureInstance> procedures;
  std::vector<store::Deadline> deadlines;
};

struct Callback {
  store::Id id = 0;
  store::Id site_id = 0;
  store::Id customer_id = 0;
  std::string customer;  // its name (read)
  std::string phone;     // normalised; masked when it leaves the module
  std::string reason;
  TimePoint promised_at;
  store::Id agent = 0;
  store::Id created_by = 0;
  TimePoint created_at;
  TimePoint done_at;  // epoch: not yet called back
  store::Id done_by = 0;
  std::string outcome;
};

struct CallbackView {
  Callback callback;
  std::vector<store::Deadline> deadlines;
};

class Desk {
 public:
  Desk(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
       const runtime::EventBus& bus)
      : store_(store), writer_(writer), pack_(pack), bus_(bus) {}

  // The pack's categories (empty: the pack declares no feedback record).
  std::vector<FeedbackCategory> Categories() const;
  // 400 required/invalid naming the field, 400 feedback.unknown_category, 404
  // feedback.unknown_customer, 409 feedback.no_categories (the pack declares none).
  Result<FeedbackView> RecordFeedback(const org::Principal& who, Feedback in);
  Result<FeedbackView> GetFeedback(const org::Principal& who, store::Id id);
  Result<std::vector<Feedback>> ListFeedback(const org::Principal& who, store::Id site_id,
                                             const std::string& category, store::PageRequest page);

  // 400 required/invalid, 400 callback.promised_in_past, 404 callback.unknown_customer.
  Result<CallbackView> RecordCallback(const org::Principal& who, Callback in);
  Result<CallbackView> GetCallback(const org::Principal& who, store::Id id);
  // `open_only`: not yet called back, soonest promised first; else newest first.
  Result<std::vector<Callback>> ListCallbacks(const org::Principal& who, store::Id site_id,
                                              bool open_only, store::PageRequest page);
  // Called back now (409 callback.already_done the second time).
  Result<CallbackView> CallbackDone(const org::Principal& who, store::Id id,
                                    const std::string& outcome);

 private:
  Result<FeedbackView> FeedbackViewOf(store::UnitOfWork& unit, const Feedback& f);

  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const runtime::EventBus& bus_;
};

// The kernel's deadlines and the pack's procedure instances on a record's `ref` at `site_id`
// (either pointer may be null), as an order, a feedback and a callback show them.
Result<void> OnRef(store::UnitOfWork& unit, store::Id site_id, const std::string& ref,
                   std::vector<store::Deadline>* deadlines,
                   std::vector<store::ProcedureInstance>* procedures);

namespace db {
Result<store::Id> InsertFeedback(store::Sql& sql, const Feedback& v);
Result<Feedback> GetFeedback(store::Sql& sql, store::Id id);
// `customer_id` 0: every customer's.
Result<std::vector<Feedback>> ListFeedback(store::Sql& sql, store::Id site_id,
                                           const std::string& category, store::PageRequest page,
                                           store::Id customer_id = 0);
Result<store::Id> InsertCallback(store::Sql& sql, const Callback& v);
Result<Callback> GetCallback(store::Sql& sql, store::Id id);
Result<std::vector<Callback>> ListCallbacks(store::Sql& sql, store::Id site_id, bool open_only,
                                            store::PageRequest page, store::Id customer_id = 0);
// Sets done_at/done_by/outcome where it is not yet done; false when it was.
Result<bool> MarkCallbackDone(store::Sql& sql, const Callback& v);
}  // namespace db

}  // namespace zhidu::service
