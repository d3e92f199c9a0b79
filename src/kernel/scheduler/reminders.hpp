// Reminders (提醒): a person's own timed note, the simplest user of the durable scheduler and the
// end-to-end test of it over HTTP. A reminder is a timer of kind "reminder" whose subject is the
// owner ("account/7") and whose payload is {"account_id","message"}; firing journals
// reminder.fired in the firing's transaction. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::scheduler {

inline constexpr std::string_view kReminderKind = "reminder";
// Creating reminders for others in bulk (load tests, imports) needs this permission.
inline constexpr std::string_view kPermSchedulerAdmin = "scheduler.admin";

struct NewReminder {
  TimePoint due_at;
  std::string message;  // 1 … 500 characters
  store::Id site_id = 0;
};

class Reminders {
 public:
  static constexpr int kMaxBatch = 10'000;

  // Registers the "reminder" handler with `scheduler` (before scheduler.Start()).
  Reminders(store::Store& store, store::Writer& writer, Scheduler& scheduler,
            const org::RoleCatalogue& roles);

  // A reminder for `who` (a due time in the past fires at once, marked late).
  Result<store::Timer> Create(const org::Principal& who, NewReminder input);
  // Many reminders for `who` in one transaction with one journal record (reminder.batch_created);
  // needs scheduler.admin. Returns the ids in input order.
  Result<std::vector<store::Id>> CreateBatch(const org::Principal& who,
                                             const std::vector<NewReminder>& inputs);
  // `who`'s reminders, oldest first; `state` nullopt: every state.
  Result<std::vector<store::Timer>> ListMine(const org::Principal& who,
                                             std::optional<store::TimerState> state,
                                             store::PageRequest page);
  Result<store::Timer> Get(const org::Principal& who, store::Id id);
  // Cancels a pending reminder of `who`; kFailedPrecondition once it fired.
  Result<store::Timer> Cancel(const org::Principal& who, store::Id id);

  static std::string SubjectFor(store::Id account_id);

 private:
  Result<void> Validate(store::UnitOfWork& unit, const NewReminder& input);

  store::Store& store_;
  store::Writer& writer_;
  Scheduler& scheduler_;
  const org::RoleCatalogue& roles_;
};

}  // namespace zhidu::scheduler
