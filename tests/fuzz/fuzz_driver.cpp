// A bounded-time, coverage-guided mutation fuzzer for LLVMFuzzerTestOneInput targets, for
// compilers without libFuzzer (g++: the debug preset builds with ASan+UBSan, so a memory error or
// undefined behaviour aborts the run). It mutates the seeds with byte edits, dictionary
// insertions, splices and nesting bursts, and keeps a mutant as a parent when it reached code no
// earlier input reached.
//
// Coverage: the target's sources are compiled with g++'s -fsanitize-coverage=trace-pc (tests/fuzz/
// CMakeLists.txt), which calls __sanitizer_cov_trace_pc() at every basic block; this file (not
// instrumented) defines it and counts edges AFL's way — the pair (previous block, this block)
// hashed into a 64 KiB map, hit counts in buckets 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. An
// input that sets a bucket never set before is new coverage. Built without instrumentation, the
// map stays empty and parents are kept at random, as before.
//
//   fuzz_TARGET [--seconds N] [--seed S] [--unguided] [--prefix-byte B] [--dict TOKEN]... SEED_FILE...
//
// --unguided keeps parents at random even when instrumented (to measure what guidance adds).
// --prefix-byte B puts byte B before every seed file (targets whose first byte selects a mode).
// Prints the inputs tried, the edges reached and the inputs kept; on a crash, the input is in
// fuzz-crash-<pid>.bin of the working directory (written before each run is too slow; the last
// input is kept in memory and written from the signal handler).
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

constexpr std::size_t kMapSize = 1u << 16;
std::uint8_t g_hits[kMapSize];   // this run's edge hit counts (saturating)
std::uint8_t g_seen[kMapSize];   // every bucket bit any input has set
std::uintptr_t g_prev_block = 0;

}  // namespace

// Called by instrumented code at each basic block; the caller's address names the block.
extern "C" void __sanitizer_cov_trace_pc() {
  auto block = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  block = (block ^ (block >> 16)) * 0x9E3779B1u;
  std::size_t edge = (block ^ g_prev_block) & (kMapSize - 1);
  if (g_hits[edge] != 255) ++g_hits[edge];
  g_prev_block = block >> 1;
}

namespace {

std::uint8_t Bucket(std::uint8_t hits) {
  if (hits <= 3) return hits == 0 ? 0 : static_cast<std::uint8_t>(1u << (hits - 1));
  if (hits <= 7) return 8;
  if (hits <= 15) return 16;
  if (hits <= 31) return 32;
  if (hits <= 127) return 64;
  return 128;
}

// Folds this run's hits into the seen map; true when a bucket was set for the first time.
bool NewCoverage() {
  bool fresh = false;
  for (std::size_t i = 0; i < kMapSize; ++i) {
    if (g_hits[i] == 0) continue;
    std::uint8_t b = Bucket(g_hits[i]);
    if ((g_seen[i] & b) == 0) {
      g_seen[i] |= b;
      fresh = true;
    }
  }
  return fresh;
}

std::size_t EdgesSeen() {
  std::size_t n = 0;
  for (std::uint8_t v : g_seen) n += v != 0;
  return n;
}

void Run(const std::string& input) {
  std::memset(g_hits, 0, sizeof g_hits);
  g_prev_block = 0;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::string g_current;  // the input being run, written out if it crashes

void WriteCurrent(int) {
  char name[64];
  std::snprintf(name, sizeof name, "fuzz-crash-%d.bin", static_cast<int>(::getpid()));
  int fd = ::open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    (void)!::write(fd, g_current.data(), g_current.size());
    ::close(fd);
  }
}

std::string Mutate(std::mt19937_64& rng, const std::vector<std::string>& pool,
                   const std::vector<std::string>& dict) {
  std::string s = pool[rng() % pool.size()];
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 9) {
      case 0:  // delete a run
        if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % 16);
        break;
      case 1:  // random byte
        s.insert(pos, 1, static_cast<char>(rng() & 0xff));
        break;
      case 2:  // flip a bit
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 3:  // dictionary token
      case 4:
        if (!dict.empty()) s.insert(pos, dict[rng() % dict.size()]);
        break;
      case 5: {  // duplicate a run of itself
        if (s.empty()) break;
        size_t from = rng() % s.size();
        s.insert(pos, s.substr(from, 1 + rng() % 64));
        break;
      }
      case 6: {  // splice another input
        const std::string& o = pool[rng() % pool.size()];
        if (o.empty()) break;
        size_t from = rng() % o.size();
        s.insert(pos, o.substr(from, 1 + rng() % 256));
        break;
      }
      case 7: {  // nesting or repetition burst
        static const char* kBursts[] = {"[", "{\"a\":", "- ", "  ", "\\u", "\"", "&a ", "*a "};
        std::string unit = kBursts[rng() % std::size(kBursts)];
        size_t times = 1 + rng() % 2000;
        std::string burst;
        for (size_t i = 0; i < times; ++i) burst += unit;
        s.insert(pos, burst);
        break;
      }
      default:  // truncate
        if (!s.empty()) s.resize(rng() % s.size());
    }
  }
  if (s.size() > (1u << 20)) s.resize(1u << 20);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  std::uint64_t seed = 15;
  int prefix = -1;
  bool unguided = false;
  std::vector<std::string> pool, dict;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seconds") {
      seconds = std::stod(next());
    } else if (a == "--seed") {
      seed = std::stoull(next());
    } else if (a == "--unguided") {
      unguided = true;
    } else if (a == "--prefix-byte") {
      prefix = std::stoi(next());
    } else if (a == "--dict") {
      dict.push_back(next());
    } else {
      std::ifstream in(a, std::ios::binary);
      if (!in) {
        std::cerr << "cannot read seed " << a << "\n";
        return 2;
      }
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (prefix >= 0) text.insert(text.begin(), static_cast<char>(prefix));
      pool.push_back(std::move(text));
    }
  }
  if (pool.empty()) pool.push_back("");
  std::signal(SIGABRT, WriteCurrent);
  std::signal(SIGSEGV, WriteCurrent);
  for (const auto& s : pool) {  // the seeds themselves first
    g_current = s;
    Run(s);
    (void)NewCoverage();
  }
  const bool guided = !unguided && EdgesSeen() > 0;  // the seeds ran instrumented code
  std::mt19937_64 rng(seed);
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  std::uint64_t runs = 0, kept = 0;
  constexpr std::size_t kPoolMax = 4096;
  while (std::chrono::steady_clock::now() < deadline) {
    g_current = Mutate(rng, pool, dict);
    Run(g_current);
    ++runs;
    // A mutant that reached new code becomes a parent; without instrumentation, one in 16 does,
    // so edits still accumulate. The pool is bounded: past it, a new parent replaces a random one.
    bool fresh = NewCoverage();  // counted either way, for the edges reported
    bool keep = guided ? fresh : rng() % 16 == 0;
    if (keep) {
      ++kept;
      if (pool.size() < kPoolMax) {
        pool.push_back(g_current);
      } else {
        pool[rng() % pool.size()] = g_current;
      }
    }
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "fuzz: " << runs << " inputs in " << took << " s (seed " << seed << "), "
            << EdgesSeen() << " edges, " << kept << " inputs kept, no crash\n";
  return 0;
}
