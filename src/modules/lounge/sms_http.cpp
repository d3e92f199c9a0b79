// The SMS provider adapter the server runs with `serve --sms-url URL`: the follow-up is POSTed as
// JSON {"to","text","ref"} to a relay the company runs in front of its SMS provider (signing,
// templates and the provider's own API are the relay's). Accepted: a 2xx whose JSON body, if any,
// has no nonzero "code"/"errcode"; the message id is its "message_id" or "id", if given.
#include <nlohmann/json.hpp>

#include "api/notify_webhooks.hpp"
#include "modules/lounge/module.hpp"

namespace zhidu::lounge {
namespace {

class HttpSmsSender final : public SmsSender {
 public:
  explicit HttpSmsSender(std::string url) : url_(std::move(url)) {}

  Result<std::string> Send(const SmsMessage& m) override {
    nlohmann::json body{{"to", m.to}, {"text", m.text}, {"ref", m.ref}};
    auto r = api::HttpPostJson(url_, body.dump(), std::chrono::seconds(5));
    if (r.status == 0) return Fail(Errc::kUnavailable, r.error);
    if (r.status < 200 || r.status > 299)
      return Fail(Errc::kUnavailable, "HTTP " + std::to_string(r.status));
    auto reply = nlohmann::json::parse(r.body, nullptr, false);
    if (!reply.is_object()) return std::string();
    for (const char* key : {"code", "errcode"}) {
      auto it = reply.find(key);
      if (it != reply.end() && it->is_number_integer() && it->get<long long>() != 0)
        return Fail(Errc::kUnavailable, std::string(key) + " " + it->dump());
    }
    for (const char* key : {"message_id", "id"}) {
      auto it = reply.find(key);
      if (it != reply.end() && it->is_string()) return it->get<std::string>();
      if (it != reply.end() && it->is_number_integer()) return it->dump();
    }
    return std::string();
  }

 private:
  std::string url_;
};

}  // namespace

std::unique_ptr<SmsSender> MakeHttpSmsSender(std::string url) {
  return std::make_unique<HttpSmsSender>(std::move(url));
}

}  // namespace zhidu::lounge
