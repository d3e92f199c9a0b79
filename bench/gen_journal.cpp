// W5 data generator: appends N journal records of realistic duty-log payloads to a zhidu SQLite
// data directory through the store (UnitOfWork::AppendJournal + store::Chain, big transactions),
// so that `zhidu verify --data DIR` has something to verify. Optionally writes the canonical bytes
// of every record to a file, the same-run limit (sha256sum over the same bytes).
//
//   bench_gen_journal --data DIR --records N [--batch 100000] [--canonical FILE] [--max-seconds S]
// Stops after the transaction in which S seconds passed (then fewer than N records are written;
// the JSON says how many).
// Prints one JSON object on stdout.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bench/bench_common.hpp"
#include "store/journal.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace zhidu;

int main(int argc, char** argv) {
  std::string data, canonical;
  std::int64_t records = 100000, batch = 100000;
  double max_seconds = 1e9;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--data")
      data = argv[i + 1];
    else if (a == "--records")
      records = std::stoll(argv[i + 1]);
    else if (a == "--batch")
      batch = std::stoll(argv[i + 1]);
    else if (a == "--canonical")
      canonical = argv[i + 1];
    else if (a == "--max-seconds")
      max_seconds = std::stod(argv[i + 1]);
    else {
      std::cerr << "unknown argument " << a << "\n";
      return 2;
    }
  }
  if (data.empty() || records <= 0 || batch <= 0) {
    std::cerr << "usage: bench_gen_journal --data DIR --records N [--batch B] [--canonical FILE]\n";
    return 2;
  }
  std::filesystem::create_directories(data);
  auto store = store::OpenSqliteStore((std::filesystem::path(data) / "zhidu.db").string());
  if (!store) {
    std::cerr << store.error().message << "\n";
    return 2;
  }
  if (auto m = (*store)->Migrate(); !m) {
    std::cerr << m.error().message << "\n";
    return 2;
  }
  std::ofstream out;
  if (!canonical.empty()) out.open(canonical, std::ios::binary | std::ios::trunc);

  const auto started = std::chrono::steady_clock::now();
  bench::Rng rng(42);
  std::int64_t canonical_bytes = 0, written = 0;
  // 2026-01-01T00:00:00+08:00, one record every 10 ms.
  std::int64_t at_us = 1767196800LL * 1000000;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  while (written < records && elapsed() < max_seconds) {
    auto unit = (*store)->BeginWrite();
    if (!unit) {
      std::cerr << unit.error().message << "\n";
      return 1;
    }
    auto head = (*unit)->ReadJournalHead();
    if (!head) {
      std::cerr << head.error().message << "\n";
      return 1;
    }
    const std::int64_t n = std::min(batch, records - written);
    for (std::int64_t i = 0; i < n; ++i) {
      auto d = bench::MakeDutyRecord(rng, written + i);
      store::JournalRecord r;
      r.at = TimePoint(Micros(at_us += 10000));
      r.kind = std::move(d.kind);
      r.actor = 1 + static_cast<std::int64_t>(rng.Below(120000));
      r.subject = std::move(d.subject);
      r.payload = std::move(d.payload);
      store::Chain(r, *head);
      if (auto a = (*unit)->AppendJournal(r); !a) {
        std::cerr << a.error().message << "\n";
        return 1;
      }
      auto bytes = store::CanonicalBytes(r);
      canonical_bytes += static_cast<std::int64_t>(bytes.size());
      if (out.is_open()) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    if (auto c = (*unit)->Commit(); !c) {
      std::cerr << c.error().message << "\n";
      return 1;
    }
    written += n;
  }
  out.close();
  const double seconds = elapsed();
  std::error_code ec;
  auto db_bytes = std::filesystem::file_size(std::filesystem::path(data) / "zhidu.db", ec);
  std::printf(
      "{\"records\":%lld,\"seconds\":%.3f,\"records_per_s\":%.0f,\"canonical_bytes\":%lld,"
      "\"db_bytes\":%llu,\"peak_rss_kib\":%lld}\n",
      static_cast<long long>(written), seconds, written / seconds,
      static_cast<long long>(canonical_bytes), static_cast<unsigned long long>(ec ? 0 : db_bytes),
      static_cast<long long>(bench::PeakRssKib()));
  return 0;
}
