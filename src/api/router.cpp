#include "api/router.hpp"

namespace zhidu::api {

namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) out.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return out;
}

bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::map<std::string, std::string>& params) {
  auto p = Split(pattern);
  auto s = Split(path);
  if (p.size() != s.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].size() > 2 && p[i].front() == '{' && p[i].back() == '}') {
      found[std::string(p[i].substr(1, p[i].size() - 2))] = std::string(s[i]);
    } else if (auto close = p[i].find("}."); p[i].front() == '{' && close != p[i].npos) {
      // "{token}.ics": a parameter with a fixed suffix.
      auto suffix = p[i].substr(close + 1);
      if (s[i].size() <= suffix.size() || !s[i].ends_with(suffix)) return false;
      found[std::string(p[i].substr(1, close - 1))] =
          std::string(s[i].substr(0, s[i].size() - suffix.size()));
    } else if (p[i] != s[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Access access, Handler handler) {
  routes_.push_back({std::move(method), std::move(pattern), access, std::move(handler)});
}

void Router::AddUpload(std::string method, std::string pattern, Handler handler) {
  routes_.push_back(
      {std::move(method), std::move(pattern), Access::kSignedIn, std::move(handler), true});
}

const Route* Router::Match(HttpRequest& request, bool& path_matched) const {
  path_matched = false;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!MatchPattern(route.pattern, request.path, params)) continue;
    path_matched = true;
    if (route.method == request.method) {
      request.params = std::move(params);
      return &route;
    }
  }
  return nullptr;
}

bool Router::MarkCacheable(std::string_view pattern) {
  for (auto& r : routes_)
    if (r.method == "GET" && r.pattern == pattern) return r.cacheable = true;
  return false;
}

}  // namespace zhidu::api
