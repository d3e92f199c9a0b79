#include "kernel/policy/clause_index.hpp"

#include <gtest/gtest.h>

namespace zhidu::policy {
namespace {

TEST(ClauseIndexTest, ChaptersSubsectionsItemsAndSubItems) {
  ClauseIndex idx;
  RegulationSpec spec{
      "R12",
      "",
      {MarkerKind::kCn, MarkerKind::kCnParen, MarkerKind::kNum, MarkerKind::kNumParen},
      {},
      ""};
  ASSERT_TRUE(idx.AddRegulation(spec,
                                "中控室工作管理制度\n"
                                "一、要求 (一)交接班 1.提前10分钟到岗; 2.注意: (1)设备; (2)记录 "
                                "(二)五交 1.交工具 (二)安全操作 1.中控员24小时\n")
                  .has_value());
  ASSERT_NE(idx.Find("R12 §一(一)2(2)"), nullptr);
  EXPECT_EQ(idx.Find("R12 §一(一)2(2)")->text, "(2)记录");
  EXPECT_EQ(idx.Find("R12 §一(一)1")->text, "1.提前10分钟到岗;");
  // A sub-section numbered twice in the source gets 之2.
  ASSERT_NE(idx.Find("R12 §一(二之2)1"), nullptr);
  EXPECT_FALSE(idx.Find("R12 §一(一)2")->leaf());
  // Full-width brackets and stray spaces normalise.
  EXPECT_NE(idx.Find("R12 §一（一）2（1）"), nullptr);
  EXPECT_NE(idx.Find(" R12  §一(一)1 "), nullptr);
  EXPECT_EQ(idx.Leaves("R12").size(), 5u);
}

TEST(ClauseIndexTest, ArticlesPreambleAndBoundaries) {
  ClauseIndex idx;
  RegulationSpec spec{"R15", "", {MarkerKind::kArticle}, {}, ""};
  ASSERT_TRUE(idx.AddRegulation(spec,
                                "贵宾室规章制度\n\n贵宾厅规章制度 为了管理，特制定本制度: "
                                "第一条着装整洁。第二条统一、规范。第十四条提前15分钟提醒。\n")
                  .has_value());
  EXPECT_NE(idx.Find("R15 §序"), nullptr);
  EXPECT_NE(idx.Find("R15 第一条"), nullptr);
  EXPECT_NE(idx.Find("R15 第十四条"), nullptr);
  // "统一、" inside a sentence is not a chapter marker (and cn is not in this structure anyway).
  EXPECT_EQ(idx.Find("R15 第二条")->text, "第二条统一、规范。");
}

TEST(ClauseIndexTest, HeadingsAndDottedNumbers) {
  ClauseIndex idx;
  RegulationSpec spec{
      "R11", "", {MarkerKind::kNum, MarkerKind::kDot2, MarkerKind::kDot3}, {}, "1、目的 根据"};
  ASSERT_TRUE(idx.AddRegulation(spec,
                                "薪酬\n目录 1、目的 (2) 2、范围\n"
                                "1、目的 根据战略 2、范围 全体 4、规范 4.1角色 4.1.1代表形象 "
                                "4.1.2产品专家\n")
                  .has_value());
  EXPECT_NE(idx.Find("R11 §序"), nullptr);  // the table of contents
  EXPECT_NE(idx.Find("R11 §4.1.2"), nullptr);
  EXPECT_EQ(idx.Find("R11 §4.1")->children.size(), 2u);

  ClauseIndex idx2;
  RegulationSpec r13{"R13",
                     "",
                     {MarkerKind::kRule, MarkerKind::kHeading, MarkerKind::kNumParen},
                     {{"守则包括", "守则"}},
                     ""};
  ASSERT_TRUE(
      idx2.AddRegulation(r13, "规章\n第一则总则 第二则守则 守则包括: (1 )责任心 (2 )用户第一")
          .has_value());
  EXPECT_NE(idx2.Find("R13 第二则·守则·(2)"), nullptr);
}

TEST(ClauseIndexTest, DuplicateRegulationIsRejected) {
  ClauseIndex idx;
  RegulationSpec spec{"R01", "", {MarkerKind::kCn}, {}, ""};
  ASSERT_TRUE(idx.AddRegulation(spec, "t\n一、a").has_value());
  EXPECT_FALSE(idx.AddRegulation(spec, "t\n一、a").has_value());
}

}  // namespace
}  // namespace zhidu::policy
