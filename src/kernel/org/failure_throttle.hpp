// Failed password attempts, per key ("user:NAME", "ip:ADDRESS", "confirm:ID"): growing delays
// instead of a hard lockout, in bounded memory. Thread-safe (one mutex).
//
// Invariants:
//  1. An attempt is counted when it is admitted, before its password is checked, so concurrent
//     attempts on one key see each other (16 at once no longer all pass a limit of 5). A
//     successful attempt takes its count back (Clear or Release).
//  2. A key is forgotten `window` after its last counted attempt; the map never holds more than
//     `max_keys` keys (expired keys are swept first, then the least recently failed quarter).
//  3. A refused attempt changes nothing: hammering a delayed key does not lengthen its delay.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/clock.hpp"

namespace zhidu::org {

class FailureThrottle {
 public:
  // How long a key with `failures` counted attempts makes the next attempt wait.
  using Schedule = std::chrono::seconds (*)(int failures);

  struct Options {
    std::chrono::seconds window{15 * 60};
    std::size_t max_keys = 10'000;
  };

  struct Key {
    std::string name;
    Schedule schedule;
  };

  struct Admission {
    bool admitted = false;
    std::chrono::seconds retry_after{0};  // when refused: wait this long (at least 1 s)
  };

  explicit FailureThrottle(Options options) : options_(options) {}

  // Admits an attempt on all `keys` or on none: refused while any key's delay since its last
  // counted attempt has not passed. Admitted: counted on every key (invariant 1).
  Admission Attempt(std::initializer_list<Key> keys, TimePoint now);
  // Takes back one counted attempt of `key` (a success that must not count against an address).
  void Release(const std::string& key);
  // Forgets `key` (a success on an account).
  void Clear(const std::string& key);
  // True the first time it is asked for `key` since the key was (re)started: a failure to journal.
  bool FirstReport(const std::string& key);
  std::size_t size() const;

 private:
  struct Entry {
    int count = 0;
    TimePoint last_at{};
    bool reported = false;
  };
  void MakeRoom(TimePoint now);  // mu_ held

  Options options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

// The delay schedules (docs/security.md §Sign-in): the first 3 failures on an account and the
// first 20 from an address wait nothing; each further one doubles the wait from 1 s, up to 60 s.
std::chrono::seconds AccountDelay(int failures);
std::chrono::seconds AddressDelay(int failures);

}  // namespace zhidu::org
