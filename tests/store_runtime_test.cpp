// The runtime's tables in the storage conformance suite (duty instances, attendance, violations):
// the same tests on every backend.
#include <gtest/gtest.h>

#include "base/clock.hpp"
#include "modules/handover/handover_store.hpp"
#include "modules/roster/roster_store.hpp"
#include "store/store.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::store {
namespace {

using std::chrono::minutes;

class RuntimeConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    auto u = *store_->BeginWrite();
    site_ = *u->InsertSite({0, "一号站", "Asia/Shanghai", t0_});
    post_ = *u->InsertPost({0, site_, 0, "中控岗"});
    person_ = *u->InsertPerson({0, site_, 0, 0, "张三", "", "", t0_});
    other_ = *u->InsertPerson({0, site_, 0, 0, "李四", "", "", t0_});
    ASSERT_TRUE(u->Commit());
  }

  DutyInstance Duty(TimePoint due) {
    DutyInstance d;
    d.site_id = site_;
    d.post_id = post_;
    d.duty = "r12-video-patrol";
    d.key = "r12-video-patrol|" + std::to_string(post_) + "|" +
            std::to_string(due.time_since_epoch().count());
    d.due_at = due;
    d.window_end = due + minutes(15);
    d.miss_at = d.window_end;
    d.created_at = t0_;
    return d;
  }

  Violation Make(Id person, TimePoint at, std::string code = "R18-WASTE") {
    Violation v;
    v.site_id = site_;
    v.person_id = person;
    v.code = std::move(code);
    v.clauses = "R18 §四2";
    v.source = "inspector";
    v.occurred_at = at;
    v.consequence = R"({"warning":true})";
    v.created_at = t0_;
    return v;
  }

  std::unique_ptr<Store> store_;
  const TimePoint t0_{Micros(1'790'000'000'000'000)};
  Id site_ = 0, post_ = 0, person_ = 0, other_ = 0;
};

TEST_P(RuntimeConformance, DutyInstancesAreInsertedOncePerKeyAndUpdated) {
  auto u = *store_->BeginWrite();
  auto first = u->InsertDutyInstance(Duty(t0_));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->has_value());
  auto again = u->InsertDutyInstance(Duty(t0_));  // same key: planning twice
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->has_value());
  ASSERT_TRUE(u->InsertDutyInstance(Duty(t0_ + minutes(15))));

  auto d = *u->GetDutyInstance(**first);
  EXPECT_EQ(d.state, DutyState::kScheduled);
  EXPECT_EQ(d.window_end, t0_ + minutes(15));
  d.state = DutyState::kDone;
  d.completions = 1;
  d.completed_by = 7;
  d.completed_person = person_;
  d.completed_at = t0_ + minutes(3);
  d.answers = R"({"status":"正常"})";
  ASSERT_TRUE(u->UpdateDutyInstance(d));
  DutyInstance missing = d;
  missing.id = 999999;
  EXPECT_EQ(u->UpdateDutyInstance(missing).error().code, Errc::kNotFound);
  ASSERT_TRUE(u->Commit());

  auto r = *store_->BeginRead();
  auto back = *r->GetDutyInstance(d.id);
  EXPECT_EQ(back.state, DutyState::kDone);
  EXPECT_EQ(back.completed_person, person_);
  EXPECT_EQ(back.answers, R"({"status":"正常"})");
  DutyFilter f;
  f.post_id = post_;
  EXPECT_EQ(r->ListDutyInstances(f, {0, 10})->size(), 2u);
  f.state = DutyState::kDone;
  EXPECT_EQ(r->ListDutyInstances(f, {0, 10})->size(), 1u);
  f.state.reset();
  f.due_from = t0_ + minutes(1);
  EXPECT_EQ(r->ListDutyInstances(f, {0, 10})->size(), 1u);
  EXPECT_EQ(r->GetDutyInstance(999999).error().code, Errc::kNotFound);
}

TEST_P(RuntimeConformance, AttendanceCoversItsInterval) {
  auto u = *store_->BeginWrite();
  auto a = u->InsertAttendance({0, site_, post_, person_, t0_, TimePoint{}, 0});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(u->ListAttendanceAt(post_, 0, t0_ - minutes(1))->size(), 0u);
  EXPECT_EQ(u->ListAttendanceAt(post_, 0, t0_ + minutes(60))->size(), 1u);
  ASSERT_TRUE(u->EndAttendance(*a, t0_ + minutes(60), other_));
  EXPECT_EQ(u->EndAttendance(*a, t0_ + minutes(61), other_).error().code,
            Errc::kFailedPrecondition);
  EXPECT_EQ(u->EndAttendance(999999, t0_, 0).error().code, Errc::kNotFound);
  EXPECT_EQ(u->ListAttendanceAt(post_, 0, t0_ + minutes(59))->size(), 1u);
  EXPECT_EQ(u->ListAttendanceAt(post_, 0, t0_ + minutes(60))->size(), 0u);
  EXPECT_EQ(u->ListAttendanceAt(0, person_, t0_ + minutes(30))->front().relieved_by, other_);
  ASSERT_TRUE(u->Commit());
}

TEST_P(RuntimeConformance, ViolationsCountInTheWindowAndNotWhenOverturned) {
  auto u = *store_->BeginWrite();
  auto v1 = u->InsertViolation(Make(person_, t0_));
  ASSERT_TRUE(v1) << v1.error().message;
  ASSERT_TRUE(u->InsertViolation(Make(person_, t0_ + minutes(10))));
  ASSERT_TRUE(u->InsertViolation(Make(person_, t0_ + minutes(20), "R18-LITTER")));
  ASSERT_TRUE(u->InsertViolation(Make(other_, t0_ + minutes(20))));
  EXPECT_EQ(*u->CountViolations(person_, "R18-WASTE", t0_, t0_ + minutes(30)), 2);
  EXPECT_EQ(*u->CountViolations(person_, "R18-WASTE", t0_ + minutes(5), t0_ + minutes(30)), 1);

  auto v = *u->GetViolation(*v1);
  v.state = ViolationState::kOverturned;
  v.appeal = "不实";
  v.appealed_at = t0_ + minutes(1);
  v.decided_by = 3;
  v.decided_at = t0_ + minutes(2);
  v.decision_note = "撤销";
  ASSERT_TRUE(u->UpdateViolation(v));
  EXPECT_EQ(*u->CountViolations(person_, "R18-WASTE", t0_, t0_ + minutes(30)), 1);
  ASSERT_TRUE(u->Commit());

  auto r = *store_->BeginRead();
  auto back = *r->GetViolation(*v1);
  EXPECT_EQ(back.state, ViolationState::kOverturned);
  EXPECT_EQ(back.decision_note, "撤销");
  EXPECT_EQ(back.clauses, "R18 §四2");
  ViolationFilter f;
  f.person_id = person_;
  EXPECT_EQ(r->ListViolations(f, {0, 10})->size(), 3u);
  f.code = "R18-LITTER";
  EXPECT_EQ(r->ListViolations(f, {0, 10})->size(), 1u);
  f = {};
  f.before = t0_ + minutes(15);
  EXPECT_EQ(r->ListViolations(f, {0, 10})->size(), 2u);
  EXPECT_EQ(r->GetViolation(999999).error().code, Errc::kNotFound);
}

TEST_P(RuntimeConformance, SiteParametersAreUpsertedPerSite) {
  auto u = *store_->BeginWrite();
  ASSERT_TRUE(u->PutSiteParameter({site_, "r04_fine_yuan", "30", 1, t0_}));
  ASSERT_TRUE(u->PutSiteParameter({site_, "fault_observe", "10m", 1, t0_}));
  ASSERT_TRUE(u->PutSiteParameter({site_, "r04_fine_yuan", "50", 2, t0_ + minutes(1)}));
  auto rows = *u->ListSiteParameters(site_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].name, "fault_observe");  // by name
  EXPECT_EQ(rows[1].value, "50");
  EXPECT_EQ(rows[1].updated_by, 2);
  EXPECT_EQ(rows[1].updated_at, t0_ + minutes(1));
  EXPECT_TRUE(u->ListSiteParameters(site_ + 1000)->empty());
  EXPECT_FALSE(u->PutSiteParameter({site_ + 1000, "x", "1", 1, t0_}));  // no such site
  ASSERT_TRUE(u->Commit());
}

TEST_P(RuntimeConformance, RostersAssignmentsSwapsAndCalendarTokens) {
  using std::chrono::hours;
  auto u = *store_->BeginWrite();
  roster::Roster r{0,
                   site_,
                   post_,
                   "r02-three-team-two-shift",
                   "1,2,3",
                   "2026-12-01",
                   "2026-12-31",
                   "draft",
                   7,
                   t0_,
                   0,
                   TimePoint{}};
  auto rid = roster::db::InsertRoster(u->sql(), r);
  ASSERT_TRUE(rid) << rid.error().message;
  auto got = *roster::db::GetRoster(u->sql(), *rid);
  EXPECT_EQ(got.team_ids, "1,2,3");
  EXPECT_EQ(got.state, "draft");
  EXPECT_EQ(got.created_at, t0_);
  EXPECT_EQ(roster::db::GetRoster(u->sql(), *rid + 100).error().code, Errc::kNotFound);

  auto a1 =
      *roster::db::InsertRosterAssignment(u->sql(), {0, *rid, site_, post_, person_, 1, "day", t0_,
                                                     t0_ + hours(9), "active", "generated", 0, ""});
  auto a2 = *roster::db::InsertRosterAssignment(
      u->sql(), {0, *rid, site_, post_, other_, 2, "night", t0_ + hours(9), t0_ + hours(24),
                 "active", "generated", 0, ""});
  EXPECT_FALSE(roster::db::InsertRosterAssignment(
      u->sql(), {0, *rid, site_, post_, other_, 2, "night", t0_, t0_, "active", "generated", 0,
                 ""}));  // ends_at > starts_at
  // Overlap query [from, before): the night shift overlaps [t0+10h, t0+11h), the day one doesn't.
  roster::AssignmentFilter f;
  f.roster_id = *rid;
  f.from = t0_ + hours(10);
  f.before = t0_ + hours(11);
  auto rows = *roster::db::ListRosterAssignments(u->sql(), f, 100);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, a2);
  EXPECT_EQ(rows[0].ends_at, t0_ + hours(24));
  f.published_only = true;  // the roster is a draft
  EXPECT_TRUE(roster::db::ListRosterAssignments(u->sql(), f, 100)->empty());
  ASSERT_TRUE(roster::db::PublishRoster(u->sql(), *rid, 7, t0_ + hours(1)));
  EXPECT_EQ(roster::db::PublishRoster(u->sql(), *rid, 7, t0_).error().code,
            Errc::kFailedPrecondition);
  EXPECT_EQ(roster::db::GetRoster(u->sql(), *rid)->published_at, t0_ + hours(1));
  EXPECT_EQ(roster::db::ListRosterAssignments(u->sql(), f, 100)->size(), 1u);

  ASSERT_TRUE(roster::db::RetireRosterAssignment(u->sql(), a1, "leave", "病假"));
  EXPECT_EQ(roster::db::RetireRosterAssignment(u->sql(), a1, "leave", "").error().code,
            Errc::kFailedPrecondition);
  roster::AssignmentFilter all;
  all.roster_id = *rid;
  EXPECT_EQ(roster::db::ListRosterAssignments(u->sql(), all, 100)->size(), 1u);  // active only
  all.active_only = false;
  auto both = *roster::db::ListRosterAssignments(u->sql(), all, 100);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].state, "leave");  // by start
  EXPECT_EQ(both[0].note, "病假");
  all.person_id = other_;
  EXPECT_EQ(roster::db::ListRosterAssignments(u->sql(), all, 100)->size(), 1u);
  EXPECT_EQ(roster::db::ListRosters(u->sql(), site_, 0, {0, 50})->size(), 1u);
  EXPECT_TRUE(roster::db::ListRosters(u->sql(), site_ + 1000, 0, {0, 50})->empty());

  auto sid = *roster::db::InsertRosterSwap(
      u->sql(),
      {0, *rid, site_, person_, a1, other_, a2, "家中有事", "pending", 7, t0_, 0, {}, ""});
  ASSERT_TRUE(roster::db::DecideRosterSwap(u->sql(), sid, "approved", 8, t0_ + hours(2), "同意"));
  EXPECT_EQ(roster::db::DecideRosterSwap(u->sql(), sid, "rejected", 8, t0_, "").error().code,
            Errc::kFailedPrecondition);
  auto s = *roster::db::GetRosterSwap(u->sql(), sid);
  EXPECT_EQ(s.state, "approved");
  EXPECT_EQ(s.decided_by, 8);
  EXPECT_EQ(s.decided_at, t0_ + hours(2));
  EXPECT_EQ(roster::db::ListRosterSwaps(u->sql(), *rid)->size(), 1u);

  ASSERT_TRUE(roster::db::InsertIcalToken(u->sql(), {0, person_, "ab12", 7, t0_, false}));
  EXPECT_EQ(roster::db::InsertIcalToken(u->sql(), {0, other_, "ab12", 7, t0_, false}).error().code,
            Errc::kConflict);  // hashes are unique
  EXPECT_FALSE(roster::db::GetIcalTokenByHash(u->sql(), "ab12")->revoked);
  EXPECT_EQ(*roster::db::RevokeIcalTokens(u->sql(), person_), 1);
  EXPECT_EQ(*roster::db::RevokeIcalTokens(u->sql(), person_), 0);
  EXPECT_TRUE(roster::db::GetIcalTokenByHash(u->sql(), "ab12")->revoked);
  EXPECT_EQ(roster::db::GetIcalTokenByHash(u->sql(), "zz").error().code, Errc::kNotFound);
  ASSERT_TRUE(u->Commit());
}

TEST_P(RuntimeConformance, HandoversOneOpenPerPostUpdatedOnlyWhileOpen) {
  handover::Handover h;
  h.site_id = site_;
  h.post_id = post_;
  h.checklists = "r12-handover";
  h.shift_change = t0_ + minutes(10);
  h.report_from = t0_ - minutes(480);
  h.outgoing_person = person_;
  h.incoming_person = other_;
  h.opened_by = 7;
  h.opened_at = t0_;
  h.report = R"({"duties":[]})";
  h.report_sha256 = "ab";
  {
    auto u = *store_->BeginWrite();
    h.id = *handover::db::InsertHandover(u->sql(), h);
    ASSERT_TRUE(u->Commit());
  }
  {
    auto u = *store_->BeginWrite();  // rolled back
    auto second = handover::db::InsertHandover(u->sql(), h);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::kConflict);  // one open handover per post
  }
  {
    auto u = *store_->BeginWrite();
    handover::Handover got = *handover::db::GetHandover(u->sql(), h.id);
    EXPECT_EQ(got.report, h.report);
    EXPECT_EQ(got.shift_change, h.shift_change);
    EXPECT_EQ(got.incoming_person, other_);
    EXPECT_EQ(got.state, handover::HandoverState::kOpen);
    got.answers = R"({"precheck":true})";
    ASSERT_TRUE(handover::db::UpdateHandover(u->sql(), got));
    got.state = handover::HandoverState::kCompleted;
    got.seal_sha256 = "cd";
    got.closed_at = t0_ + minutes(5);
    ASSERT_TRUE(handover::db::UpdateHandover(u->sql(), got));
    auto again = handover::db::UpdateHandover(u->sql(), got);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::kFailedPrecondition);
    EXPECT_EQ(handover::db::GetHandover(u->sql(), h.id + 1000).error().code, Errc::kNotFound);
    // A completed handover frees the post for the next one.
    auto next = handover::db::InsertHandover(u->sql(), h);
    ASSERT_TRUE(next);
    ASSERT_TRUE(u->Commit());
  }
  auto r = *store_->BeginRead();
  handover::Handover done = *handover::db::GetHandover(r->sql(), h.id);
  EXPECT_EQ(done.state, handover::HandoverState::kCompleted);
  EXPECT_EQ(done.answers, R"({"precheck":true})");
  EXPECT_EQ(done.seal_sha256, "cd");
  EXPECT_EQ(done.closed_at, t0_ + minutes(5));
  auto latest = *handover::db::LatestHandover(r->sql(), post_, handover::HandoverState::kCompleted);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, h.id);
  EXPECT_FALSE(*handover::db::LatestHandover(r->sql(), post_, handover::HandoverState::kRefused));
  EXPECT_EQ(handover::db::ListHandovers(r->sql(), {site_, post_, std::nullopt}, {0, 10})->size(),
            2u);
  EXPECT_EQ(
      handover::db::ListHandovers(r->sql(), {0, post_, handover::HandoverState::kOpen}, {0, 10})
          ->size(),
      1u);
  EXPECT_EQ(handover::db::ListHandovers(r->sql(), {0, post_, std::nullopt}, {h.id, 10})->size(),
            1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RuntimeConformance,
                         ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::store
