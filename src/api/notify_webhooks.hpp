// Webhook channels on the API side: the robots' message formats, the HTTP POST, and the routes
// /api/v1/notify/channels. The dispatcher itself (queues, retries) is kernel/notify/webhooks.hpp.
#pragma once

#include <chrono>
#include <string>

#include "api/router.hpp"
#include "kernel/notify/webhooks.hpp"
#include "kernel/org/principal.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::api {

// The JSON body for a robot of `format` ("wecom", "dingtalk", "feishu") carrying `text`.
std::string RobotBody(const std::string& format, const std::string& text);
// The zh-CN line a robot posts for `record`; times in `zone` (an IANA name; Asia/Shanghai when
// empty or unknown).
std::string RobotText(const store::JournalRecord& record, const std::string& zone);
// Whether the robot accepted the message: a 2xx whose JSON body (if any) has no nonzero
// "errcode" (WeCom, DingTalk) or "code"/"StatusCode" (Feishu). `status` says why not.
bool RobotAccepted(int http_status, const std::string& body, std::string& status);

struct PostResult {
  int status = 0;     // 0: no HTTP response
  std::string body;   // the response body
  std::string error;  // when status is 0: why ("connection refused", "timed out" …)
};
// POSTs `body` as application/json to an http:// URL, bounded by `timeout` for connect, send
// and receive together. https:// is refused (this build has no TLS client).
PostResult HttpPostJson(const std::string& url, const std::string& body,
                        std::chrono::milliseconds timeout);

// The transport of the dispatcher: site filter, formats, HTTP. `store` must outlive it.
class RobotTransport final : public notify::WebhookTransport {
 public:
  explicit RobotTransport(store::Store& store,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : store_(store), timeout_(timeout) {}
  bool Wants(const store::WebhookChannel& channel, const store::JournalRecord& record) override;
  notify::DeliveryOutcome Deliver(const store::WebhookChannel& channel,
                                  const store::JournalRecord& record) override;

 private:
  store::Store& store_;
  const std::chrono::milliseconds timeout_;
};

struct NotifyRouteDeps {
  store::Writer* writer = nullptr;
  store::Store* store = nullptr;
  notify::WebhookDispatcher* webhooks = nullptr;  // null (e.g. `zhidu routes`): routes answer 503
  const org::RoleCatalogue* roles = nullptr;
};

// POST/GET /api/v1/notify/channels, GET/DELETE /api/v1/notify/channels/{id}; permission
// notify.channels (admin has it through "*").
void AddNotifyRoutes(Router& router, NotifyRouteDeps deps);

}  // namespace zhidu::api
