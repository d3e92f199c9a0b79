// W3 and W4 data generators: write straight into a zhidu SQLite data directory through the store
// (big transactions), for a server started on it afterwards. The directory should have been
// seeded first (`zhidu serve --demo` once), so the server has accounts and a site.
//
//   bench_gen_store timers --data DIR --far N --near M --near-at-us T --near-spread-ms S
//       N pending reminder timers due 30 to 60 days from now (spread evenly), and M due at
//       T + i·S/M µs (the ones whose firing lag is measured). Kind "reminder" (the reminders
//       module's handler fires them), owner account 1.
//   bench_gen_store dutylog --data DIR --entries N --site S --regulations DIR [--max-seconds X]
//       N duty-log entries of site S whose text is made of phrases of the regulations (each CJK
//       run of 4 to 40 characters of R01-R20 is a phrase; an entry joins 1 to 3 of them), with
//       the search index terms the duty-log module writes (store::TermsOf). Entries only: no
//       journal records (the search reads duty_log and its index, never the journal). Stops after
//       the transaction in which X seconds passed.
//   bench_gen_store tickets --data DIR --site S --queues P1,P2,P3 --tickets N --customers C
//                   --open K --regulations DIR [--max-seconds X]
//       C customers of site S (names from the regulations' phrases, one phone each) and N tickets
//       on the queue posts P1… in turn, each for a random customer, the subject one or two
//       phrases cut to 40 characters, written by the service module's statements with their
//       search index terms (service::db::InsertCustomer, InsertTicket); the last K are open, the
//       others closed. Rows only: no journal records, no deadlines.
// Prints one JSON object on stdout.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_common.hpp"
#include "modules/service/service.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/text_search.hpp"

using namespace zhidu;
using Steady = std::chrono::steady_clock;

namespace {

constexpr std::int64_t kPerTransaction = 50000;

// CJK runs (U+3400..U+9FFF, 3-byte UTF-8) of 4 to 40 characters in the files of `dir`.
std::vector<std::string> Phrases(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (int n = 1; n <= 20; ++n) {
    char name[16];
    std::snprintf(name, sizeof name, "R%02d.txt", n);
    std::ifstream in(dir / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::string run;
    int chars = 0;
    auto flush = [&] {
      if (chars >= 4 && chars <= 40) out.push_back(run);
      run.clear();
      chars = 0;
    };
    for (size_t i = 0; i < text.size();) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0xE3 && c <= 0xE9 && i + 2 < text.size()) {
        run.append(text, i, 3);
        ++chars;
        i += 3;
      } else {
        flush();
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      }
    }
    flush();
  }
  return out;
}

double Since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

int Timers(store::Store& store, std::map<std::string, std::string>& args) {
  const std::int64_t far = std::stoll(args["--far"]), near = std::stoll(args["--near"]);
  const std::int64_t near_at = std::stoll(args["--near-at-us"]);
  const std::int64_t spread_us = std::stoll(args["--near-spread-ms"]) * 1000;
  const std::int64_t now_us =
      std::chrono::duration_cast<Micros>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::int64_t far_from = now_us + 30LL * 86400 * 1000000, far_span = 30LL * 86400 * 1000000;
  const auto payload = CanonicalObject().Add("account_id", std::int64_t{1}).Str();
  const auto started = Steady::now();
  std::int64_t written = 0;
  const std::int64_t total = far + near;
  while (written < total) {
    auto unit = store.BeginWrite();
    if (!unit) return std::cerr << unit.error().message << "\n", 1;
    std::vector<store::Timer> batch;
    const std::int64_t n = std::min(kPerTransaction, total - written);
    for (std::int64_t i = written; i < written + n; ++i) {
      store::Timer t;
      t.kind = "reminder";
      t.subject = "account/1";
      t.created_at = TimePoint(Micros(now_us));
      if (i < near) {
        t.due_at = TimePoint(Micros(near_at + (near > 1 ? spread_us * i / (near - 1) : 0)));
        t.payload = CanonicalObject()
                        .Add("account_id", std::int64_t{1})
                        .Add("message", "压测定时器 " + std::to_string(i))
                        .Str();
      } else {
        t.due_at =
            TimePoint(Micros(far_from + far_span * (i - near) / std::max<std::int64_t>(1, far)));
        t.payload = payload;
      }
      batch.push_back(std::move(t));
    }
    if (auto r = (*unit)->InsertTimers(batch); !r) return std::cerr << r.error().message << "\n", 1;
    if (auto c = (*unit)->Commit(); !c) return std::cerr << c.error().message << "\n", 1;
    written += n;
  }
  std::printf("{\"timers\":%lld,\"near\":%lld,\"seconds\":%.3f,\"peak_rss_kib\":%lld}\n",
              static_cast<long long>(written), static_cast<long long>(near), Since(started),
              static_cast<long long>(bench::PeakRssKib()));
  return 0;
}

int DutyLog(store::Store& store, std::map<std::string, std::string>& args) {
  const std::int64_t entries = std::stoll(args["--entries"]);
  const store::Id site = std::stoll(args["--site"]);
  const double max_seconds =
      args.contains("--max-seconds") ? std::stod(args["--max-seconds"]) : 1e9;
  const auto phrases = Phrases(args["--regulations"]);
  if (phrases.size() < 100) return std::cerr << "too few phrases in the regulations\n", 2;
  static const char* const kKinds[] = {"routine",   "routine", "routine",     "abnormal",
                                       "equipment", "visitor", "instruction", "call"};
  bench::Rng rng(7);
  const auto started = Steady::now();
  std::int64_t written = 0, text_bytes = 0;
  std::int64_t at_us = 1767196800LL * 1000000;  // 2026-01-01T00:00:00+08:00, one a minute
  while (written < entries && Since(started) < max_seconds) {
    auto unit = store.BeginWrite();
    if (!unit) return std::cerr << unit.error().message << "\n", 1;
    const std::int64_t n = std::min(kPerTransaction / 5, entries - written);
    for (std::int64_t i = 0; i < n; ++i) {
      store::DutyLogEntry e;
      e.site_id = site;
      e.kind = kKinds[rng.Below(std::size(kKinds))];
      const int parts = 1 + static_cast<int>(rng.Below(3));
      for (int p = 0; p < parts; ++p)
        e.text += (p ? "，" : "") + phrases[rng.Below(phrases.size())];
      e.text += "。";
      e.at = e.last_at = TimePoint(Micros(at_us += 60000000));
      auto terms = store::TermsOf(e.text);
      e.index_bigrams = std::move(terms.bigrams);
      e.index_tokens = std::move(terms.tokens);
      text_bytes += static_cast<std::int64_t>(e.text.size());
      if (auto r = (*unit)->InsertDutyLogEntry(e); !r)
        return std::cerr << r.error().message << "\n", 1;
    }
    if (auto c = (*unit)->Commit(); !c) return std::cerr << c.error().message << "\n", 1;
    written += n;
  }
  std::printf(
      "{\"entries\":%lld,\"requested\":%lld,\"phrases\":%zu,\"text_bytes\":%lld,\"seconds\":%.3f,"
      "\"peak_rss_kib\":%lld}\n",
      static_cast<long long>(written), static_cast<long long>(entries), phrases.size(),
      static_cast<long long>(text_bytes), Since(started),
      static_cast<long long>(bench::PeakRssKib()));
  return 0;
}

// The first `chars` characters of UTF-8 `s` whose non-ASCII characters are 3 bytes (CJK).
std::string Cut(const std::string& s, size_t chars) {
  size_t i = 0;
  for (size_t n = 0; i < s.size() && n < chars; ++n)
    i += static_cast<unsigned char>(s[i]) < 0x80 ? 1 : 3;
  return s.substr(0, std::min(i, s.size()));
}

int Tickets(store::Store& store, std::map<std::string, std::string>& args) {
  const std::int64_t tickets = std::stoll(args["--tickets"]);
  const std::int64_t customers = std::stoll(args["--customers"]);
  const std::int64_t open = std::stoll(args["--open"]);
  const store::Id site = std::stoll(args["--site"]);
  const double max_seconds =
      args.contains("--max-seconds") ? std::stod(args["--max-seconds"]) : 1e9;
  std::vector<store::Id> queues;
  std::stringstream list(args["--queues"]);
  for (std::string q; std::getline(list, q, ',');) queues.push_back(std::stoll(q));
  if (queues.empty()) return std::cerr << "--queues P1,P2,… is required\n", 2;
  const auto phrases = Phrases(args["--regulations"]);
  if (phrases.size() < 100) return std::cerr << "too few phrases in the regulations\n", 2;
  bench::Rng rng(8);
  const auto started = Steady::now();
  const TimePoint t0(Micros(1767196800LL * 1000000));  // 2026-01-01T00:00:00+08:00
  std::vector<store::Id> customer_ids;
  while (static_cast<std::int64_t>(customer_ids.size()) < customers) {
    auto unit = store.BeginWrite();
    if (!unit) return std::cerr << unit.error().message << "\n", 1;
    const std::int64_t first = static_cast<std::int64_t>(customer_ids.size());
    const std::int64_t n = std::min(kPerTransaction / 5, customers - first);
    for (std::int64_t i = first; i < first + n; ++i) {
      service::Customer c;
      c.site_id = site;
      c.kind = i % 3 ? service::CustomerKind::kPerson : service::CustomerKind::kCompany;
      c.name = Cut(phrases[rng.Below(phrases.size())], 8);
      char phone[16];
      std::snprintf(phone, sizeof phone, "139%08lld", static_cast<long long>(i));
      c.phones = {phone};
      c.created_by = 1;
      c.created_at = c.updated_at = t0;
      auto id = service::db::InsertCustomer((*unit)->sql(), c);
      if (!id) return std::cerr << id.error().message << "\n", 1;
      customer_ids.push_back(*id);
    }
    if (auto c = (*unit)->Commit(); !c) return std::cerr << c.error().message << "\n", 1;
  }
  const double customer_seconds = Since(started);
  std::int64_t written = 0;
  while (written < tickets && Since(started) < max_seconds) {
    auto unit = store.BeginWrite();
    if (!unit) return std::cerr << unit.error().message << "\n", 1;
    const std::int64_t n = std::min(kPerTransaction / 5, tickets - written);
    for (std::int64_t i = written; i < written + n; ++i) {
      service::Ticket t;
      t.site_id = site;
      t.queue_post_id = queues[static_cast<size_t>(i) % queues.size()];
      t.customer_id = customer_ids.empty() ? 0 : customer_ids[rng.Below(customer_ids.size())];
      t.subject = Cut(phrases[rng.Below(phrases.size())], 20);
      if (rng.Below(2)) t.subject += "，" + Cut(phrases[rng.Below(phrases.size())], 19);
      t.priority = rng.Below(10) ? service::Priority::kNormal : service::Priority::kHigh;
      t.state = i >= tickets - open ? service::TicketState::kOpen : service::TicketState::kClosed;
      t.created_by = 1;
      t.created_at = t.updated_at = t0 + std::chrono::seconds(30 * i);
      if (auto id = service::db::InsertTicket((*unit)->sql(), t); !id)
        return std::cerr << id.error().message << "\n", 1;
    }
    if (auto c = (*unit)->Commit(); !c) return std::cerr << c.error().message << "\n", 1;
    written += n;
  }
  std::printf(
      "{\"tickets\":%lld,\"requested\":%lld,\"customers\":%zu,\"open\":%lld,"
      "\"customer_seconds\":%.3f,\"seconds\":%.3f,\"peak_rss_kib\":%lld}\n",
      static_cast<long long>(written), static_cast<long long>(tickets), customer_ids.size(),
      static_cast<long long>(std::min(open, written)), customer_seconds, Since(started),
      static_cast<long long>(bench::PeakRssKib()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    return std::cerr << "usage: bench_gen_store timers|dutylog|tickets --data DIR …\n", 2;
  const std::string what = argv[1];
  std::map<std::string, std::string> args;
  for (int i = 2; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  if (!args.contains("--data")) return std::cerr << "--data DIR is required\n", 2;
  auto store =
      store::OpenSqliteStore((std::filesystem::path(args["--data"]) / "zhidu.db").string());
  if (!store) return std::cerr << store.error().message << "\n", 2;
  if (auto m = (*store)->Migrate(); !m) return std::cerr << m.error().message << "\n", 2;
  try {
    if (what == "timers") return Timers(**store, args);
    if (what == "dutylog") return DutyLog(**store, args);
    if (what == "tickets") return Tickets(**store, args);
  } catch (const std::exception& e) {  // std::stoll on a missing or bad argument
    return std::cerr << "bad arguments: " << e.what() << "\n", 2;
  }
  return std::cerr << "unknown generator " << what << "\n", 2;
}
