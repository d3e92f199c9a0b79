// The people module (人员: discipline cases, lateness and absence) as the server runs it
// (api/module.hpp).
#pragma once

#include <memory>

#include "api/module.hpp"
#include "modules/people/assessment.hpp"
#include "modules/people/attendance.hpp"
#include "modules/people/discipline.hpp"

namespace zhidu::people {

std::unique_ptr<api::Module> MakeModule();
// Its routes under /api/v1/discipline-cases; `d` null: they answer 503.
void AddRoutes(api::Router& router, Discipline* d);
// GET /api/v1/attendance-findings and POST /api/v1/attendance-findings:check; null: 503.
void AddAttendanceRoutes(api::Router& router, AttendanceCheck* a);
// /api/v1/assessment-runs, -scores, -manager-scores, -pay-inputs, -pay, -periods:close|reopen,
// -sources; null: 503.
void AddAssessmentRoutes(api::Router& router, Assessments* s);

}  // namespace zhidu::people
