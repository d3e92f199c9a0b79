#include "kernel/scheduler/reminders.hpp"

#include <set>

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "kernel/org/validate.hpp"
#include "kernel/scheduler/subject.hpp"

namespace zhidu::scheduler {

namespace {

constexpr size_t kMaxMessageChars = 500;

std::string ReminderRef(store::Id id) { return "reminder/" + std::to_string(id); }

// The canonical payload of a reminder timer.
std::string Payload(store::Id account_id, const std::string& message) {
  return CanonicalObject().Add("account_id", account_id).Add("message", message).Str();
}

}  // namespace

std::string Reminders::SubjectFor(store::Id account_id) {
  return TimerSubject{"account", account_id, {}}.Str();
}

Reminders::Reminders(store::Store& store, store::Writer& writer, Scheduler& scheduler,
                     const org::RoleCatalogue& roles)
    : store_(store), writer_(writer), scheduler_(scheduler), roles_(roles) {
  scheduler_.Register(
      std::string(kReminderKind), [](store::Tx& tx, const store::Timer& timer) -> Result<void> {
        // account_id at the top level: the owner's live stream shows it (docs/notifications.md).
        ZHIDU_TRY(auto subject, SubjectOf(timer, "account"));
        const store::Id owner = subject.id;
        ZHIDU_TRY(auto seq, tx.Journal("reminder.fired", 0, ReminderRef(timer.id),
                                       CanonicalObject()
                                           .Add("account_id", owner)
                                           .Add("owner", timer.subject)
                                           .Add("site_id", timer.site_id)
                                           .AddRaw("reminder", timer.payload)
                                           .Add("due_at", FormatIso8601Utc(timer.due_at))
                                           .Add("late", timer.late)
                                           .Str()));
        (void)seq;
        return Ok();
      });
}

Result<void> Reminders::Validate(store::UnitOfWork& unit, const NewReminder& input) {
  if (input.message.empty())
    return Fail(Errc::kInvalidArgument, "write what to be reminded of", "message");
  if (org::Utf8Length(input.message) > kMaxMessageChars)
    return Fail(Errc::kInvalidArgument,
                "the message is longer than " + std::to_string(kMaxMessageChars) + " characters",
                "message");
  if (input.site_id != 0) {
    auto site = unit.GetSite(input.site_id);
    if (!site && site.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, site.error().message, "site_id");
    if (!site) return Fail(site.error());
  }
  return Ok();
}

Result<store::Timer> Reminders::Create(const org::Principal& who, NewReminder input) {
  if (who.account_id == 0)
    return Fail(Errc::kPermissionDenied, "reminders belong to a signed-in account");
  auto created = writer_.Run<store::Timer>([&](store::Tx& tx) -> Result<store::Timer> {
    ZHIDU_TRY_VOID(Validate(tx.unit(), input));
    store::Timer t;
    t.site_id = input.site_id;
    t.kind = std::string(kReminderKind);
    t.subject = SubjectFor(who.account_id);
    t.payload = Payload(who.account_id, input.message);
    t.due_at = input.due_at;
    ZHIDU_TRY(t.id, Scheduler::Schedule(tx, t));
    t.created_at = tx.now();
    ZHIDU_TRY(auto seq, tx.Journal("reminder.created", who.account_id, ReminderRef(t.id),
                                   CanonicalObject()
                                       .Add("account_id", who.account_id)
                                       .Add("due_at", FormatIso8601Utc(t.due_at))
                                       .Add("message", input.message)
                                       .Add("site_id", t.site_id)
                                       .Str()));
    (void)seq;
    return t;
  });
  if (created) scheduler_.Wake(created->due_at);
  return created;
}

Result<std::vector<store::Id>> Reminders::CreateBatch(const org::Principal& who,
                                                      const std::vector<NewReminder>& inputs) {
  if (!roles_.Allows(who, kPermSchedulerAdmin))
    return Fail(Errc::kPermissionDenied,
                "creating reminders in bulk needs the scheduler.admin permission");
  if (inputs.empty() || inputs.size() > static_cast<size_t>(kMaxBatch))
    return Fail(Errc::kInvalidArgument,
                "send 1 to " + std::to_string(kMaxBatch) + " reminders per batch", "reminders");
  TimePoint earliest = TimePoint::max();
  for (const auto& in : inputs) earliest = std::min(earliest, in.due_at);
  auto ids =
      writer_.Run<std::vector<store::Id>>([&](store::Tx& tx) -> Result<std::vector<store::Id>> {
        std::vector<store::Timer> timers;
        timers.reserve(inputs.size());
        std::set<store::Id> sites_checked;
        for (size_t i = 0; i < inputs.size(); ++i) {
          const auto& in = inputs[i];
          if (in.site_id == 0 || sites_checked.insert(in.site_id).second) {
            auto valid = Validate(tx.unit(), in);
            if (!valid) {
              Error e = valid.error();
              e.message = "reminder " + std::to_string(i) + ": " + e.message;
              return Fail(e);
            }
          } else if (in.message.empty() || org::Utf8Length(in.message) > kMaxMessageChars) {
            return Fail(Errc::kInvalidArgument,
                        "reminder " + std::to_string(i) + ": the message must have 1 to " +
                            std::to_string(kMaxMessageChars) + " characters",
                        "message");
          }
          store::Timer t;
          t.site_id = in.site_id;
          t.kind = std::string(kReminderKind);
          t.subject = SubjectFor(who.account_id);
          t.payload = Payload(who.account_id, in.message);
          t.due_at = in.due_at;
          t.created_at = tx.now();
          timers.push_back(std::move(t));
        }
        ZHIDU_TRY(auto ids, tx.unit().InsertTimers(timers));
        ZHIDU_TRY(auto seq,
                  tx.Journal("reminder.batch_created", who.account_id, SubjectFor(who.account_id),
                             CanonicalObject()
                                 .Add("count", static_cast<std::int64_t>(ids.size()))
                                 .Add("first_id", ids.front())
                                 .Add("last_id", ids.back())
                                 .Add("earliest_due_at", FormatIso8601Utc(earliest))
                                 .Str()));
        (void)seq;
        return ids;
      });
  if (ids) scheduler_.Wake(earliest);
  return ids;
}

Result<std::vector<store::Timer>> Reminders::ListMine(const org::Principal& who,
                                                      std::optional<store::TimerState> state,
                                                      store::PageRequest page) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  store::TimerFilter filter;
  filter.kind = std::string(kReminderKind);
  filter.subject = SubjectFor(who.account_id);
  filter.state = state;
  return unit->ListTimers(filter, page);
}

Result<store::Timer> Reminders::Get(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto t = unit->GetTimer(id);
  if (!t || t->kind != kReminderKind || t->subject != SubjectFor(who.account_id))
    return Fail(Errc::kNotFound, "you have no reminder " + std::to_string(id));
  return t;
}

Result<store::Timer> Reminders::Cancel(const org::Principal& who, store::Id id) {
  return writer_.Run<store::Timer>([&](store::Tx& tx) -> Result<store::Timer> {
    auto t = tx.unit().GetTimer(id);
    if (!t || t->kind != kReminderKind || t->subject != SubjectFor(who.account_id))
      return Fail(Errc::kNotFound, "you have no reminder " + std::to_string(id));
    auto cancelled = tx.unit().CancelTimer(id, tx.now());
    if (!cancelled && cancelled.error().code == Errc::kFailedPrecondition)
      return Fail(Errc::kFailedPrecondition, "reminder " + std::to_string(id) + " is already " +
                                                 std::string(store::TimerStateName(t->state)) +
                                                 " and cannot be cancelled");
    if (!cancelled) return Fail(cancelled.error());
    ZHIDU_TRY(auto seq,
              tx.Journal("reminder.cancelled", who.account_id, ReminderRef(id),
                         CanonicalObject().Add("due_at", FormatIso8601Utc(t->due_at)).Str()));
    (void)seq;
    return tx.unit().GetTimer(id);
  });
}

}  // namespace zhidu::scheduler
