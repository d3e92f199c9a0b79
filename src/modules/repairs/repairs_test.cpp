// Unit tests of the pure parts of repairs and photos: the lifecycle table and image sniffing. The
// store-backed paths are tested over HTTP on both backends (tests/api/test_repairs.py).
#include <gtest/gtest.h>

#include "kernel/photos/photos.hpp"
#include "modules/repairs/repairs.hpp"

namespace zhidu::repairs {
namespace {
using photos::IsSha256Hex;
using photos::SniffImageType;

TEST(RepairLifecycle, FollowsOpenAssignedInProgressFixedClosed) {
  EXPECT_EQ(NextState("open", "assign"), "assigned");
  EXPECT_EQ(NextState("assigned", "start"), "in_progress");
  EXPECT_EQ(NextState("in_progress", "fix"), "fixed");
  EXPECT_EQ(NextState("fixed", "close"), "closed");
  EXPECT_EQ(NextState("fixed", "reopen"), "in_progress");
  EXPECT_EQ(NextState("open", "cancel"), "cancelled");
}

TEST(RepairLifecycle, RefusesSkippingAndActingOnFinishedRepairs) {
  EXPECT_FALSE(NextState("open", "fix"));
  EXPECT_FALSE(NextState("open", "close"));
  EXPECT_FALSE(NextState("fixed", "cancel"));  // a fix is verified or reopened, not cancelled
  EXPECT_TRUE(AllowedActions("closed").empty());
  EXPECT_TRUE(AllowedActions("cancelled").empty());
  EXPECT_EQ(AllowedActions("open"), (std::vector<std::string>{"assign", "cancel"}));
  EXPECT_EQ(AllowedActions("fixed"), (std::vector<std::string>{"close", "reopen"}));
}

TEST(RepairLifecycle, TimeToFixIsFromReportToFixed) {
  Repair r;
  r.created_at = TimePoint(std::chrono::seconds(1000));
  EXPECT_FALSE(SecondsToFix(r));
  r.fixed_at = TimePoint(std::chrono::seconds(1000 + 5400));
  EXPECT_EQ(SecondsToFix(r), 5400);
}

TEST(Photos, SniffsMagicBytesNotNames) {
  EXPECT_EQ(SniffImageType(std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF"), "image/jpeg");
  EXPECT_EQ(SniffImageType(std::string("\x89PNG\r\n\x1A\n\0\0", 10)), "image/png");
  EXPECT_EQ(SniffImageType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_FALSE(
      SniffImageType(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)));  // a RIFF that is not WebP
  EXPECT_FALSE(SniffImageType("GIF89a"));
  EXPECT_FALSE(SniffImageType("\xFF\xD8"));  // too short
  EXPECT_FALSE(SniffImageType(""));
}

TEST(Photos, IdsAreLowerCaseSha256Hex) {
  EXPECT_TRUE(IsSha256Hex(std::string(64, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace zhidu::repairs
