// Routes of the scheduler: reminders (提醒) under /api/v1/reminders and the scheduler's status.
#pragma once

#include "api/router.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/scheduler/reminders.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/store.hpp"

namespace zhidu::api {

struct SchedulerRouteDeps {
  scheduler::Scheduler* scheduler = nullptr;  // null (e.g. `zhidu routes`): routes answer 503
  scheduler::Reminders* reminders = nullptr;
  store::Store* store = nullptr;
  const org::RoleCatalogue* roles = nullptr;
};

void AddSchedulerRoutes(Router& router, SchedulerRouteDeps deps);

}  // namespace zhidu::api
