#include "api/router.hpp"

#include <array>
#include <map>
#include <stdexcept>

namespace zhidu::api {

namespace {

// The path's segments (empty ones dropped: "/a//b/" is a, b) into `out`; false past N of them.
template <size_t N>
bool SplitPath(std::string_view path, std::array<std::string_view, N>& out, size_t& n) {
  n = 0;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) {
      if (n == N) return false;
      out[n++] = path.substr(pos, next - pos);
    }
    pos = next + 1;
  }
  return true;
}

constexpr size_t kMaxSegments = 16;

}  // namespace

void Router::Compile(const std::string& pattern) {
  std::array<std::string_view, kMaxSegments> parts;
  size_t n = 0;
  if (!SplitPath(pattern, parts, n))  // a programming error, found when the server starts
    throw std::invalid_argument("route pattern deeper than 16 segments: " + pattern);
  std::vector<Segment> segments;
  for (size_t i = 0; i < n; ++i) {
    std::string_view p = parts[i];
    Segment seg;
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      seg.param = true;
      seg.text = p.substr(1, p.size() - 2);
    } else if (auto close = p.find("}."); p.front() == '{' && close != p.npos) {
      seg.param = true;  // "{token}.ics": a parameter with a fixed suffix
      seg.text = p.substr(1, close - 1);
      seg.suffix = p.substr(close + 1);
    } else {
      seg.text = p;
    }
    segments.push_back(std::move(seg));
  }
  compiled_.push_back(std::move(segments));
}

void Router::Add(std::string method, std::string pattern, Access access, Handler handler) {
  Compile(pattern);
  routes_.push_back({std::move(method), std::move(pattern), access, std::move(handler)});
}

void Router::AddUpload(std::string method, std::string pattern, Handler handler) {
  Compile(pattern);
  routes_.push_back(
      {std::move(method), std::move(pattern), Access::kSignedIn, std::move(handler), true});
}

const Route* Router::Match(HttpRequest& request, bool& path_matched) const {
  path_matched = false;
  std::array<std::string_view, kMaxSegments> path;
  size_t n = 0;
  if (!SplitPath(request.path, path, n)) return nullptr;  // deeper than any route
  for (size_t r = 0; r < routes_.size(); ++r) {
    const auto& segments = compiled_[r];
    if (segments.size() != n) continue;
    bool match = true;
    for (size_t i = 0; i < n && match; ++i) {
      const Segment& seg = segments[i];
      if (!seg.param)
        match = seg.text == path[i];
      else if (!seg.suffix.empty())
        match = path[i].size() > seg.suffix.size() && path[i].ends_with(seg.suffix);
    }
    if (!match) continue;
    path_matched = true;
    if (routes_[r].method != request.method) continue;
    std::map<std::string, std::string> params;
    for (size_t i = 0; i < n; ++i) {
      const Segment& seg = segments[i];
      if (seg.param)
        params[seg.text] = std::string(path[i].substr(0, path[i].size() - seg.suffix.size()));
    }
    request.params = std::move(params);
    return &routes_[r];
  }
  return nullptr;
}

bool Router::MarkCacheable(std::string_view pattern) {
  for (auto& r : routes_)
    if (r.method == "GET" && r.pattern == pattern) return r.cacheable = true;
  return false;
}

}  // namespace zhidu::api
