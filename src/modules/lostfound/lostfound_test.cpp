// The lost-and-found register on both backends: its own migration, statements written once, the
// hand-in-first rule, permissions and limits, each step journaled.
#include <gtest/gtest.h>

#include "base/clock.hpp"
#include "modules/lostfound/lostfound.hpp"
#include "store/journal.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::lostfound {
namespace {

class LostAndFoundTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    auto migrated = store_->MigrateModule("lostfound", Migrations());
    ASSERT_TRUE(migrated) << migrated.error().message;
    auto pack =
        policy::ActivePack::Open(std::filesystem::path(ZHIDU_SOURCE_DIR) / "policies/cn-default");
    ASSERT_TRUE(pack) << pack.error().message;
    pack_ = std::move(*pack);
    writer_ = std::make_unique<store::Writer>(*store_, clock_);
    lf_ = std::make_unique<LostAndFound>(*store_, *writer_, *pack_);
    auto site = writer_->Run<store::Id>([&](store::Tx& tx) {
      return tx.unit().InsertSite({0, "客户休息室", "Asia/Shanghai", tx.now()});
    });
    ASSERT_TRUE(site);
    site_ = *site;
    attendant_ = {7, "attendant", 0, {{0, 7, "休息室工作人员", "site", site_}}, "", false};
    stranger_ = {8, "stranger", 0, {{0, 8, "休息室工作人员", "site", site_ + 1}}, "", false};
  }
  void TearDown() override {
    if (writer_) writer_->Stop();
  }
  std::vector<std::string> JournalKinds() {
    std::vector<std::string> out;
    auto unit = store_->BeginRead();
    EXPECT_TRUE(unit);
    auto rows = (*unit)->ReadJournal(0, 1000);
    EXPECT_TRUE(rows);
    for (const auto& r : *rows)
      if (r.kind.starts_with("lostfound.")) out.push_back(r.kind);
    return out;
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<policy::ActivePack> pack_;
  ManualClock clock_{TimePoint(Micros(1'790'000'000'000'000))};
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<LostAndFound> lf_;
  store::Id site_ = 0;
  org::Principal attendant_, stranger_;
};

TEST_P(LostAndFoundTest, ItsMigrationRunsOnceAndIsRecorded) {
  // Applied in SetUp; again is a no-op (the table exists, a second CREATE TABLE would fail).
  auto again = store_->MigrateModule("lostfound", Migrations());
  EXPECT_TRUE(again) << again.error().message;
  auto one_more = Migrations();
  one_more.push_back({2, "CREATE INDEX lost_items_found_at ON lost_items(found_at)"});
  ASSERT_TRUE(store_->MigrateModule("lostfound", one_more));
  auto bad = Migrations();
  bad.push_back({3, "CREATE TABLE lost_items(id {{id}})"});  // exists: the migration fails whole
  EXPECT_FALSE(store_->MigrateModule("lostfound", bad));
}

TEST_P(LostAndFoundTest, FoundHandedInReturnedEachJournaled) {
  auto item = lf_->Register(attendant_, {site_, "3号沙发", "黑色雨伞", "", "保洁员", {}});
  ASSERT_TRUE(item) << item.error().message;
  EXPECT_EQ(item->state, State::kFound);
  EXPECT_EQ(item->found_at, clock_.Now());
  EXPECT_EQ(lf_->Clauses(), std::vector<std::string>{"R07 §三10"});

  auto handed = lf_->HandIn(attendant_, item->id, "厅经理 王某");
  ASSERT_TRUE(handed) << handed.error().message;
  EXPECT_EQ(handed->state, State::kHandedIn);
  EXPECT_EQ(handed->handed_by, attendant_.account_id);

  auto returned = lf_->Return(attendant_, item->id, "李先生", "13800000000", "核对车票");
  ASSERT_TRUE(returned) << returned.error().message;
  auto stored = lf_->Get(attendant_, item->id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, State::kReturned);
  EXPECT_EQ(stored->owner_name, "李先生");
  EXPECT_EQ(stored->owner_phone, "13800000000");
  EXPECT_EQ(stored->handed_to, "厅经理 王某");
  EXPECT_EQ(stored->closed_by, attendant_.account_id);
  EXPECT_EQ(JournalKinds(),
            (std::vector<std::string>{"lostfound.item.registered", "lostfound.item.handed_in",
                                      "lostfound.item.returned"}));
  // A closed item never changes again.
  auto disposed = lf_->Dispose(attendant_, item->id, "过期");
  ASSERT_FALSE(disposed);
  EXPECT_EQ(disposed.error().code, Errc::kFailedPrecondition);
  writer_->Stop();
  auto unit = store_->BeginRead();
  ASSERT_TRUE(unit);
  auto report = store::VerifyJournal(**unit);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
}

TEST_P(LostAndFoundTest, NothingIsReturnedBeforeItIsHandedIn) {
  auto item = lf_->Register(attendant_, {site_, "吧台", "手机", "", "", {}});
  ASSERT_TRUE(item);
  auto returned = lf_->Return(attendant_, item->id, "张女士", "13900000000", "");
  ASSERT_FALSE(returned);
  EXPECT_EQ(returned.error().code, Errc::kFailedPrecondition);
  EXPECT_NE(returned.error().message.find("上缴"), std::string::npos);
  EXPECT_NE(returned.error().message.find("R07 §三10"), std::string::npos);
  auto stored = lf_->Get(attendant_, item->id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, State::kFound);
  EXPECT_TRUE(stored->owner_name.empty());
  EXPECT_EQ(JournalKinds().size(), 1u);
}

TEST_P(LostAndFoundTest, OtherSitesPeopleNeitherRegisterNorSee) {
  auto refused = lf_->Register(stranger_, {site_, "门口", "钥匙", "", "", {}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kPermissionDenied);
  auto item = lf_->Register(attendant_, {site_, "门口", "钥匙", "", "", {}});
  ASSERT_TRUE(item);
  auto hidden = lf_->Get(stranger_, item->id);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, Errc::kNotFound);
  auto moved = lf_->HandIn(stranger_, item->id, "我");
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, Errc::kNotFound);
}

TEST_P(LostAndFoundTest, BadInputIsRefusedAndWritesNothing) {
  std::string long_text(kMaxText + 1, 'x');
  auto too_long = lf_->Register(attendant_, {site_, "沙发", long_text, "", "", {}});
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().field, "description");
  auto no_place = lf_->Register(attendant_, {site_, "", "伞", "", "", {}});
  ASSERT_FALSE(no_place);
  EXPECT_EQ(no_place.error().field, "place");
  auto bad_photo = lf_->Register(attendant_, {site_, "沙发", "伞", std::string(64, 'a'), "", {}});
  ASSERT_FALSE(bad_photo);  // well-formed, but no such photo is stored
  EXPECT_EQ(bad_photo.error().field, "photo");
  auto future = lf_->Register(attendant_, {site_, "沙发", "伞", "", "", clock_.Now() + Micros(1)});
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().field, "found_at");
  auto rows = lf_->List(attendant_, {site_, std::nullopt}, {0, 50});
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
  EXPECT_TRUE(JournalKinds().empty());
}

TEST_P(LostAndFoundTest, ListsBySiteAndStateInPages) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(lf_->Register(attendant_, {site_, "沙发", "物品" + std::to_string(i), "", "", {}}));
  auto first = lf_->List(attendant_, {site_, std::nullopt}, {0, 2});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  ASSERT_TRUE(lf_->HandIn(attendant_, first->front().id, "办公室"));
  auto rest = lf_->List(attendant_, {site_, std::nullopt}, {first->back().id, 50});
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->size(), 3u);
  auto handed = lf_->List(attendant_, {site_, State::kHandedIn}, {0, 50});
  ASSERT_TRUE(handed);
  ASSERT_EQ(handed->size(), 1u);
  EXPECT_EQ(handed->front().id, first->front().id);
}

INSTANTIATE_TEST_SUITE_P(Backends, LostAndFoundTest,
                         ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::lostfound
