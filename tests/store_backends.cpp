#include "tests/store_backends.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "base/crypto.hpp"
#include "store/sqlite/sqlite_store.hpp"
#if ZHIDU_HAVE_POSTGRES
#include "store/postgres/postgres_store.hpp"
#endif

namespace zhidu::testing_support {

std::vector<std::string> Backends() { return {"sqlite", "postgresql"}; }

Result<std::unique_ptr<store::Store>> OpenFreshStore(const std::string& backend) {
  if (backend == "sqlite") {
    auto dir = std::filesystem::temp_directory_path() / ("zhidu-test-" + RandomHex(8));
    std::filesystem::create_directories(dir);
    return store::OpenSqliteStore((dir / "zhidu.db").string());
  }
#if ZHIDU_HAVE_POSTGRES
  const char* url = std::getenv("ZHIDU_TEST_PG_URL");
  if (!url || !*url) {
    if (std::getenv("CI")) std::abort();  // CI must test PostgreSQL: make test sets the URL
    return Fail(Errc::kUnavailable, "ZHIDU_TEST_PG_URL is not set: PostgreSQL tests skipped");
  }
  return store::OpenFreshPostgresStoreForTest(url);
#else
  return Fail(Errc::kUnavailable, "built without the PostgreSQL backend");
#endif
}

}  // namespace zhidu::testing_support
