// Prometheus metrics: request counts and latency histograms per route, commit latency,
// journal records. Thread-safe (one mutex; contention is negligible next to a request).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace zhidu::api {

class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void Observe(double seconds);
  // Appends `name_bucket{labels,le=…}` lines etc.
  void Render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class Metrics {
 public:
  void ObserveRequest(const std::string& method, const std::string& route, int status,
                      double seconds);
  void ObserveCommit(double seconds, int jobs);
  // Gauges read at render time (journal records, …).
  void SetGauge(std::string name, std::string help, std::function<double()> read);
  // Counters kept by their owner (e.g. atomics of the webhook dispatcher), read at render time.
  void SetCounter(std::string name, std::string help, std::function<double()> read);
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> requests_;  // labels -> count
  std::map<std::string, Histogram> latency_;       // labels -> histogram
  Histogram commit_latency_;
  std::uint64_t commits_ = 0;
  std::uint64_t committed_jobs_ = 0;
  std::map<std::string, std::pair<std::string, std::function<double()>>> gauges_;
  std::map<std::string, std::pair<std::string, std::function<double()>>> counters_;
};

}  // namespace zhidu::api
