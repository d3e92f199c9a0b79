// The repairs' statements (repairs_store.cpp) on both backends: round trip, the compare-and-set
// move, the list filters (site, state, only open) and keyset paging.
#include <gtest/gtest.h>

#include "modules/repairs/repairs_store.hpp"
#include "store/store.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::repairs::db {
namespace {

using store::Id;

class RepairsStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
  }
  static constexpr TimePoint kT0 = TimePoint(Micros(1'790'000'000'000'000));
  std::unique_ptr<store::Store> store_;
};

TEST_P(RepairsStoreTest, RoundTripMoveOnceFilterAndPage) {
  auto u = *store_->BeginWrite();
  Id site = *u->InsertSite({0, "一号站", "Asia/Shanghai", kT0});
  Id other = *u->InsertSite({0, "二号站", "Asia/Shanghai", kT0});
  Repair r;
  r.site_id = site;
  r.what = "3号喷淋泵";
  r.description = "压力不足";
  r.source_kind = "checklist";
  r.source_id = 11;
  r.source_item = "pump-pressure";
  r.clauses = R"(["R16 §二4"])";
  r.reported_by = 2;
  r.reporter_person = 3;
  r.reporter_post = 4;
  r.created_at = r.updated_at = kT0;
  auto id = InsertRepair(u->sql(), r);
  ASSERT_TRUE(id) << id.error().message;
  Repair bad = r;
  bad.source_kind = "rumour";  // CHECK
  EXPECT_FALSE(InsertRepair(u->sql(), bad));
  Repair elsewhere = r;
  elsewhere.site_id = other;
  Id id_other = *InsertRepair(u->sql(), elsewhere);

  auto got = GetRepair(u->sql(), *id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->what, "3号喷淋泵");
  EXPECT_EQ(got->source_item, "pump-pressure");
  EXPECT_EQ(got->clauses, R"(["R16 §二4"])");
  EXPECT_EQ(got->reporter_post, 4);
  EXPECT_EQ(got->state, "open");
  EXPECT_EQ(got->history, "[]");
  EXPECT_EQ(got->fixed_at, TimePoint{});
  EXPECT_EQ(GetRepair(u->sql(), 9999).error().code, Errc::kNotFound);

  got->state = "assigned";
  got->assignee_role = "工程维修人员";
  got->assignee_person = 9;
  got->note = "今天修";
  got->history = R"([{"action":"assign"}])";
  got->updated_at = kT0 + Micros(7);
  ASSERT_TRUE(UpdateRepair(u->sql(), *got, "open"));
  auto again = UpdateRepair(u->sql(), *got, "open");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kFailedPrecondition);
  Repair missing;
  missing.id = 9999;
  EXPECT_EQ(UpdateRepair(u->sql(), missing, "open").error().code, Errc::kNotFound);
  Repair closed = *GetRepair(u->sql(), id_other);
  closed.state = "cancelled";
  closed.closed_at = kT0 + Micros(9);
  ASSERT_TRUE(UpdateRepair(u->sql(), closed, "open"));
  ASSERT_TRUE(u->Commit());

  auto rd = *store_->BeginRead();
  auto back = *GetRepair(rd->sql(), *id);
  EXPECT_EQ(back.assignee_role, "工程维修人员");
  EXPECT_EQ(back.assignee_person, 9);
  EXPECT_EQ(back.note, "今天修");
  EXPECT_EQ(back.updated_at, kT0 + Micros(7));
  EXPECT_EQ(GetRepair(rd->sql(), id_other)->closed_at, kT0 + Micros(9));
  EXPECT_EQ(ListRepairs(rd->sql(), {}, {0, 50})->size(), 2u);
  EXPECT_EQ(ListRepairs(rd->sql(), {site, "", false}, {0, 50})->size(), 1u);
  EXPECT_EQ(ListRepairs(rd->sql(), {0, "assigned", false}, {0, 50})->size(), 1u);
  auto open = *ListRepairs(rd->sql(), {0, "", true}, {0, 50});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, *id);
  EXPECT_EQ(ListRepairs(rd->sql(), {}, {*id, 50})->size(), 1u);
  EXPECT_EQ(ListRepairs(rd->sql(), {}, {0, 1})->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RepairsStoreTest,
                         ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::repairs::db
