// Reads the console needs beside a month's pay (issue 20 §6): whether the month is closed.
// Kept apart from assessment.cpp (the rules).
#include "modules/people/assessment.hpp"

namespace zhidu::people {

Result<std::optional<Close>> Assessments::CloseOf(Id site_id, const std::string& assessment,
                                                  const std::string& period) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return adb::OpenClose(unit->sql(), site_id, assessment, period);
}

}  // namespace zhidu::people
