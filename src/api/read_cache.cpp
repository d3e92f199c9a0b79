#include "api/read_cache.hpp"

namespace zhidu::api {

ReadCache::ReadCache(std::function<std::uint64_t()> generation, Options options)
    : max_body_(options.max_body),
      entries_(std::move(generation), {options.max_entries, options.ttl}) {}

std::string ReadCache::Key(std::int64_t account, const std::string& target) {
  std::string key = std::to_string(account);
  key.reserve(key.size() + 1 + target.size());
  key += ' ';
  key += target;
  return key;
}

std::shared_ptr<const ReadCache::Answer> ReadCache::Find(std::int64_t account,
                                                         const std::string& target,
                                                         std::uint64_t generation,
                                                         bool count_miss) {
  auto hit = entries_.Find(Key(account, target), generation, count_miss);
  return hit ? std::move(*hit) : nullptr;
}

void ReadCache::Put(std::int64_t account, const std::string& target, std::uint64_t generation,
                    HttpResponse& response, const std::string& route_label) {
  if (response.status != 200 || response.Body().size() > max_body_) return;
  if (!response.shared_body)
    response.shared_body = std::make_shared<const std::string>(std::move(response.body));
  response.body.clear();
  auto answer = std::make_shared<const Answer>(
      Answer{response.content_type, response.shared_body, response.headers, route_label});
  entries_.Put(Key(account, target), generation, std::move(answer));
}

HttpResponse ReadCache::ResponseOf(const Answer& answer) {
  HttpResponse res;
  res.content_type = answer.content_type;
  res.shared_body = answer.body;
  res.headers = answer.headers;
  return res;
}

}  // namespace zhidu::api
