#include "api/notify_webhooks.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "base/time.hpp"

namespace zhidu::api {

using nlohmann::json;

namespace {

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The first string field of `payload` among `keys`, or "".
std::string FirstString(const json& payload, std::initializer_list<const char*> keys) {
  if (!payload.is_object()) return "";
  for (const char* key : keys) {
    auto it = payload.find(key);
    if (it != payload.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      return it->get<std::string>();
  }
  return "";
}

}  // namespace

std::string RobotBody(const std::string& format, const std::string& text) {
  if (format == "feishu") return Dump({{"msg_type", "text"}, {"content", {{"text", text}}}});
  // WeCom and DingTalk share the text message shape.
  return Dump({{"msgtype", "text"}, {"text", {{"content", text}}}});
}

std::string RobotText(const store::JournalRecord& record, const std::string& zone) {
  json payload = json::parse(record.payload, nullptr, false);
  auto tz = TimeZone::Find(zone.empty() ? "Asia/Shanghai" : zone);
  const TimeZone& where = tz ? *tz : TimeZone::Default();
  std::string summary = FirstString(payload, {"title", "message", "summary", "name"});
  if (summary.empty() && payload.is_object()) {
    auto reminder = payload.find("reminder");  // reminder.fired nests the reminder's message
    if (reminder != payload.end()) summary = FirstString(*reminder, {"message"});
  }
  std::string text = "【制度通知】" + record.kind + " · " + record.subject;
  if (!summary.empty()) text += "：" + summary;
  text += "（" + FormatIso8601(record.at, where) + "，事件 #" + std::to_string(record.seq) + "）";
  return text;
}

bool RobotAccepted(int http_status, const std::string& body, std::string& status) {
  status = std::to_string(http_status);
  if (http_status < 200 || http_status > 299) return false;
  json reply = json::parse(body, nullptr, false);
  if (!reply.is_object()) return true;  // a 2xx without JSON: accepted
  for (const char* key : {"errcode", "code", "StatusCode"}) {
    auto it = reply.find(key);
    if (it != reply.end() && it->is_number_integer() && it->get<std::int64_t>() != 0) {
      status = std::string(key) + " " + std::to_string(it->get<std::int64_t>());
      return false;
    }
  }
  return true;
}

// ---- a minimal HTTP/1.1 client: one request per connection, Connection: close.

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

using Steady = std::chrono::steady_clock;

// Waits for `events` on `fd` until `deadline`; false on timeout or error.
bool WaitFor(int fd, short events, Steady::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

// Decodes a chunked body; returns false when it is malformed or incomplete.
bool Dechunk(const std::string& in, std::string& out) {
  size_t pos = 0;
  out.clear();
  for (;;) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string::npos) return false;
    size_t size = 0;
    auto [p, ec] = std::from_chars(in.data() + pos, in.data() + eol, size, 16);
    if (ec != std::errc()) return false;
    (void)p;
    if (size == 0) return true;
    if (eol + 2 + size > in.size()) return false;
    out.append(in, eol + 2, size);
    pos = eol + 2 + size + 2;
  }
}

}  // namespace

PostResult HttpPostJson(const std::string& url, const std::string& body,
                        std::chrono::milliseconds timeout) {
  PostResult out;
  auto failed = [&out](std::string why) {
    out.error = std::move(why);
    return out;
  };
  if (!url.starts_with("http://")) {
    out.error = url.starts_with("https://") ? "https is not supported by this build" : "bad URL";
    return out;
  }
  std::string rest = url.substr(7);
  size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (target.front() == '?') target = "/" + target;
  std::string host = authority, port = "80";
  if (auto colon = authority.rfind(':');
      colon != std::string::npos && authority.find(']') == std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  const auto deadline = Steady::now() + timeout;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    out.error = std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc);
    return out;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addrs(found, ::freeaddrinfo);
  int fd_value = -1;
  for (addrinfo* a = addrs.get(); a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 ||
        (errno == EINPROGRESS && WaitFor(fd, POLLOUT, deadline))) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) {
        fd_value = fd;
        break;
      }
      out.error = std::strerror(err);
    } else {
      out.error = Steady::now() >= deadline ? "connect timed out" : std::strerror(errno);
    }
    ::close(fd);
  }
  if (fd_value < 0) {
    if (out.error.empty()) out.error = "cannot connect to " + authority;
    return out;
  }
  Fd fd(fd_value);
  out.error.clear();

  std::string request = "POST " + target + " HTTP/1.1\r\nHost: " + authority +
                        "\r\nUser-Agent: zhidu\r\nContent-Type: application/json; charset=utf-8"
                        "\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFor(fd.get(), POLLOUT, deadline)) return failed("send timed out");
    } else {
      return failed(std::string("send failed: ") + std::strerror(errno));
    }
  }

  constexpr size_t kMaxResponse = 1 << 20;
  std::string response;
  char buf[8192];
  for (;;) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n > 0) {
      response.append(buf, static_cast<size_t>(n));
      if (response.size() > kMaxResponse) break;
      // Done early when the body is complete by Content-Length.
      size_t end = response.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = response.substr(0, end);
        for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (auto cl = head.find("\r\ncontent-length:"); cl != std::string::npos) {
          size_t length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
          if (response.size() >= end + 4 + length) break;
        }
      }
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!WaitFor(fd.get(), POLLIN, deadline)) return failed("response timed out");
    } else {
      return failed(std::string("receive failed: ") + std::strerror(errno));
    }
  }
  size_t end = response.find("\r\n\r\n");
  int status = 0;
  if (response.starts_with("HTTP/1.") && response.size() > 12)
    std::from_chars(response.data() + 9, response.data() + 12, status);
  if (end == std::string::npos || status == 0) return failed("malformed HTTP response");
  std::string head = response.substr(0, end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out.status = status;
  out.body = response.substr(end + 4);
  if (head.find("transfer-encoding: chunked") != std::string::npos) {
    std::string decoded;
    if (Dechunk(out.body, decoded)) out.body = std::move(decoded);
  }
  return out;
}

// ---- the transport

bool RobotTransport::Wants(const store::WebhookChannel& channel,
                           const store::JournalRecord& record) {
  if (channel.site_id == 0) return true;
  json payload = json::parse(record.payload, nullptr, false);
  if (!payload.is_object()) return false;
  auto it = payload.find("site_id");
  return it != payload.end() && it->is_number_integer() && it->get<store::Id>() == channel.site_id;
}

notify::DeliveryOutcome RobotTransport::Deliver(const store::WebhookChannel& channel,
                                                const store::JournalRecord& record) {
  std::string zone;
  json payload = json::parse(record.payload, nullptr, false);
  if (payload.is_object() && payload.contains("site_id") &&
      payload["site_id"].is_number_integer() && payload["site_id"].get<store::Id>() != 0) {
    if (auto unit = store_.BeginRead(); unit)
      if (auto site = (*unit)->GetSite(payload["site_id"].get<store::Id>()); site)
        zone = site->time_zone;
  }
  auto result =
      HttpPostJson(channel.url, RobotBody(channel.format, RobotText(record, zone)), timeout_);
  notify::DeliveryOutcome outcome;
  if (result.status == 0) {
    outcome.status = result.error;
    return outcome;
  }
  outcome.ok = RobotAccepted(result.status, result.body, outcome.status);
  return outcome;
}

// ---- routes

namespace {

constexpr std::string_view kPermChannels = "notify.channels";

json ChannelJson(const store::WebhookChannel& c, const notify::ChannelStats* stats) {
  json kinds = json::array();
  for (const auto& k : notify::KindPrefixes(c.kinds)) kinds.push_back(k);
  json out = {{"id", c.id},
              {"name", c.name},
              {"format", c.format},
              {"url", c.url},
              {"kinds", kinds},
              {"site_id", c.site_id == 0 ? json(nullptr) : json(c.site_id)},
              {"created_at", Timestamp(c.created_at)},
              {"deleted", c.disabled}};
  notify::ChannelStats none;
  const auto& s = stats ? *stats : none;
  out["delivery"] = {
      {"delivered", s.delivered},
      {"failed", s.failed},
      {"attempts", s.attempts},
      {"dropped", s.dropped},
      {"queued", s.queued},
      {"last_status", s.last_status.empty() ? json(nullptr) : json(s.last_status)},
      {"last_attempt_at", s.attempts == 0 ? json(nullptr) : json(Timestamp(s.last_attempt_at))}};
  return out;
}

Result<notify::NewWebhookChannel> ReadChannel(const std::string& text) {
  ZHIDU_TRY(auto body, JsonBody::Parse(text));
  notify::NewWebhookChannel in;
  ZHIDU_TRY(in.name, body.RequiredString("name"));
  ZHIDU_TRY(in.format, body.RequiredString("format"));
  ZHIDU_TRY(in.url, body.RequiredString("url"));
  ZHIDU_TRY(in.site_id, body.OptionalId("site_id"));
  ZHIDU_TRY(auto kinds, body.OptionalArray("kinds"));
  if (kinds) {
    for (const auto& k : *kinds) {
      if (!k.is_string())
        return Fail(Errc::kInvalidArgument, "kinds must be an array of strings", "kinds");
      in.kinds.push_back(k.get<std::string>());
    }
  }
  ZHIDU_TRY_VOID(body.NoOtherFields());
  return in;
}

}  // namespace

void AddNotifyRoutes(Router& r, NotifyRouteDeps deps) {
  // Every route: the permission, and a running dispatcher.
  auto guard = [deps](const HttpRequest& req) -> Result<void> {
    if (!deps.webhooks || !deps.writer || !deps.store)
      return Fail(Errc::kUnavailable, "webhooks are not running in this process");
    if (!deps.roles->Allows(PrincipalOf(req), kPermChannels))
      return Fail(Errc::kPermissionDenied,
                  "managing notification channels needs the "
                  "notify.channels permission");
    return Ok();
  };
  r.Add("POST", "/api/v1/notify/channels", Access::kSignedIn, [deps, guard](HttpRequest& req) {
    if (auto allowed = guard(req); !allowed) return ErrorResponse(allowed.error());
    ZHIDU_OR_ERROR(auto in, ReadChannel(req.body));
    ZHIDU_OR_ERROR(auto created,
                   notify::CreateWebhookChannel(*deps.writer, PrincipalOf(req).account_id, in));
    if (auto reloaded = deps.webhooks->Reload(); !reloaded) return ErrorResponse(reloaded.error());
    return JsonResponse(201, ChannelJson(created, nullptr));
  });
  r.Add("GET", "/api/v1/notify/channels", Access::kSignedIn, [deps, guard](HttpRequest& req) {
    if (auto allowed = guard(req); !allowed) return ErrorResponse(allowed.error());
    ZHIDU_OR_ERROR(auto unit, deps.store->BeginRead());
    ZHIDU_OR_ERROR(auto channels, unit->ListWebhookChannels(false));
    auto stats = deps.webhooks->Stats();
    json items = json::array();
    for (const auto& c : channels) {
      auto it = stats.find(c.id);
      items.push_back(ChannelJson(c, it == stats.end() ? nullptr : &it->second));
    }
    return JsonResponse(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
  });
  r.Add("GET", "/api/v1/notify/channels/{id}", Access::kSignedIn, [deps, guard](HttpRequest& req) {
    if (auto allowed = guard(req); !allowed) return ErrorResponse(allowed.error());
    ZHIDU_OR_ERROR(auto id, PathIdOf(req));
    ZHIDU_OR_ERROR(auto unit, deps.store->BeginRead());
    ZHIDU_OR_ERROR(auto channel, unit->GetWebhookChannel(id));
    auto stats = deps.webhooks->Stats();
    auto it = stats.find(id);
    return JsonResponse(200, ChannelJson(channel, it == stats.end() ? nullptr : &it->second));
  });
  r.Add(
      "DELETE", "/api/v1/notify/channels/{id}", Access::kSignedIn, [deps, guard](HttpRequest& req) {
        if (auto allowed = guard(req); !allowed) return ErrorResponse(allowed.error());
        ZHIDU_OR_ERROR(auto id, PathIdOf(req));
        auto deleted = notify::DeleteWebhookChannel(*deps.writer, PrincipalOf(req).account_id, id);
        if (!deleted) return ErrorResponse(deleted.error());
        if (auto reloaded = deps.webhooks->Reload(); !reloaded)
          return ErrorResponse(reloaded.error());
        return HttpResponse{204, "", "", {}};
      });
}

}  // namespace zhidu::api
