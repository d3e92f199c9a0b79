#include "store/text_search.hpp"

#include <gtest/gtest.h>

namespace zhidu::store {
namespace {

TEST(TextSearch, BigramsPerRunWithSeparators) {
  auto t = TermsOf("烟感误报，已复位。Pump3 OK");
  std::vector<std::string> bigrams = {"烟感", "感误", "误报", "", "已复", "复位"};
  EXPECT_EQ(t.bigrams, bigrams);
  std::vector<std::string> tokens = {"烟", "感", "误", "报", "已", "复", "位", "pump3", "ok"};
  EXPECT_EQ(t.tokens, tokens);
}

TEST(TextSearch, QueryIsPhraseOfBigrams) {
  auto q = ParseTextQuery("误报复位");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->phrases.size(), 1u);
  std::vector<std::string> phrase = {"误报", "报复", "复位"};
  EXPECT_EQ(q->phrases[0], phrase);
  auto one = ParseTextQuery("误 PUMP3");
  ASSERT_TRUE(one);
  std::vector<std::string> tokens = {"误", "pump3"};
  EXPECT_EQ(one->tokens, tokens);
  EXPECT_FALSE(ParseTextQuery("，。!"));
}

TEST(TextSearch, ScanMatchesSubstringsNotAcrossPunctuation) {
  auto q = ParseTextQuery("误报复");
  ASSERT_TRUE(q);
  EXPECT_FALSE(ScanMatches("误报，报复", *q));
  EXPECT_TRUE(ScanMatches("三楼烟感误报复位", *q));
}

}  // namespace
}  // namespace zhidu::store
