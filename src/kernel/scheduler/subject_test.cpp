// Timer subjects written by handlers read back typed; anything else is refused, not thrown on.
#include "kernel/scheduler/subject.hpp"

#include <gtest/gtest.h>

namespace zhidu::scheduler {
namespace {

TEST(TimerSubject, RoundTripsWhatHandlersWrite) {
  EXPECT_EQ((TimerSubject{"duty", 12, {}}.Str()), "duty/12");
  auto duty = ParseTimerSubject("duty/12", "duty");
  ASSERT_TRUE(duty);
  EXPECT_EQ(duty->id, 12);
  EXPECT_TRUE(duty->tail.empty());

  TimerSubject procedure{"procedure", 7, {"交接中", "0"}};
  EXPECT_EQ(procedure.Str(), "procedure/7/交接中/0");
  auto back = ParseTimerSubject(procedure.Str(), "procedure", 2);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, 7);
  EXPECT_EQ(back->tail, (std::vector<std::string>{"交接中", "0"}));
}

TEST(TimerSubject, RefusesTextItDidNotWrite) {
  EXPECT_FALSE(ParseTimerSubject("duty/12", "deadline"));  // another kind
  EXPECT_FALSE(ParseTimerSubject("duty/", "duty"));        // no id
  EXPECT_FALSE(ParseTimerSubject("duty/x12", "duty"));     // std::stoll threw here
  EXPECT_FALSE(ParseTimerSubject("duty/12x", "duty"));     // trailing text
  EXPECT_FALSE(ParseTimerSubject("duty/0", "duty"));       // ids are positive
  EXPECT_FALSE(ParseTimerSubject("duty/-3", "duty"));
  EXPECT_FALSE(ParseTimerSubject("duty", "duty"));
  EXPECT_FALSE(ParseTimerSubject("duties", "duty"));                     // the planner's subject
  EXPECT_FALSE(ParseTimerSubject("duty/12/extra", "duty"));              // more segments than asked
  EXPECT_FALSE(ParseTimerSubject("procedure/7/s", "procedure", 2));      // fewer
  EXPECT_FALSE(ParseTimerSubject("duty/99999999999999999999", "duty"));  // out of range
}

}  // namespace
}  // namespace zhidu::scheduler
