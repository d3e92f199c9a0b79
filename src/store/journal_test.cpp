#include "store/journal.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/crypto.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace zhidu::store {
namespace {

JournalRecord Record(std::int64_t seq, std::int64_t at_us, std::string kind, Id actor,
                     std::string subject, std::string payload) {
  JournalRecord r;
  r.seq = seq;
  r.at = TimePoint(Micros(at_us));
  r.kind = std::move(kind);
  r.actor = actor;
  r.subject = std::move(subject);
  r.payload = std::move(payload);
  return r;
}

// The hash as it was computed before the streaming path: SHA-256 over the whole canonical string.
Sha256Digest OldHash(const JournalRecord& r) { return Sha256Of(CanonicalBytes(r)); }

std::vector<JournalRecord> VariedRecords() {
  std::vector<JournalRecord> records;
  records.push_back(Record(1, 0, "", 0, "", ""));  // every string empty, every integer zero
  records.push_back(Record(2, 1700000000123456, "org.person.created", 7, "person/3",
                           R"({"name":"张三","phone":"13800000000"})"));
  records.push_back(Record(3, -5, "duty.log.written", -1, "班组/甲班",
                           R"({"text":"交接班：设备运行正常，无异常。"})"));
  records.push_back(Record(std::numeric_limits<std::int64_t>::max(), 1, "k", 1, "s",
                           std::string(100000, 'x')));  // longer than any internal buffer
  std::string binary("a\0b\xff", 4);
  records.push_back(Record(5, 42, binary, 3, binary, binary));
  for (std::size_t i = 0; i < records.size(); ++i)
    for (std::size_t b = 0; b < 32; ++b) records[i].prev_hash[b] = static_cast<uint8_t>(i * 31 + b);
  return records;
}

TEST(Journal, StreamingHashEqualsHashOfCanonicalBytes) {
  for (const auto& r : VariedRecords()) {
    Sha256 h;
    UpdateCanonical(h, r);
    EXPECT_EQ(ToHex(h.Finish()), ToHex(OldHash(r))) << "seq " << r.seq;
    EXPECT_EQ(ToHex(ComputeHash(r)), ToHex(OldHash(r))) << "seq " << r.seq;
  }
}

// Hashes precomputed (with Python's hashlib from docs/journal_format.md) before the change: the
// encoding of existing journals must never move.
TEST(Journal, HashOfExistingRecordsIsUnchanged) {
  auto first = Record(1, 1700000000123456, "org.person.created", 7, "person/3",
                      R"({"name":"张三","phone":"13800000000"})");
  EXPECT_EQ(ToHex(ComputeHash(first)),
            "6c536e53586b604f56c6112602938dba8d4ba52c2e6e812f13172ce85f2b6c3f");
  auto second = Record(2, 1700000000223456, "duty.log.written", 0, "", "");
  second.prev_hash = ComputeHash(first);
  EXPECT_EQ(ToHex(ComputeHash(second)),
            "cf1de040de96d99386e1aa54efe7a7bd552f4da620dcf4ddb3da1946d3298991");
}

class JournalVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("zhidu_journal_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = OpenSqliteStore((dir_ / "zhidu.db").string());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends records chained with the old whole-string hash, as a journal written before the
  // streaming path would hold them.
  void AppendOldStyle(std::vector<JournalRecord> records, bool tamper_last = false) {
    auto unit = store_->BeginWrite();
    ASSERT_TRUE(unit);
    JournalHead head;
    for (auto& r : records) {
      r.seq = head.seq + 1;
      r.prev_hash = head.hash;
      r.hash = OldHash(r);
      head = {r.seq, r.hash};
    }
    if (tamper_last) records.back().payload += " ";
    for (const auto& r : records) ASSERT_TRUE((*unit)->AppendJournal(r));
    ASSERT_TRUE((*unit)->Commit());
  }

  // Runs `sql` on the file directly, as someone with access to it would (triggers and all).
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "zhidu.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  VerifyReport Verify(const VerifyOptions& options = {}) {
    auto unit = store_->BeginRead();
    EXPECT_TRUE(unit);
    auto report = VerifyJournal(**unit, options);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : VerifyReport{};
  }

  // Three chained records through the store, as the writer appends them.
  std::vector<JournalRecord> AppendThree() {
    std::vector<JournalRecord> out;
    auto unit = store_->BeginWrite();
    EXPECT_TRUE(unit);
    JournalHead head;
    for (int i = 0; i < 3; ++i) {
      auto r = Record(0, 1000 + i, "test.record", 1, "test/" + std::to_string(i), "{}");
      Chain(r, head);
      EXPECT_TRUE((*unit)->AppendJournal(r));
      out.push_back(r);
    }
    EXPECT_TRUE((*unit)->Commit());
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

// Issue 15 §2: one row at seq 0 used to switch the checks off ("intact: 0 records").
TEST_F(JournalVerify, ARowAtSeqZeroIsBrokenNotAnEmptyJournal) {
  AppendThree();
  Tamper(
      "DROP TRIGGER journal_seq_positive_insert;"
      "INSERT INTO journal SELECT 0, at, kind, actor, subject, payload, prev_hash, hash "
      "FROM journal WHERE seq = 1;"
      "UPDATE journal SET payload = '{\"x\":1}' WHERE seq = 2; DELETE FROM journal WHERE seq = 3;");
  auto report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_seq, 0);
  EXPECT_NE(report.problem.find("sequence number 0"), std::string::npos) << report.problem;
}

TEST_F(JournalVerify, TheStoreRefusesASeqBelowOne) {
  auto unit = store_->BeginWrite();
  ASSERT_TRUE(unit);
  auto r = Record(0, 1, "forged", 0, "", "{}");
  r.hash = ComputeHash(r);
  EXPECT_FALSE((*unit)->AppendJournal(r));
}

TEST_F(JournalVerify, RecordOneMustStartWithAZeroPrevHash) {
  auto records = AppendThree();
  // A forged chain: record 1 re-hashed over a non-zero prev_hash, the rest re-chained on it.
  JournalHead head{0, {}};
  head.hash[0] = 1;
  std::string sql;
  for (auto& r : records) {
    r.seq = 0;
    Chain(r, head);
    sql += "UPDATE journal SET prev_hash = x'" + ToHex(r.prev_hash) + "', hash = x'" +
           ToHex(r.hash) + "' WHERE seq = " + std::to_string(r.seq) + ";";
  }
  sql += "UPDATE journal_head SET hash = x'" + ToHex(head.hash) + "';";
  Tamper(sql);
  auto report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_seq, 1);
  EXPECT_NE(report.problem.find("zero"), std::string::npos) << report.problem;
}

TEST_F(JournalVerify, TheLastRecordsDeletedAreCaughtByTheRecordedHead) {
  AppendThree();
  EXPECT_TRUE(Verify().ok);
  Tamper("DELETE FROM journal WHERE seq >= 2");
  auto report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_seq, 2);
  EXPECT_NE(report.problem.find("missing at the end"), std::string::npos) << report.problem;
  Tamper("DELETE FROM journal_head");
  report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("recorded head is missing"), std::string::npos) << report.problem;
}

TEST_F(JournalVerify, AnAnchorCatchesATailRewrittenWithItsHead) {
  auto records = AppendThree();
  auto anchor = ParseAnchor("3:" + ToHex(records[2].hash));
  ASSERT_TRUE(anchor);
  auto ok = Verify({{*anchor}});
  EXPECT_TRUE(ok.ok) << ok.problem;
  EXPECT_EQ(ok.anchor_seq, 3);
  // Cut back and the recorded head moved to match: only the anchor still shows it.
  Tamper("DELETE FROM journal WHERE seq = 3; UPDATE journal_head SET seq = 2, hash = x'" +
         ToHex(records[1].hash) + "'");
  EXPECT_TRUE(Verify().ok);
  auto by_seq = Verify({{*anchor}});
  EXPECT_FALSE(by_seq.ok);
  EXPECT_NE(by_seq.problem.find("the anchor"), std::string::npos) << by_seq.problem;
  auto by_hash = ParseAnchor(ToHex(records[2].hash));
  ASSERT_TRUE(by_hash);
  EXPECT_FALSE(Verify({{*by_hash}}).ok);
}

TEST_F(JournalVerify, AnEmptyJournalBesideAccountsIsBroken) {
  EXPECT_TRUE(Verify().ok);  // a new database: nothing to journal yet
  Tamper(
      "INSERT INTO accounts(username, password_hash, disabled, created_at) "
      "VALUES('someone', 'x', 0, 0)");
  auto report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("journal is empty"), std::string::npos) << report.problem;
}

TEST(JournalAnchor, ParsesHashOrSeqAndHash) {
  const std::string hex(64, 'a');
  auto plain = ParseAnchor(hex);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->seq, 0);
  EXPECT_EQ(plain->hash[0], 0xaa);
  auto with_seq = ParseAnchor("42:" + hex);
  ASSERT_TRUE(with_seq);
  EXPECT_EQ(with_seq->seq, 42);
  for (const std::string& bad : {std::string("0:") + hex, "x:" + hex, hex.substr(1), ":" + hex,
                                 std::string("-1:") + hex, hex + "00"})
    EXPECT_FALSE(ParseAnchor(bad)) << bad;
}

TEST_F(JournalVerify, JournalWrittenWithTheOldHashVerifies) {
  auto records = VariedRecords();
  records.pop_back();  // the binary kind is not valid TEXT for every backend; keep it to the hash
  AppendOldStyle(records);
  auto unit = store_->BeginRead();
  ASSERT_TRUE(unit);
  auto report = VerifyJournal(**unit);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, static_cast<std::int64_t>(records.size()));
}

TEST_F(JournalVerify, AlteredRecordIsCaught) {
  AppendOldStyle(VariedRecords(), /*tamper_last=*/true);
  auto unit = store_->BeginRead();
  ASSERT_TRUE(unit);
  auto report = VerifyJournal(**unit);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->bad_seq, 5);
}

// The SQLite backend caches one prepared statement per SQL text: a second scan started while the
// first is streaming must get its own statement, not reset the first one under it.
TEST_F(JournalVerify, NestedScansOfTheSameUnitDoNotDisturbEachOther) {
  auto records = VariedRecords();
  records.pop_back();
  AppendOldStyle(records);
  auto unit = store_->BeginRead();
  ASSERT_TRUE(unit);
  std::vector<std::int64_t> outer;
  int inner_rows = 0;
  auto status = (*unit)->ScanJournal([&](const JournalRecord& r) {
    outer.push_back(r.seq);
    auto inner = VerifyJournal(**unit);
    EXPECT_TRUE(inner && inner->ok);
    if (inner) inner_rows += static_cast<int>(inner->records);
    return true;
  });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(outer, (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(inner_rows, 16);
  // And the cached statement is usable again afterwards.
  auto again = VerifyJournal(**unit);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->ok);
}

}  // namespace
}  // namespace zhidu::store
