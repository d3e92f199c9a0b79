// The visits' and footage segments' statements (visits_store.cpp) on both backends: every
// statement, the compare-and-set moves, the one-visit-per-request rule and the list filters.
#include <gtest/gtest.h>

#include "modules/visits/visits_store.hpp"
#include "store/store.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::visits::db {
namespace {

using store::Id;

class VisitsStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
  }
  // A site and a request of that site; returns {site, request}.
  std::pair<Id, Id> SiteAndRequest(store::UnitOfWork& u, const std::string& name) {
    Id site = *u.InsertSite({0, name, "Asia/Shanghai", kT0});
    store::ApprovalRequest a;
    a.site_id = site;
    a.type = "r12-control-room-entry";
    a.applicant = 1;
    a.created_at = a.updated_at = kT0;
    return {site, *u.InsertApprovalRequest(a)};
  }

  static constexpr TimePoint kT0 = TimePoint(Micros(1'790'000'000'000'000));
  std::unique_ptr<store::Store> store_;
};

TEST_P(VisitsStoreTest, VisitsRoundTripMoveOnceAndFilter) {
  auto u = *store_->BeginWrite();
  auto [site, request] = SiteAndRequest(*u, "一号站");
  auto [other, other_request] = SiteAndRequest(*u, "二号站");
  Visit v;
  v.site_id = site;
  v.place = "中控室";
  v.request_id = request;
  v.request_type = "r12-control-room-entry";
  v.visitor_name = "张三";
  v.company = "维保公司";
  v.reason = "检修";
  v.escort_person = 5;
  v.approver = 6;
  v.record = R"({"a":1})";
  v.registered_by = 7;
  v.registered_at = kT0;
  auto id = InsertVisit(u->sql(), v);
  ASSERT_TRUE(id) << id.error().message;
  auto twice = InsertVisit(u->sql(), v);  // one visit per request
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::kConflict);
  Visit w = v;
  w.site_id = other;
  w.request_id = other_request;
  Id id_w = *InsertVisit(u->sql(), w);

  auto got = GetVisit(u->sql(), *id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->visitor_name, "张三");
  EXPECT_EQ(got->record, R"({"a":1})");
  EXPECT_EQ(got->state, "registered");
  EXPECT_EQ(got->escort_person, 5);
  EXPECT_EQ(got->registered_at, kT0);
  EXPECT_EQ(got->entered_at, TimePoint{});
  EXPECT_EQ(GetVisit(u->sql(), 9999).error().code, Errc::kNotFound);

  got->state = "entered";
  got->entered_by = 8;
  got->entered_at = kT0 + Micros(10);
  ASSERT_TRUE(UpdateVisit(u->sql(), *got, "registered"));
  auto again = UpdateVisit(u->sql(), *got, "registered");  // compare-and-set
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kFailedPrecondition);
  Visit missing;
  missing.id = 9999;
  EXPECT_EQ(UpdateVisit(u->sql(), missing, "registered").error().code, Errc::kNotFound);
  ASSERT_TRUE(u->Commit());

  auto r = *store_->BeginRead();
  EXPECT_EQ(GetVisit(r->sql(), *id)->entered_at, kT0 + Micros(10));
  EXPECT_EQ(ListVisits(r->sql(), {}, {0, 50})->size(), 2u);
  auto at_site = *ListVisits(r->sql(), {site, ""}, {0, 50});
  ASSERT_EQ(at_site.size(), 1u);
  EXPECT_EQ(at_site[0].id, *id);
  EXPECT_EQ(ListVisits(r->sql(), {0, "entered"}, {0, 50})->size(), 1u);
  EXPECT_EQ(ListVisits(r->sql(), {other, "entered"}, {0, 50})->size(), 0u);
  auto page = *ListVisits(r->sql(), {}, {*id, 50});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, id_w);
  EXPECT_EQ(ListVisits(r->sql(), {}, {0, 1})->size(), 1u);
}

TEST_P(VisitsStoreTest, FootageRoundTripSoftDeleteOnceAndFilter) {
  auto u = *store_->BeginWrite();
  Id site = SiteAndRequest(*u, "一号站").first;
  FootageSegment s{0, site, "cam-1", kT0,        kT0 + std::chrono::hours(1), "nvr://1/a", "T-7",
                   3, kT0,  0,       TimePoint{}};
  auto id = InsertFootage(u->sql(), s);
  ASSERT_TRUE(id) << id.error().message;
  s.camera = "cam-2";
  Id id2 = *InsertFootage(u->sql(), s);
  s.ends_at = s.starts_at;  // CHECK(ends_at > starts_at)
  EXPECT_FALSE(InsertFootage(u->sql(), s));

  auto got = GetFootage(u->sql(), *id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->camera, "cam-1");
  EXPECT_EQ(got->tape, "T-7");
  EXPECT_EQ(got->ends_at, kT0 + std::chrono::hours(1));
  EXPECT_EQ(got->deleted_at, TimePoint{});
  EXPECT_EQ(GetFootage(u->sql(), 9999).error().code, Errc::kNotFound);

  ASSERT_TRUE(DeleteFootage(u->sql(), *id, 4, kT0 + Micros(5)));
  EXPECT_EQ(DeleteFootage(u->sql(), *id, 4, kT0).error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(DeleteFootage(u->sql(), 9999, 4, kT0).error().code, Errc::kNotFound);
  ASSERT_TRUE(u->Commit());

  auto r = *store_->BeginRead();
  auto deleted = *GetFootage(r->sql(), *id);
  EXPECT_EQ(deleted.deleted_by, 4);
  EXPECT_EQ(deleted.deleted_at, kT0 + Micros(5));
  auto live = *ListFootage(r->sql(), {site, "", false}, {0, 50});
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, id2);
  EXPECT_EQ(ListFootage(r->sql(), {site, "", true}, {0, 50})->size(), 2u);
  EXPECT_EQ(ListFootage(r->sql(), {0, "cam-1", true}, {0, 50})->size(), 1u);
  EXPECT_EQ(ListFootage(r->sql(), {site + 1, "", true}, {0, 50})->size(), 0u);
  EXPECT_EQ(ListFootage(r->sql(), {0, "", true}, {*id, 50})->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, VisitsStoreTest,
                         ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::visits::db
