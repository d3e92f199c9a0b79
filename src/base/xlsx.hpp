// A workbook written with libxlsxwriter and returned as bytes (the duty log's 值班记录 and the
// month's 绩效工资 exports): libxlsxwriter writes only to a file, so the workbook goes through a
// private temporary file that is removed whatever happens.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.hpp"

struct lxw_workbook;

namespace zhidu {

// `fill` adds the sheets; `prefix` names the temporary file (/tmp/zhidu-PREFIX-XXXXXX.xlsx).
Result<std::string> XlsxBytes(std::string_view prefix,
                              const std::function<void(lxw_workbook*)>& fill);

}  // namespace zhidu
