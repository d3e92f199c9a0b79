// Routes of procedures and deadlines (docs/procedures.md): site events
// (/api/v1/sites/{id}/events), procedure instances (/api/v1/procedures) and deadlines
// (/api/v1/deadlines).
#pragma once

#include "api/router.hpp"
#include "kernel/runtime/procedures.hpp"

namespace zhidu::api {

// `procedures` null (e.g. `zhidu routes`): the routes answer 503.
void AddProcedureRoutes(Router& router, runtime::Procedures* procedures);

}  // namespace zhidu::api
