// A bounded-time mutation fuzzer for LLVMFuzzerTestOneInput targets, for compilers without
// libFuzzer (g++: the debug preset builds with ASan+UBSan, so a memory error or undefined
// behaviour aborts the run). Not coverage-guided: it mutates the seeds (and inputs derived from
// them) with byte edits, dictionary insertions, splices and nesting bursts.
//
//   fuzz_TARGET [--seconds N] [--seed S] [--prefix-byte B] [--dict TOKEN]... SEED_FILE...
//
// --prefix-byte B puts byte B before every seed file (targets whose first byte selects a mode).
// Prints the inputs tried; on a crash, the input is in fuzz-crash-<pid>.bin of the working
// directory (written before each run is too slow; the last input is kept in memory and written
// from the signal handler).
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
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  std::mt19937_64 rng(seed);
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  std::uint64_t runs = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    g_current = Mutate(rng, pool, dict);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(g_current.data()), g_current.size());
    ++runs;
    // Keep some mutants as parents, so edits accumulate (bounded pool).
    if (rng() % 16 == 0) {
      if (pool.size() < 256) {
        pool.push_back(g_current);
      } else {
        pool[rng() % pool.size()] = g_current;
      }
    }
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "fuzz: " << runs << " inputs in " << took << " s (seed " << seed << "), no crash\n";
  return 0;
}
