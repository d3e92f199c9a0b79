// Clock: the only source of "now" in zhidu. Production uses SystemClock; tests inject a
// ManualClock and drive time. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

namespace zhidu {

using Micros = std::chrono::microseconds;
using TimePoint = std::chrono::sys_time<Micros>;  // UTC, microsecond resolution

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_us_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(Micros(now_us_.load())); }
  void Set(TimePoint t) { now_us_.store(t.time_since_epoch().count()); }
  void Advance(Micros d) { now_us_.fetch_add(d.count()); }

 private:
  std::atomic<long long> now_us_;
};

// Monotonic seconds for measuring durations (latency metrics); not wall time.
double MonotonicSeconds();

}  // namespace zhidu
