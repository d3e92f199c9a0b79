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

// A robot's signing secret (加签, DingTalk and Feishu) is kept in the stored channel URL after
// this fragment marker; a fragment is never part of an HTTP request (RFC 3986 §3.5).
inline constexpr std::string_view kSecretFragment = "#secret=";
// The URL without its fragment (what is requested and shown), and the secret ("" when none).
std::string WithoutSecret(const std::string& url);
std::string SecretOf(const std::string& url);
// Signs a robot message at `now`: DingTalk adds `timestamp` (ms) and `sign` to the URL's query,
// Feishu adds `timestamp` (s, a string) and `sign` to the JSON body; WeCom is not signed.
void SignRobot(const std::string& format, const std::string& secret,
               std::chrono::system_clock::time_point now, std::string& url, std::string& body);

struct PostResult {
  int status = 0;     // 0: no HTTP response
  std::string body;   // the response body
  std::string error;  // when status is 0: why ("connection refused", "timed out" …)
};
// POSTs `body` as application/json to an http:// or https:// URL, bounded by `timeout` for
// connect, TLS handshake, send and receive together. https: TLS 1.2 or later, the peer's chain
// verified against the system's CAs plus the SetOutboundCaFile file, and its certificate must
// name the URL's host (DNS name, or IP address for an IP literal); a failure says why
// ("certificate verify failed: …").
PostResult HttpPostJson(const std::string& url, const std::string& body,
                        std::chrono::milliseconds timeout);

// A PEM file of CA certificates trusted besides the system's (a company's private CA), for every
// https:// request of the process (robots, the SMS relay); "" : the system's only. Set before
// serving; kInvalidArgument when the file cannot be read.
Result<void> SetOutboundCaFile(const std::string& path);

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
