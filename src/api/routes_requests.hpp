// Routes of requests and approvals (申请与审批) under /api/v1/requests, and the pack's request
// types under /api/v1/request-types.
#pragma once

#include "api/router.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/requests.hpp"

namespace zhidu::api {

struct RequestRouteDeps {
  runtime::Requests* requests = nullptr;       // null (e.g. `zhidu routes`): routes answer 503
  const policy::ActivePack* policy = nullptr;  // null: request-types answers 503
};

void AddRequestRoutes(Router& router, RequestRouteDeps deps);

}  // namespace zhidu::api
