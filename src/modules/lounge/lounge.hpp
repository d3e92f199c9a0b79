// The VIP lounge (贵宾厅, R15): a guest arrives, is checked in from the ticket and the entry card
// within the pack's check-in time (R15 第十三条), is reminded before departure (第十四条) and
// escorted to the gate (第十五条). The module keeps the guest records and raises the site events
// the pack's procedure and service levels run on (cn-default: r15-vip-visit, r15-checkin-2min,
// r15-boarding-reminder); nothing in C++ names a role, post or regulation of a pack.
//
// Invariants:
//  1. arrived -> seated -> reminded -> escorted; seated|reminded -> missed (误车). Nothing else; a
//     step is a compare-and-set on the state, so a second check-in is a 409, never a second row.
//  2. Every step is journaled (lounge.guest.*) and raises its site event (kArrived … kEscorted,
//     ref lounge-guest/ID) in the transaction that records it: the step, its journal record, the
//     deadlines it stops and starts and the procedure's move commit together or not at all. The
//     check-in's event carries the departure as data.at (the pack's `before` service level counts
//     back from it) and the attendant as data.person_id.
//  3. A check-in names a train that has not left: its departure (given, or the site's timetable
//     time of the train on the check-in day) is after now; else 400 and nothing is written.
//  4. The attendant is told before the reminder is due: a durable timer at the reminder time less
//     the site's `lounge_reminder_notice` journals lounge.reminder.due, one record per person told
//     (docs/notifications.md person_id): whoever is on the site's posts that the pack staffs with
//     the roles that may record the reminder, and the attendant who seated the guest; when nobody
//     is on those posts, the record names those roles (notify_roles) instead. Unset: no timer, the
//     guest's notice_note says so — no figure is invented.
//  5. A missed train (误车) is recorded only after the departure, with who was responsible: when
//     the pack's reminder deadline was breached (not reminded in time), the service level's
//     `violation` code is recorded against the attendant who checked the guest in, citing its
//     clauses (R15 第十四条); a guest reminded in time who misses the train raises none. It raises
//     kMissedTrain, which the pack's procedure takes to a terminal state (closed, not left open).
//  6. escorted -> done only when the SMS relay accepted the follow-up (R15 第十五条). One message
//     per guest: the send is claimed first (a lounge_sms row in state sending, a compare-and-set
//     in its own transaction), so a second attendant at the same moment gets 409
//     lounge.sms_in_progress and sends nothing; the relay is tried at most kSmsAttempts times,
//     outside any transaction; then the outcome — sent (the step, its journal record without
//     phone or text, kSmsSent) or failed (attempts and the relay's last answer) — commits in one
//     transaction. A failed send may be claimed again; a claim older than kSmsClaimStale (its
//     holder died mid-send) may be taken over.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/parameters.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::lounge {

// The site events the module raises (api::Module::RaisedEvents): not raised or fired by hand.
inline constexpr std::string_view kArrived = "vip_arrived";
inline constexpr std::string_view kRegistered = "vip_registered";
inline constexpr std::string_view kReminded = "vip_reminded";
inline constexpr std::string_view kEscorted = "vip_escorted";
inline constexpr std::string_view kSmsSent = "vip_sms_sent";
inline constexpr std::string_view kMissedTrain = "vip_missed_train";
// Reading the site's missed and late boarding reminders (the manager's view); the pack grants it.
inline constexpr std::string_view kReviewPermission = "lounge.review";
// The relay is tried this often for one follow-up before the send is recorded failed; an attempt
// takes at most 5 s (sms_http.cpp), so a claim older than kSmsClaimStale was abandoned.
inline constexpr int kSmsAttempts = 3;
inline constexpr std::chrono::seconds kSmsClaimStale{60};
// The pack record the check-in writes (policy::RuleNamed: cn-default's r15-guest-register).
inline constexpr std::string_view kGuestRegister = "guest-register";
// Site parameter (duration, no default): how long before the reminder time the attendant is told.
inline constexpr std::string_view kNoticeParam = "lounge_reminder_notice";
inline constexpr std::string_view kNoticeTimer = "lounge.reminder_notice";

enum class State { kArrived, kSeated, kReminded, kEscorted, kMissed, kDone };
std::string_view StateName(State s);
Result<State> ParseState(std::string_view name);

// The follow-up SMS's delivery record (lounge_sms, one row a guest): the claim and its outcome.
enum class SmsState { kNone, kSending, kSent, kFailed };
std::string_view SmsStateName(SmsState s);
struct SmsRecord {
  store::Id guest_id = 0;
  SmsState state = SmsState::kNone;
  int attempts = 0;          // relay calls made for the last claim
  store::Id claimed_by = 0;  // account
  TimePoint claimed_at, finished_at;
  std::string provider_id;  // the relay's message id, if it gave one
  std::string error;        // the relay's last refusal (state failed)
};

struct Guest {
  store::Id id = 0;
  store::Id site_id = 0;
  std::string name, phone;
  State state = State::kArrived;
  TimePoint arrived_at;
  store::Id arrived_by = 0;  // account
  std::string train_no;
  TimePoint departure_at;
  std::string carriage, seat, card_kind, card_no;
  TimePoint checked_in_at;
  store::Id checked_in_by = 0;  // account
  store::Id attendant = 0;      // person who checked the guest in (answers for the reminder)
  TimePoint reminder_at;        // the pack's reminder deadline (epoch: none)
  TimePoint notice_at;          // when the attendant is told (epoch: not scheduled)
  std::string notice_note;
  TimePoint reminded_at;
  store::Id reminded_by = 0;
  TimePoint escorted_at;
  store::Id escorted_by = 0;
  TimePoint missed_at;
  store::Id missed_by = 0;
  TimePoint sms_at;  // the follow-up SMS accepted by the relay (state done)
  store::Id sms_by = 0;
  std::string sms_id;  // the relay's message id, if it gave one
  std::string note;
};

// The SMS follow-up (R15 第十五条 短信回访) goes out through a provider adapter: the module face's
// HTTP relay (sms_http.cpp, `serve --sms-url`), a fake in tests. Called outside any transaction.
struct SmsMessage {
  std::string to, text, ref;
};
class SmsSender {
 public:
  virtual ~SmsSender() = default;
  // The provider's message id ("" when it gives none); kUnavailable when it did not accept it.
  virtual Result<std::string> Send(const SmsMessage& m) = 0;
};

struct NewGuest {
  store::Id site_id = 0;
  std::string name, phone;
};

struct CheckIn {
  std::string train_no;
  std::optional<TimePoint> departure_at;  // absent: the site's timetable
  std::string carriage, seat, card_kind, card_no;
};

struct Train {
  std::string train_no;
  int departs = 0;  // minutes after local midnight
};

// A guest with the pack's deadlines on it.
struct GuestView {
  Guest guest;
  TimePoint checkin_due_at;  // the deadline the arrival started (epoch: none)
  std::string checkin_state;
  std::string reminder_state;
  std::string violation_code;  // recorded on a missed train, else empty
  SmsRecord sms;
};

// A boarding reminder not recorded in time (the manager's view): its deadline breached — still
// not reminded, escalated by the pack's on_breach — or met late.
struct MissedReminder {
  GuestView view;
  store::Id deadline_id = 0;
  std::string state;  // breached | met_late
  TimePoint due_at, breached_at, stopped_at;
  std::vector<std::string> escalated_to;  // the pack's escalate:/alert: roles
  std::string attendant_name;
};

struct Filter {
  store::Id site_id = 0;
  std::optional<State> state;
};

// The tables (lounge_store.cpp), written once for both backends.
std::vector<store::Migration> Migrations();
namespace db {
Result<store::Id> Insert(store::Sql& sql, const Guest& g);
Result<Guest> Get(store::Sql& sql, store::Id id);
// Compare-and-set from `from`; kFailedPrecondition when the guest is no longer there.
Result<void> Update(store::Sql& sql, const Guest& g, State from);
Result<std::vector<Guest>> List(store::Sql& sql, const Filter& f, store::PageRequest page);
Result<void> ReplaceTimetable(store::Sql& sql, store::Id site_id, const std::vector<Train>& rows);
Result<std::vector<Train>> Timetable(store::Sql& sql, store::Id site_id);
Result<std::optional<SmsRecord>> GetSms(store::Sql& sql, store::Id guest_id);
Result<void> InsertSms(store::Sql& sql, const SmsRecord& r);
// Compare-and-set on (state, claimed_at); kFailedPrecondition when another claim came first.
Result<void> UpdateSms(store::Sql& sql, const SmsRecord& r, SmsState from, TimePoint from_claimed);
}  // namespace db

// Parses a timetable CSV (UTF-8, optional BOM): a header naming the columns train_no|车次 and
// departs|开车时间 (any order, other columns ignored), then one train a line, HH:MM. A bad line
// is kInvalidArgument naming "line N, column C".
Result<std::vector<Train>> ParseTimetable(std::string_view csv);
// The moment a timetable train `minutes` after local midnight departs, seen from `now`: of that
// wall time yesterday, today and tomorrow in the site's zone, the one nearest to now. A train
// 00:35 checked in at 23:50 is tomorrow's; 08:00 at 09:05 left an hour ago (and is refused).
TimePoint NearestDeparture(TimePoint now, const TimeZone& zone, int minutes);
// "G1234" (a letter and 1-4 digits, or digits alone), upper-cased; kInvalidArgument otherwise.
Result<std::string> NormaliseTrainNo(std::string_view s, const char* field);

inline constexpr size_t kMaxText = 200;

class Lounge {
 public:
  Lounge(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
         const org::RoleCatalogue& roles, runtime::EventBus& bus, const Clock& clock,
         scheduler::Scheduler& scheduler, SmsSender* sms = nullptr)
      : store_(store),
        writer_(writer),
        pack_(pack),
        roles_(roles),
        bus_(bus),
        clock_(clock),
        scheduler_(scheduler),
        sms_(sms) {}

  static std::vector<policy::ParamDecl> Parameters(const policy::Pack& pack);
  void RegisterHandlers();

  Result<GuestView> Arrive(const org::Principal& who, const NewGuest& in);
  Result<GuestView> CheckInGuest(const org::Principal& who, store::Id id, const CheckIn& in);
  Result<GuestView> Remind(const org::Principal& who, store::Id id);
  Result<GuestView> Escort(const org::Principal& who, store::Id id);
  Result<GuestView> MissedTrain(const org::Principal& who, store::Id id, const std::string& note);
  // The follow-up SMS to the guest's phone (escorted -> done).
  Result<GuestView> SendSms(const org::Principal& who, store::Id id, const std::string& text);
  Result<GuestView> Get(const org::Principal& who, store::Id id);
  // The site's boarding reminders breached or met late, oldest first (needs kReviewPermission).
  Result<std::vector<MissedReminder>> MissedReminders(const org::Principal& who, store::Id site_id,
                                                      store::PageRequest page);
  Result<std::vector<GuestView>> List(const org::Principal& who, const Filter& f,
                                      store::PageRequest page);
  Result<size_t> ImportTimetable(const org::Principal& who, store::Id site_id,
                                 std::string_view csv);
  Result<std::vector<Train>> Timetable(const org::Principal& who, store::Id site_id);

 private:
  Result<GuestView> Step(const org::Principal& who, store::Id id, std::vector<State> from, State to,
                         std::string_view event, const char* kind, const std::string& note);
  Result<GuestView> ViewOf(store::UnitOfWork& unit, const Guest& g);
  Result<void> MayWorkAt(const org::Principal& who, store::Id site_id) const;

  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  runtime::EventBus& bus_;
  const Clock& clock_;
  scheduler::Scheduler& scheduler_;
  SmsSender* sms_;  // null: no relay configured
};

}  // namespace zhidu::lounge
