#include "kernel/org/credentials.hpp"

#include <gtest/gtest.h>

namespace zhidu::org {
namespace {

bool Passes(std::string_view username, std::string_view password) {
  return CheckPasswordRule(username, password, "new_password").has_value();
}

TEST(CheckPasswordRule, TheDocumentedRule) {
  EXPECT_TRUE(Passes("op1", "a fresh 2nd one"));
  EXPECT_TRUE(Passes("op1",
                     "值班交接记录要签字"
                     "1"));                           // 10 characters, not bytes
  EXPECT_FALSE(Passes("op1", "值班交接记录要签字"));  // 9 characters (27 bytes)
  EXPECT_FALSE(Passes("op1", "short one"));
  EXPECT_FALSE(Passes("op1", std::string(1025, 'x') + "abcd"));
  EXPECT_FALSE(Passes("Night.Guard", "night.guard-2026"));  // the username, any case
  EXPECT_FALSE(Passes("op1", "my-PassWord-1"));
  EXPECT_FALSE(Passes("op1", "zhidu rocks!"));
  EXPECT_FALSE(Passes("op1", "aaaaaaaaaaaa"));
  EXPECT_FALSE(Passes("op1", "abcabcabcabc"));  // 3 different characters
  for (const char* run : {"0123456789", "1234567890", "0987654321", "abcdefghijkl", "zyxwvutsrqpo",
                          "QWERTYUIOP", "asdfghjkl;x"})
    EXPECT_EQ(Passes("op1", run), std::string_view(run) == "asdfghjkl;x") << run;
  auto error = CheckPasswordRule("op1", "short", "new_password").error();
  EXPECT_EQ(error.code, Errc::kInvalidArgument);
  EXPECT_EQ(error.field, "new_password");
}

}  // namespace
}  // namespace zhidu::org
