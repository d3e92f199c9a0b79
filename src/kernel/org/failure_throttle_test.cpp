#include "kernel/org/failure_throttle.hpp"

#include <gtest/gtest.h>

namespace zhidu::org {
namespace {

using std::chrono::seconds;

TimePoint At(int s) { return TimePoint{} + std::chrono::seconds(1'000'000 + s); }

TEST(FailureThrottle, DelaysGrowInsteadOfLockingOut) {
  EXPECT_EQ(AccountDelay(2), seconds(0));
  EXPECT_EQ(AccountDelay(3), seconds(1));
  EXPECT_EQ(AccountDelay(4), seconds(2));
  EXPECT_EQ(AccountDelay(8), seconds(32));
  EXPECT_EQ(AccountDelay(9), seconds(60));
  EXPECT_EQ(AccountDelay(1000), seconds(60));
  EXPECT_EQ(AddressDelay(19), seconds(0));
  EXPECT_EQ(AddressDelay(20), seconds(1));

  FailureThrottle t({seconds(900), 100});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(t.Attempt({{"user:a", AccountDelay}}, At(0)).admitted);
  auto refused = t.Attempt({{"user:a", AccountDelay}}, At(0));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, seconds(1));
  // Refused attempts change nothing (invariant 3): still 1 s after the third failure.
  EXPECT_FALSE(t.Attempt({{"user:a", AccountDelay}}, At(0)).admitted);
  EXPECT_TRUE(t.Attempt({{"user:a", AccountDelay}}, At(1)).admitted);
  EXPECT_EQ(t.Attempt({{"user:a", AccountDelay}}, At(1)).retry_after, seconds(2));
  // Never more than a minute, however many failures.
  for (int i = 0; i < 20; ++i) (void)t.Attempt({{"user:a", AccountDelay}}, At(2 + 60 * i));
  EXPECT_LE(t.Attempt({{"user:a", AccountDelay}}, At(2 + 60 * 19)).retry_after, seconds(60));
  // A success clears the account.
  t.Clear("user:a");
  EXPECT_TRUE(t.Attempt({{"user:a", AccountDelay}}, At(2 + 60 * 19)).admitted);
}

TEST(FailureThrottle, AllKeysOrNoneAndReleaseTakesAnAttemptBack) {
  FailureThrottle t({seconds(900), 100});
  for (int i = 0; i < 3; ++i) (void)t.Attempt({{"user:a", AccountDelay}}, At(0));
  // user:a is delayed, so the address is not counted either.
  EXPECT_FALSE(t.Attempt({{"user:a", AccountDelay}, {"ip:x", AccountDelay}}, At(0)).admitted);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(t.Attempt({{"user:b", AccountDelay}, {"ip:x", AccountDelay}}, At(0)).admitted);
    t.Release("ip:x");
  }
  EXPECT_TRUE(t.Attempt({{"ip:x", AccountDelay}}, At(0)).admitted);
}

TEST(FailureThrottle, KeysAreForgottenAfterTheWindowAndTheMapIsBounded) {
  FailureThrottle t({seconds(900), 1000});
  for (int i = 0; i < 3; ++i) (void)t.Attempt({{"user:a", AccountDelay}}, At(0));
  EXPECT_TRUE(t.Attempt({{"user:a", AccountDelay}}, At(901)).admitted);  // a fresh window
  for (int i = 0; i < 50'000; ++i)
    (void)t.Attempt({{"user:spray" + std::to_string(i), AccountDelay}}, At(1000 + i / 100));
  EXPECT_LE(t.size(), 1000u);
  // The most recent keys survive the sweep.
  for (int i = 0; i < 2; ++i) (void)t.Attempt({{"user:spray49999", AccountDelay}}, At(1499));
  EXPECT_FALSE(t.Attempt({{"user:spray49999", AccountDelay}}, At(1499)).admitted);
  // All at one instant (a test clock) is bounded too.
  FailureThrottle same({seconds(900), 100});
  for (int i = 0; i < 1000; ++i)
    (void)same.Attempt({{"k" + std::to_string(i), AccountDelay}}, At(0));
  EXPECT_LE(same.size(), 100u);
}

TEST(FailureThrottle, FirstReportOncePerWindow) {
  FailureThrottle t({seconds(900), 100});
  EXPECT_FALSE(t.FirstReport("user:a"));  // nothing counted yet
  (void)t.Attempt({{"user:a", AccountDelay}}, At(0));
  EXPECT_TRUE(t.FirstReport("user:a"));
  (void)t.Attempt({{"user:a", AccountDelay}}, At(0));
  EXPECT_FALSE(t.FirstReport("user:a"));
  (void)t.Attempt({{"user:a", AccountDelay}}, At(2000));  // the window passed: a new key
  EXPECT_TRUE(t.FirstReport("user:a"));
}

}  // namespace
}  // namespace zhidu::org
