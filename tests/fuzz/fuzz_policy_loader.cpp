// Fuzz target: the policy loader (YAML text -> validated Pack). The input becomes one file of a
// small real pack (policies/examples/warehouse): its first byte picks pack.yaml or W01.yaml, the
// rest is the file's text. Every input must end in a pack or in diagnostics — never a crash, a
// hang or an undiagnosed failure. libFuzzer's entry point, as fuzz_json_body.cpp.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "kernel/policy/loader.hpp"

namespace fs = std::filesystem;

namespace {

// The pack directory, copied once per process from the source tree's warehouse example.
const fs::path& PackDir() {
  static const fs::path dir = [] {
    fs::path src = fs::path(ZHIDU_SOURCE_DIR) / "policies/examples/warehouse";
    fs::path d = fs::temp_directory_path() / ("zhidu_fuzz_pack_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::copy(src, d, fs::copy_options::recursive);
    std::atexit([] { fs::remove_all(PackDir()); });
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const fs::path& dir = PackDir();
  fs::path src = fs::path(ZHIDU_SOURCE_DIR) / "policies/examples/warehouse";
  const bool pack_file = (data[0] & 1) != 0;
  const char* name = pack_file ? "pack.yaml" : "W01.yaml";
  const char* other = pack_file ? "W01.yaml" : "pack.yaml";
  fs::copy_file(src / other, dir / other, fs::copy_options::overwrite_existing);
  std::ofstream(dir / name, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  zhidu::policy::LoadReport report;
  auto loaded = zhidu::policy::LoadPack(dir, &report);
  if (loaded.has_value() != report.ok()) std::abort();  // a failure must say why, and only then
  return 0;
}
