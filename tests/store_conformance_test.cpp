// One storage suite, run against every backend: SQLite always, PostgreSQL when
// ZHIDU_TEST_PG_URL names a server (make test starts a throwaway cluster and sets it).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "base/clock.hpp"
#include "base/crypto.hpp"
#include "store/journal.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"
#include "tests/store_backends.hpp"
#if __has_include("store/postgres/postgres_store.hpp")
#include "store/postgres/postgres_store.hpp"
#define ZHIDU_TEST_POSTGRES 1
#endif

namespace zhidu::store {
namespace {

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
  }

  Result<std::unique_ptr<UnitOfWork>> Write() { return store_->BeginWrite(); }
  // The i-th record of a test journal, chained onto `head`.
  JournalRecord TestRecord(int i, JournalHead& head) {
    JournalRecord r;
    r.at = clock_.Now();
    r.kind = "test.record";
    r.subject = "n/" + std::to_string(i);
    r.payload = "{}";
    Chain(r, head);
    return r;
  }

  std::unique_ptr<Store> store_;
  ManualClock clock_{TimePoint(Micros(1'790'000'000'000'000))};
};

TEST_P(StoreConformance, MigrateIsIdempotentAndVersioned) {
  auto v1 = store_->SchemaVersion();
  ASSERT_TRUE(v1);
  EXPECT_GE(*v1, 1);
  ASSERT_TRUE(store_->Migrate());
  EXPECT_EQ(*store_->SchemaVersion(), *v1);
}

TEST_P(StoreConformance, OrganisationRoundTrip) {
  auto u = *Write();
  auto site = u->InsertSite({0, "一号站", "Asia/Shanghai", clock_.Now()});
  ASSERT_TRUE(site) << site.error().message;
  auto dept = u->InsertDepartment({0, *site, "秩序维护部"});
  ASSERT_TRUE(dept);
  auto team = u->InsertTeam({0, *site, *dept, "甲班"});
  ASSERT_TRUE(team);
  auto post = u->InsertPost({0, *site, *dept, "中控员"});
  ASSERT_TRUE(post);
  auto person =
      u->InsertPerson({0, *site, *dept, *team, "张三", "E001", "13800000000", clock_.Now()});
  ASSERT_TRUE(person);
  ASSERT_TRUE(u->InsertCertification({0, *person, "消防设施操作员", "No.1", "2027-06-30"}));
  ASSERT_TRUE(u->Commit());

  auto r = *store_->BeginRead();
  auto got = r->GetPerson(*person);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "张三");
  EXPECT_EQ(got->team_id, *team);
  EXPECT_EQ(got->created_at, clock_.Now());
  auto certs = r->ListCertifications(*person);
  ASSERT_TRUE(certs);
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_EQ((*certs)[0].expires_on, "2027-06-30");
  EXPECT_EQ(r->GetSite(*site)->time_zone, "Asia/Shanghai");
  EXPECT_EQ(r->ListDepartments(*site, {})->size(), 1u);
  EXPECT_EQ(r->ListTeams(*site, {})->size(), 1u);
  EXPECT_EQ(r->ListPosts(*site, {})->size(), 1u);
}

TEST_P(StoreConformance, MissingRowsAreNotFoundAndDuplicatesConflict) {
  auto u = *Write();
  auto missing = u->GetSite(424242);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  ASSERT_TRUE(u->InsertSite({0, "dup", "Asia/Shanghai", clock_.Now()}));
  auto dup = u->InsertSite({0, "dup", "Asia/Shanghai", clock_.Now()});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::kConflict);
}

TEST_P(StoreConformance, KeysetPagination) {
  auto u = *Write();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(u->InsertSite({0, "s" + std::to_string(i), "UTC", clock_.Now()}));
  ASSERT_TRUE(u->Commit());
  auto r = *store_->BeginRead();
  auto first = *r->ListSites({0, 2});
  ASSERT_EQ(first.size(), 2u);
  auto second = *r->ListSites({first.back().id, 2});
  ASSERT_EQ(second.size(), 2u);
  EXPECT_GT(second.front().id, first.back().id);
  auto rest = *r->ListSites({second.back().id, 10});
  EXPECT_EQ(rest.size(), 1u);
}

TEST_P(StoreConformance, UncommittedWorkIsRolledBack) {
  {
    auto u = *Write();
    ASSERT_TRUE(u->InsertSite({0, "ghost", "UTC", clock_.Now()}));
  }
  auto r = *store_->BeginRead();
  EXPECT_TRUE(r->ListSites({})->empty());
}

TEST_P(StoreConformance, SavepointUndoesOnlyItsPart) {
  auto u = *Write();
  ASSERT_TRUE(u->InsertSite({0, "kept", "UTC", clock_.Now()}));
  ASSERT_TRUE(u->Savepoint());
  ASSERT_TRUE(u->InsertSite({0, "undone", "UTC", clock_.Now()}));
  ASSERT_TRUE(u->RollbackToSavepoint());
  ASSERT_TRUE(u->Commit());
  auto sites = *(*store_->BeginRead())->ListSites({});
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].name, "kept");
}

TEST_P(StoreConformance, AccountsSessionsTokensIdempotency) {
  auto u = *Write();
  auto acc = u->InsertAccount({0, "admin", "$argon2id$x", 0, false, clock_.Now()});
  ASSERT_TRUE(acc);
  ASSERT_TRUE(u->InsertRoleGrant({0, *acc, "admin", "global", 0}));
  auto dup_grant = u->InsertRoleGrant({0, *acc, "admin", "global", 0});
  ASSERT_FALSE(dup_grant);
  EXPECT_EQ(dup_grant.error().code, Errc::kConflict);
  ASSERT_TRUE(u->InsertSession({"h1", *acc, "csrf", clock_.Now(), clock_.Now() + Micros(1000)}));
  ASSERT_TRUE(u->InsertApiToken({0, *acc, "scada", "th", clock_.Now(), false}));
  ASSERT_TRUE(u->InsertIdempotentResponse({*acc, "k1", "rh", 201, "{\"id\":1}", clock_.Now()}));
  ASSERT_TRUE(u->Commit());

  auto r = *store_->BeginRead();
  EXPECT_EQ(r->GetAccountByUsername("admin")->id, *acc);
  EXPECT_EQ(r->GetAccountByUsername("nobody").error().code, Errc::kNotFound);
  EXPECT_EQ(r->ListRoleGrants(*acc)->at(0).role, "admin");
  EXPECT_EQ(r->GetSession("h1")->csrf_token, "csrf");
  EXPECT_EQ(r->GetApiTokenByHash("th")->name, "scada");
  auto idem = *r->GetIdempotentResponse(*acc, "k1");
  ASSERT_TRUE(idem.has_value());
  EXPECT_EQ(idem->status, 201);
  EXPECT_FALSE(r->GetIdempotentResponse(*acc, "k2")->has_value());
  r.reset();

  auto w = *Write();
  ASSERT_TRUE(w->DeleteSession("h1"));
  ASSERT_TRUE(w->Commit());
  EXPECT_EQ((*store_->BeginRead())->GetSession("h1").error().code, Errc::kNotFound);
}

TEST_P(StoreConformance, WriterChainsJournalAndVerifies) {
  Writer writer(*store_, clock_, 64);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto r = writer.Run<Id>([&](Tx& tx) -> Result<Id> {
          ZHIDU_TRY(Id id,
                    tx.unit().InsertSite({0, "site-" + std::to_string(t) + "-" + std::to_string(i),
                                          "UTC", tx.now()}));
          ZHIDU_TRY_VOID(tx.Journal("org.site.created", 1, "site/" + std::to_string(id), "{}"));
          return id;
        });
        if (r) ok++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 100);
  // A failing job is rolled back alone, journal included.
  auto bad = writer.Run<Id>([&](Tx& tx) -> Result<Id> {
    ZHIDU_TRY_VOID(tx.Journal("org.site.created", 1, "site/x", "{}"));
    return tx.unit().InsertSite({0, "site-0-0", "UTC", tx.now()});  // duplicate name
  });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kConflict);
  writer.Stop();

  auto r = *store_->BeginRead();
  auto report = VerifyJournal(*r);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, 100);
  EXPECT_EQ(r->ReadJournalHead()->seq, 100);
  auto page = *r->ReadJournal(98, 10);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].seq, 99);
  EXPECT_EQ(page[0].hash, ComputeHash(page[0]));
  EXPECT_EQ(page[1].prev_hash, page[0].hash);
}

// Tx::Defer: a job's deferred writes run after the batch's last job, in job order, and vanish
// with a job rolled back; one that fails fails the batch, nothing of it committed.
TEST_P(StoreConformance, WriterRunsDeferredWritesAtTheEndOfTheBatch) {
  Writer writer(*store_, clock_, 64);
  auto site_names = [&] {
    std::set<std::string> names;
    auto read = *store_->BeginRead();
    auto sites = read->ListSites({});
    for (const auto& s : *sites) names.insert(s.name);
    return names;
  };
  auto insert_site = [&](std::string name, std::vector<std::string>* order = nullptr) {
    return [this, name, order](UnitOfWork& u) -> Result<void> {
      if (order) order->push_back(name);
      ZHIDU_TRY(Id id, u.InsertSite({0, name, "UTC", clock_.Now()}));
      (void)id;
      return Ok();
    };
  };
  // One blocked job holds the writer so that the next ones queue into one batch.
  auto submit_batch = [&](std::vector<std::function<Result<int>(Tx&)>> jobs) {
    std::promise<void> release;
    auto released = release.get_future().share();
    std::promise<void> holding;
    writer.Submit<int>(
        [&, released](Tx&) -> Result<int> {
          holding.set_value();
          released.wait();
          return 0;
        },
        [](Result<int>) {});
    holding.get_future().wait();
    std::vector<std::future<Result<int>>> results;
    for (auto& job : jobs) {
      auto done = std::make_shared<std::promise<Result<int>>>();
      results.push_back(done->get_future());
      writer.Submit<int>(job, [done](Result<int> r) { done->set_value(std::move(r)); });
    }
    release.set_value();
    std::vector<Result<int>> out;
    for (auto& f : results) out.push_back(f.get());
    return out;
  };

  std::vector<std::string> order;
  bool b_written_before_d_ran = true;
  auto r = submit_batch({
      [&](Tx& tx) -> Result<int> {
        ZHIDU_TRY_VOID(tx.Defer(insert_site("b-deferred", &order)));
        return 1;
      },
      [&](Tx& tx) -> Result<int> {
        ZHIDU_TRY_VOID(tx.Defer(insert_site("c-deferred", &order)));
        return Fail(Errc::kInvalidArgument, "c fails");
      },
      [&](Tx& tx) -> Result<int> {
        auto sites = tx.unit().ListSites({});
        b_written_before_d_ran =
            !sites || std::any_of(sites->begin(), sites->end(),
                                  [](const Site& s) { return s.name == "b-deferred"; });
        ZHIDU_TRY_VOID(tx.Defer(insert_site("d-deferred", &order)));
        ZHIDU_TRY_VOID(tx.Defer(insert_site("d-deferred-2", &order)));
        return 3;
      },
  });
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0]);
  ASSERT_FALSE(r[1]);
  EXPECT_EQ(r[1].error().code, Errc::kInvalidArgument);
  EXPECT_TRUE(r[2]);
  EXPECT_FALSE(b_written_before_d_ran);
  EXPECT_EQ(order, (std::vector<std::string>{"b-deferred", "d-deferred", "d-deferred-2"}));
  EXPECT_EQ(site_names(), (std::set<std::string>{"b-deferred", "d-deferred", "d-deferred-2"}));

  // A deferred write that fails (a duplicate name) fails every job of its batch: nothing commits.
  r = submit_batch({
      [&](Tx& tx) -> Result<int> {
        ZHIDU_TRY(Id id, tx.unit().InsertSite({0, "e", "UTC", tx.now()}));
        (void)id;
        ZHIDU_TRY_VOID(tx.Journal("org.site.created", 1, "site/e", "{}"));
        ZHIDU_TRY_VOID(tx.Defer(insert_site("b-deferred")));
        return 1;
      },
      [&](Tx& tx) -> Result<int> {
        ZHIDU_TRY_VOID(tx.Defer(insert_site("f-deferred")));
        return 2;
      },
  });
  ASSERT_EQ(r.size(), 2u);
  for (const auto& x : r) {
    ASSERT_FALSE(x);
    EXPECT_EQ(x.error().code, Errc::kUnavailable);
  }
  writer.Stop();
  EXPECT_EQ(site_names(), (std::set<std::string>{"b-deferred", "d-deferred", "d-deferred-2"}));
  EXPECT_EQ((*store_->BeginRead())->ReadJournalHead()->seq, 0);
}

TEST_P(StoreConformance, WriterRefusesAfterStop) {
  Writer writer(*store_, clock_);
  writer.Stop();
  auto r = writer.Run<int>([](Tx&) -> Result<int> { return 1; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
}

TEST_P(StoreConformance, FailedVerbLeavesTheUnitUsable) {
  auto u = *Write();
  ASSERT_TRUE(u->InsertSite({0, "kept", "UTC", clock_.Now()}));
  auto orphan = u->InsertDepartment({0, 424242, "nowhere"});  // no such site
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, Errc::kFailedPrecondition);
  auto dup = u->InsertSite({0, "kept", "UTC", clock_.Now()});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::kConflict);
  ASSERT_TRUE(u->InsertSite({0, "also kept", "UTC", clock_.Now()}));
  ASSERT_TRUE(u->Commit());
  EXPECT_EQ((*store_->BeginRead())->ListSites({})->size(), 2u);
}

// Verbs, failed verbs and job savepoints interleaved: what each undoes is its own part only.
// (PostgreSQL releases a verb's statement savepoint lazily, with the next statement: this pins
// that the lazy release never lets a job's rollback or a failed verb reach further back.)
TEST_P(StoreConformance, SavepointsAndFailedVerbsInterleave) {
  auto u = *Write();
  auto site = [&](const char* name) { return u->InsertSite({0, name, "UTC", clock_.Now()}); };
  ASSERT_TRUE(site("a"));
  ASSERT_TRUE(u->Savepoint());
  ASSERT_TRUE(site("b"));
  ASSERT_FALSE(site("a"));  // conflict: undoes only itself
  ASSERT_TRUE(u->ReleaseSavepoint());
  ASSERT_TRUE(site("c"));
  ASSERT_TRUE(u->Savepoint());
  ASSERT_TRUE(site("d"));
  ASSERT_FALSE(u->InsertDepartment({0, 424242, "nowhere"}));  // no such site
  ASSERT_TRUE(site("e"));
  ASSERT_TRUE(u->RollbackToSavepoint());  // undoes d and e, keeps c
  ASSERT_FALSE(site("c"));
  ASSERT_TRUE(site("f"));
  ASSERT_TRUE(u->Savepoint());
  ASSERT_TRUE(u->RollbackToSavepoint());  // an empty job
  ASSERT_TRUE(u->Savepoint());
  ASSERT_FALSE(site("f"));  // the job's first verb fails
  ASSERT_TRUE(u->ReleaseSavepoint());
  ASSERT_TRUE(u->Commit());
  auto read = *store_->BeginRead();
  auto sites = *read->ListSites({});
  std::vector<std::string> names;
  for (const auto& s : sites) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "f"}));
}

TEST_P(StoreConformance, ScanJournalStreamsPastPageBoundaries) {
  constexpr int kRecords = 10'500;  // more than one PostgreSQL scan page (10,000)
  {
    auto u = *Write();
    JournalHead head = *u->ReadJournalHead();
    for (int i = 0; i < kRecords; ++i) {
      JournalRecord r = TestRecord(i, head);
      ASSERT_TRUE(u->AppendJournal(r));
    }
    ASSERT_TRUE(u->Commit());
  }
  auto r = *store_->BeginRead();
  auto report = VerifyJournal(*r);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, kRecords);
  std::int64_t seen = 0;
  ASSERT_TRUE(r->ScanJournal([&](const JournalRecord& rec) {
    EXPECT_EQ(rec.seq, seen + 1);
    return ++seen < 10'003;  // stop early, just past the first page
  }));
  EXPECT_EQ(seen, 10'003);
}

// The parallel verify (seq ranges in threads, stitched) finds what one scan finds: the first bad
// record in seq order, with the same problem — also at and across range boundaries.
TEST_P(StoreConformance, ParallelVerifyMatchesOneScan) {
  struct Case {
    std::string name;
    std::int64_t bad_seq;                      // expected; 0 = intact
    std::function<bool(JournalRecord&)> edit;  // false: leave the record out (deleted)
  };
  auto alter = [](std::int64_t seq) {
    return [seq](JournalRecord& r) {
      if (r.seq == seq) r.payload = R"({"altered":true})";
      return true;
    };
  };
  auto drop = [](std::set<std::int64_t> seqs) {
    return [seqs](JournalRecord& r) { return !seqs.contains(r.seq); };
  };
  // 30 records in 3 threads: ranges ..10, 11..20, 21.. .
  std::vector<Case> cases = {
      {"intact", 0, [](JournalRecord&) { return true; }},
      {"altered first of a range", 11, alter(11)},
      {"altered last of a range", 20, alter(20)},
      {"deleted first of a range", 12, drop({11})},
      {"deleted last of a range", 11, drop({10})},
      {"deleted across a boundary", 12, drop({10, 11})},
      {"deleted the first record", 2, drop({1})},
      {"two faults: the earlier wins", 16,
       [](JournalRecord& r) {
         if (r.seq == 25) r.payload = "{}x";
         return r.seq != 15;
       }},
      {"prev_hash broken at a boundary", 21,
       [](JournalRecord& r) {
         if (r.seq == 21) r.prev_hash[0] ^= 1;  // re-hashed below: only the link is wrong
         return true;
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto opened = testing_support::OpenFreshStore(GetParam());
    ASSERT_TRUE(opened);
    auto& store = **opened;
    ASSERT_TRUE(store.Migrate());
    {
      auto u = *store.BeginWrite();
      JournalHead head;
      for (int i = 0; i < 30; ++i) {
        JournalRecord r = TestRecord(i, head);
        Sha256Digest prev = r.prev_hash;
        if (!c.edit(r)) continue;
        if (r.prev_hash != prev) r.hash = ComputeHash(r);  // a consistent record, wrongly linked
        ASSERT_TRUE(u->AppendJournal(r));
      }
      ASSERT_TRUE(u->Commit());
    }
    auto unit = *store.BeginRead();
    auto one = VerifyJournal(*unit);
    auto parallel = VerifyJournal(store, 3, 1);
    ASSERT_TRUE(one && parallel);
    EXPECT_EQ(one->ok, c.bad_seq == 0);
    EXPECT_EQ(one->bad_seq, c.bad_seq) << one->problem;
    EXPECT_EQ(parallel->ok, one->ok);
    EXPECT_EQ(parallel->bad_seq, one->bad_seq);
    EXPECT_EQ(parallel->problem, one->problem);
    EXPECT_EQ(parallel->records, one->records);
    EXPECT_EQ(parallel->head, one->head);
  }
}

// ---- runtime: requests and approvals (申请与审批)

// A pending request of type "t" by account 1 at a new site; returns its id.
Id PendingRequest(UnitOfWork& u) {
  ApprovalRequest a;
  a.site_id = *u.InsertSite({0, "一号站", "Asia/Shanghai", TimePoint(Micros(1))});
  a.type = "t";
  a.applicant = 1;
  a.created_at = a.updated_at = TimePoint(Micros(1'790'000'000'000'000));
  return *u.InsertApprovalRequest(a);
}

TEST_P(StoreConformance, ApprovalRequestRoundTripAndFilters) {
  auto u = *Write();
  Id site = *u->InsertSite({0, "一号站", "Asia/Shanghai", clock_.Now()});
  Id other = *u->InsertSite({0, "二号站", "Asia/Shanghai", clock_.Now()});
  ApprovalRequest a;
  a.site_id = site;
  a.type = "r16-footage-view";
  a.applicant = 7;
  a.applicant_person = 70;
  a.inputs = R"({"request.copy":false})";
  a.reason = "查看录像";
  a.created_at = a.updated_at = clock_.Now();
  auto id = u->InsertApprovalRequest(a);
  ASSERT_TRUE(id) << id.error().message;
  ApprovalRequest b = a;
  b.type = "r16-outsider-entry";
  b.applicant = 8;
  Id id_b = *u->InsertApprovalRequest(b);
  ApprovalRequest c = a;
  c.site_id = other;
  Id id_c = *u->InsertApprovalRequest(c);
  ASSERT_TRUE(u->Commit());

  auto r = *store_->BeginRead();
  auto got = r->GetApprovalRequest(*id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->type, "r16-footage-view");
  EXPECT_EQ(got->applicant, 7);
  EXPECT_EQ(got->applicant_person, 70);
  EXPECT_EQ(got->inputs, R"({"request.copy":false})");
  EXPECT_EQ(got->reason, "查看录像");
  EXPECT_EQ(got->state, RequestState::kPending);
  EXPECT_EQ(got->created_at, clock_.Now());
  auto missing = r->GetApprovalRequest(424242);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);

  auto ids = [&](RequestFilter f, PageRequest page = {}) {
    std::vector<Id> out;
    auto rows = r->ListApprovalRequests(f, page);
    if (!rows) return std::vector<Id>{-1};
    for (const auto& row : *rows) out.push_back(row.id);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<Id>{*id, id_b, id_c}));
  EXPECT_EQ(ids({site, "", 0, std::nullopt}), (std::vector<Id>{*id, id_b}));
  EXPECT_EQ(ids({0, "r16-outsider-entry", 0, std::nullopt}), (std::vector<Id>{id_b}));
  EXPECT_EQ(ids({0, "", 7, std::nullopt}), (std::vector<Id>{*id, id_c}));
  EXPECT_EQ(ids({0, "", 0, RequestState::kApproved}), std::vector<Id>{});
  EXPECT_EQ(ids({}, {*id, 1}), (std::vector<Id>{id_b}));
}

TEST_P(StoreConformance, ApprovalRequestLeavesPendingOnce) {
  auto u = *Write();
  Id id = PendingRequest(*u);
  TimePoint later = clock_.Now() + Micros(5'000'000);
  ASSERT_TRUE(u->DecideApprovalRequest(id, RequestState::kApproved, later));
  auto again = u->DecideApprovalRequest(id, RequestState::kRejected, later);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kFailedPrecondition);
  auto absent = u->DecideApprovalRequest(424242, RequestState::kWithdrawn, later);
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().code, Errc::kInternal);
  ASSERT_TRUE(u->Commit());
  auto got = *(*store_->BeginRead())->GetApprovalRequest(id);
  EXPECT_EQ(got.state, RequestState::kApproved);
  EXPECT_EQ(got.updated_at, later);
  auto filtered =
      *(*store_->BeginRead())->ListApprovalRequests({0, "", 0, RequestState::kApproved}, {});
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_EQ(filtered[0].id, id);
}

TEST_P(StoreConformance, ApprovalDecisionsAreUniquePerStep) {
  auto u = *Write();
  Id id = PendingRequest(*u);
  ApprovalDecision d;
  d.request_id = id;
  d.step = "leader";
  d.account_id = 2;
  d.approve = true;
  d.signed_ = true;
  d.escort_person = 9;
  d.note = "同意";
  d.at = clock_.Now();
  auto first = u->InsertApprovalDecision(d);
  ASSERT_TRUE(first) << first.error().message;
  ApprovalDecision twice = d;
  twice.account_id = 3;
  twice.approve = false;
  auto dup = u->InsertApprovalDecision(twice);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::kConflict);
  ApprovalDecision second = d;
  second.step = "finance";
  second.approve = false;
  second.signed_ = false;
  second.escort_person = 0;
  ASSERT_TRUE(u->InsertApprovalDecision(second));
  ASSERT_TRUE(u->Commit());

  auto list = *(*store_->BeginRead())->ListApprovalDecisions(id);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, *first);
  EXPECT_EQ(list[0].step, "leader");
  EXPECT_EQ(list[0].account_id, 2);
  EXPECT_TRUE(list[0].approve);
  EXPECT_TRUE(list[0].signed_);
  EXPECT_EQ(list[0].escort_person, 9);
  EXPECT_EQ(list[0].note, "同意");
  EXPECT_EQ(list[0].at, clock_.Now());
  EXPECT_EQ(list[1].step, "finance");
  EXPECT_FALSE(list[1].approve);
  EXPECT_FALSE(list[1].signed_);
  EXPECT_TRUE((*store_->BeginRead())->ListApprovalDecisions(424242)->empty());
}

// ---- webhook channels
TEST_P(StoreConformance, WebhookChannelsRoundTripAndDisable) {
  auto u = *Write();
  auto site = u->InsertSite({0, "机房", "Asia/Shanghai", clock_.Now()});
  ASSERT_TRUE(site);
  WebhookChannel a{0, "值班群",     "wecom", "http://127.0.0.1:9/a", "duty.\nviolation.", 0,
                   1, clock_.Now(), false};
  auto a_id = u->InsertWebhookChannel(a);
  ASSERT_TRUE(a_id) << a_id.error().message;
  WebhookChannel b{0, "飞书群",     "feishu", "http://127.0.0.1:9/b", "", *site,
                   1, clock_.Now(), false};
  auto b_id = u->InsertWebhookChannel(b);
  ASSERT_TRUE(b_id);
  auto dup = u->InsertWebhookChannel(a);  // same name while enabled
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::kConflict);
  ASSERT_TRUE(u->Commit());

  auto w = *Write();
  auto got = w->GetWebhookChannel(*a_id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "值班群");
  EXPECT_EQ(got->format, "wecom");
  EXPECT_EQ(got->kinds, "duty.\nviolation.");
  EXPECT_EQ(got->site_id, 0);
  EXPECT_EQ(got->created_at, clock_.Now());
  EXPECT_FALSE(got->disabled);
  EXPECT_EQ(w->GetWebhookChannel(*b_id)->site_id, *site);
  ASSERT_TRUE(w->DisableWebhookChannel(*a_id));
  auto again = w->DisableWebhookChannel(*a_id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kFailedPrecondition);
  auto missing = w->DisableWebhookChannel(424242);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_TRUE(w->InsertWebhookChannel(a));  // the name is free again once disabled
  ASSERT_TRUE(w->Commit());

  auto r = *store_->BeginRead();
  auto enabled = r->ListWebhookChannels(false);
  ASSERT_TRUE(enabled);
  ASSERT_EQ(enabled->size(), 2u);
  EXPECT_EQ((*enabled)[0].id, *b_id);
  auto all = r->ListWebhookChannels(true);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, *a_id);
  EXPECT_TRUE((*all)[0].disabled);
  EXPECT_TRUE(r->GetWebhookChannel(*a_id)->disabled);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance,
                         ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

// ---- several processes on one database (PostgreSQL) or one file (SQLite)

// Two stores opened on one fresh database, as two `zhidu serve` processes would open it.
struct TwoStores {
  std::string location;  // file path or connection string
  std::unique_ptr<Store> a, b;
};

Result<TwoStores> OpenTwoStores(const std::string& backend) {
  TwoStores two;
  if (backend == "sqlite") {
    auto dir = std::filesystem::temp_directory_path() / ("zhidu-test-" + RandomHex(8));
    std::filesystem::create_directories(dir);
    two.location = (dir / "zhidu.db").string();
    ZHIDU_TRY(two.a, OpenSqliteStore(two.location));
    ZHIDU_TRY(two.b, OpenSqliteStore(two.location));
    return two;
  }
#if ZHIDU_TEST_POSTGRES
  const char* url = std::getenv("ZHIDU_TEST_PG_URL");
  if (!url || !*url)
    return Fail(Errc::kUnavailable, "ZHIDU_TEST_PG_URL is not set: PostgreSQL tests skipped");
  ZHIDU_TRY(two.location, CreatePostgresTestDatabase(url));
  ZHIDU_TRY(two.a, OpenPostgresStore(two.location));
  ZHIDU_TRY(two.b, OpenPostgresStore(two.location));
  return two;
#else
  return Fail(Errc::kUnavailable, "built without the PostgreSQL backend");
#endif
}

class SharedDatabase : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = OpenTwoStores(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    two_ = std::move(*opened);
    ASSERT_TRUE(two_.a->Migrate());
    ASSERT_TRUE(two_.b->Migrate());  // a second process migrating finds nothing to do
  }
  TwoStores two_;
  ManualClock clock_{TimePoint(Micros(1'790'000'000'000'000))};
};

TEST_P(SharedDatabase, TwoWritersExtendOneChain) {
  constexpr int kThreadsPerWriter = 2, kJobsPerThread = 40;
  Writer wa(*two_.a, clock_, 8), wb(*two_.b, clock_, 8);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerWriter; ++t) {
    Writer& w = t % 2 == 0 ? wa : wb;
    threads.emplace_back([&, t] {
      for (int i = 0; i < kJobsPerThread; ++i) {
        auto r = w.Run<Id>([&](Tx& tx) -> Result<Id> {
          ZHIDU_TRY(Id id,
                    tx.unit().InsertSite(
                        {0, "p" + std::to_string(t) + "-" + std::to_string(i), "UTC", tx.now()}));
          ZHIDU_TRY_VOID(tx.Journal("org.site.created", 1, "site/" + std::to_string(id), "{}"));
          return id;
        });
        if (r) {
          ok++;
        } else {
          ADD_FAILURE() << r.error().message;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  wa.Stop();
  wb.Stop();
  const int total = 2 * kThreadsPerWriter * kJobsPerThread;
  EXPECT_EQ(ok.load(), total);
  for (Store* s : {two_.a.get(), two_.b.get()}) {
    auto r = *s->BeginRead();
    auto report = VerifyJournal(*r);
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok) << report->problem;
    EXPECT_EQ(report->records, total);
    EXPECT_EQ(r->ReadJournalHead()->seq, total);
  }
}

// A write unit of one process waits for the other's to finish, then reads the head it committed.
TEST_P(SharedDatabase, WriteUnitsOfTwoProcessesTakeTurns) {
  auto first = *two_.a->BeginWrite();
  JournalHead head = *first->ReadJournalHead();
  JournalRecord rec;
  rec.at = clock_.Now();
  rec.kind = "test.first";
  rec.payload = "{}";
  Chain(rec, head);
  ASSERT_TRUE(first->AppendJournal(rec));

  std::atomic<bool> second_began{false};
  Result<JournalHead> seen = JournalHead{};
  std::thread other([&] {
    auto second = two_.b->BeginWrite();
    second_began = true;
    if (!second) {
      seen = Fail(second.error());
      return;
    }
    seen = (*second)->ReadJournalHead();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(second_began.load()) << "the second writer did not wait for the first";
  ASSERT_TRUE(first->Commit());
  other.join();
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(seen->seq, 1);
  EXPECT_EQ(seen->hash, rec.hash);
}

#if ZHIDU_TEST_POSTGRES
// Regression guard: pooled and writer connections killed by the server (restart, failover,
// idle timeout) are replaced on the next BeginRead/BeginWrite instead of failing forever.
TEST_P(SharedDatabase, ReconnectsAfterTheServerDropsConnections) {
  if (GetParam() != "postgresql") GTEST_SKIP() << "PostgreSQL only";
  {
    auto w = *two_.a->BeginWrite();
    ASSERT_TRUE(w->InsertSite({0, "before", "UTC", clock_.Now()}));
    ASSERT_TRUE(w->Commit());
    auto r = *two_.a->BeginRead();
    ASSERT_EQ(r->ListSites({})->size(), 1u);
  }
  ASSERT_TRUE(TerminatePostgresSessionsForTest(two_.location));
  auto r = two_.a->BeginRead();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)->ListSites({})->size(), 1u);
  auto w = two_.a->BeginWrite();
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE((*w)->InsertSite({0, "after", "UTC", clock_.Now()}));
  ASSERT_TRUE((*w)->Commit());
}
#endif

INSTANTIATE_TEST_SUITE_P(Backends, SharedDatabase, ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::store
