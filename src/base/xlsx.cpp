#include "base/xlsx.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace zhidu {

Result<std::string> XlsxBytes(std::string_view prefix,
                              const std::function<void(lxw_workbook*)>& fill) {
  std::string path = "/tmp/zhidu-" + std::string(prefix) + "-XXXXXX.xlsx";
  int fd = mkstemps(path.data(), 5);
  if (fd < 0) return Fail(Errc::kInternal, "cannot create a temporary file for the workbook");
  close(fd);
  struct Remove {
    const std::string& p;
    ~Remove() { std::remove(p.c_str()); }
  } remove{path};
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) return Fail(Errc::kInternal, "libxlsxwriter cannot open the workbook");
  fill(wb);
  if (workbook_close(wb) != LXW_NO_ERROR)
    return Fail(Errc::kInternal, "libxlsxwriter could not write the workbook");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace zhidu
