#include "api/metrics.hpp"

#include <cstdio>

namespace zhidu::api {

namespace {
std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}
}  // namespace

void Histogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  counts_[i]++;
  sum_ += seconds;
  count_++;
}

void Histogram::Render(std::string& out, const std::string& name, const std::string& labels) const {
  std::uint64_t cumulative = 0;
  std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += counts_[i];
    out += name + "_bucket{" + labels + sep + "le=\"" + Num(kBounds[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += counts_[kBounds.size()];
  out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + braces + " " + Num(sum_) + "\n";
  out += name + "_count" + braces + " " + std::to_string(count_) + "\n";
}

void Metrics::ObserveRequest(const std::string& method, const std::string& route, int status,
                             double seconds) {
  std::string route_labels = "method=\"" + method + "\",route=\"" + route + "\"";
  std::lock_guard lock(mu_);
  requests_[route_labels + ",status=\"" + std::to_string(status) + "\""]++;
  latency_[route_labels].Observe(seconds);
}

void Metrics::ObserveCommit(double seconds, int jobs) {
  std::lock_guard lock(mu_);
  commit_latency_.Observe(seconds);
  commits_++;
  committed_jobs_ += static_cast<std::uint64_t>(jobs);
}

void Metrics::SetGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_[std::move(name)] = {std::move(help), std::move(read)};
}

void Metrics::SetCounter(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  counters_[std::move(name)] = {std::move(help), std::move(read)};
}

std::string Metrics::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  out += "# HELP zhidu_http_requests_total HTTP requests by method, route and status.\n";
  out += "# TYPE zhidu_http_requests_total counter\n";
  for (const auto& [labels, n] : requests_)
    out += "zhidu_http_requests_total{" + labels + "} " + std::to_string(n) + "\n";
  out += "# HELP zhidu_http_request_duration_seconds Time from parsed request to response.\n";
  out += "# TYPE zhidu_http_request_duration_seconds histogram\n";
  for (const auto& [labels, h] : latency_)
    h.Render(out, "zhidu_http_request_duration_seconds", labels);
  out += "# HELP zhidu_commit_duration_seconds Duration of one group commit (one transaction).\n";
  out += "# TYPE zhidu_commit_duration_seconds histogram\n";
  commit_latency_.Render(out, "zhidu_commit_duration_seconds", "");
  out += "# HELP zhidu_commits_total Group commits.\n# TYPE zhidu_commits_total counter\n";
  out += "zhidu_commits_total " + std::to_string(commits_) + "\n";
  out += "# HELP zhidu_committed_writes_total Write jobs committed.\n";
  out += "# TYPE zhidu_committed_writes_total counter\n";
  out += "zhidu_committed_writes_total " + std::to_string(committed_jobs_) + "\n";
  for (const auto& [name, g] : gauges_) {
    out += "# HELP " + name + " " + g.first + "\n# TYPE " + name + " gauge\n";
    out += name + " " + Num(g.second()) + "\n";
  }
  for (const auto& [name, c] : counters_) {
    out += "# HELP " + name + " " + c.first + "\n# TYPE " + name + " counter\n";
    out += name + " " + Num(c.second()) + "\n";
  }
  return out;
}

}  // namespace zhidu::api
