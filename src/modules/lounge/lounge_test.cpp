// The lounge's pure parts: the timetable CSV (a bad line named by line and column, nothing taken)
// and train numbers; the HTTP tests (test_lounge_api.py) run the rest on both backends.
#include <gtest/gtest.h>

#include "modules/lounge/lounge.hpp"

namespace zhidu::lounge {
namespace {

TEST(TimetableTest, HeaderInAnyOrderBomSpacesAndOtherColumns) {
  auto rows =
      ParseTimetable("\xEF\xBB\xBF终点,开车时间,车次\r\n北京, 7:05 ,g1\r\n\r\n上海,23:59,K102\n");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].train_no, "G1");
  EXPECT_EQ((*rows)[0].departs, 7 * 60 + 5);
  EXPECT_EQ((*rows)[1].train_no, "K102");
  EXPECT_EQ((*rows)[1].departs, 23 * 60 + 59);
  auto english = ParseTimetable("train_no,departs\nD7,10:00");
  ASSERT_TRUE(english);
  EXPECT_EQ(english->size(), 1u);
}

TEST(TimetableTest, ATrainTimeIsTheNearestDepartureAcrossMidnight) {
  auto zone = TimeZone::Default();  // Asia/Shanghai
  auto at = [](const char* iso) { return *ParseIso8601(iso); };
  // 23:50: the 00:35 train is tomorrow's, not one that left 23 hours ago.
  EXPECT_EQ(NearestDeparture(at("2026-12-07T23:50:00+08:00"), zone, 35),
            at("2026-12-08T00:35:00+08:00"));
  // 00:10: the 23:40 train left half an hour ago (yesterday), it is not tonight's.
  EXPECT_EQ(NearestDeparture(at("2026-12-08T00:10:00+08:00"), zone, 23 * 60 + 40),
            at("2026-12-07T23:40:00+08:00"));
  // 09:05: 08:00 has left today, 11:30 is still to come today.
  EXPECT_EQ(NearestDeparture(at("2026-12-07T09:05:00+08:00"), zone, 8 * 60),
            at("2026-12-07T08:00:00+08:00"));
  EXPECT_EQ(NearestDeparture(at("2026-12-07T09:05:00+08:00"), zone, 11 * 60 + 30),
            at("2026-12-07T11:30:00+08:00"));
}

TEST(TimetableTest, ABadLineIsNamedByLineAndColumn) {
  struct Case {
    const char* csv;
    const char* where;
  };
  for (const auto& c :
       {Case{"车次,开车时间\nG1,08:00\nG2,24:00\n", "line 3, column 2"},
        Case{"车次,开车时间\nG1,08:00\n高铁,09:00\n", "line 3, column 1"},
        Case{"车次,开车时间\nG1\n", "line 2, column 2"},
        Case{"车次,开车时间\nG1,8\n", "line 2, column 2"},
        Case{"车次,开车时间\nG1,08:00\ng1,09:00\n", "line 3, column 1"},
        Case{"train,time\nG1,08:00\n", "line 1, column 1"}, Case{"", "line 1, column 1"}}) {
    auto rows = ParseTimetable(c.csv);
    ASSERT_FALSE(rows) << c.csv;
    EXPECT_EQ(rows.error().code, Errc::kInvalidArgument);
    EXPECT_EQ(rows.error().reason, "lounge.bad_timetable");
    EXPECT_EQ(rows.error().field, "csv");
    EXPECT_NE(rows.error().message.find(c.where), std::string::npos)
        << c.csv << " → " << rows.error().message;
  }
}

TEST(TrainNumberTest, ALetterAndDigitsOrDigits) {
  EXPECT_EQ(*NormaliseTrainNo(" g1234 ", "train_no"), "G1234");
  EXPECT_EQ(*NormaliseTrainNo("6041", "train_no"), "6041");
  for (const char* bad : {"", "G", "G12345", "GG12", "G12A", "高铁1"}) {
    auto r = NormaliseTrainNo(bad, "train_no");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "train_no");
  }
}

}  // namespace
}  // namespace zhidu::lounge
