#include "api/notify_webhooks.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <mutex>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "api/signing.hpp"
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

void SignRobot(const std::string& format, const std::string& secret,
               std::chrono::system_clock::time_point now, std::string& url, std::string& body) {
  using std::chrono::duration_cast;
  if (format == "dingtalk") {
    const std::int64_t ms =
        duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    url += (url.find('?') == std::string::npos ? "?" : "&");
    url += "timestamp=" + std::to_string(ms) + "&sign=" + PercentEncode(DingTalkSign(ms, secret));
  } else if (format == "feishu") {
    const std::int64_t s = duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    json signed_body = json::parse(body, nullptr, false);
    if (!signed_body.is_object()) return;
    signed_body["timestamp"] = std::to_string(s);
    signed_body["sign"] = FeishuSign(s, secret);
    body = Dump(signed_body);
  }
  // WeCom group robots have no signature: the key in the URL is the credential.
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

namespace {

std::mutex ca_mu;
std::string ca_file;  // guarded by ca_mu

// The TLS context of one request: the system's trust store plus the configured CA file, peer
// verification on, TLS 1.2 at least.
struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
using SslCtx = std::unique_ptr<SSL_CTX, SslCtxFree>;
using Ssl = std::unique_ptr<SSL, SslFree>;

std::string SslError(const char* what) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return what;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return std::string(what) + ": " + buf;
}

Result<SslCtx> ClientContext(const std::string& extra_ca) {
  SslCtx ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return Fail(Errc::kInternal, SslError("cannot create a TLS context"));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1)
    return Fail(Errc::kInternal, SslError("cannot read the system's CA certificates"));
  if (!extra_ca.empty() && SSL_CTX_load_verify_locations(ctx.get(), extra_ca.c_str(), nullptr) != 1)
    return Fail(Errc::kInvalidArgument, SslError(("cannot read CA file " + extra_ca).c_str()));
  return ctx;
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

Result<void> SetOutboundCaFile(const std::string& path) {
  if (!path.empty()) ZHIDU_TRY_VOID(ClientContext(path));
  std::lock_guard lock(ca_mu);
  ca_file = path;
  return Ok();
}

std::string WithoutSecret(const std::string& url) {
  auto hash = url.find('#');
  return hash == std::string::npos ? url : url.substr(0, hash);
}

std::string SecretOf(const std::string& url) {
  auto at = url.find(kSecretFragment);
  return at == std::string::npos ? std::string() : url.substr(at + kSecretFragment.size());
}

PostResult HttpPostJson(const std::string& url_in, const std::string& body,
                        std::chrono::milliseconds timeout) {
  PostResult out;
  auto failed = [&out](std::string why) {
    out.error = std::move(why);
    return out;
  };
  const std::string url = WithoutSecret(url_in);
  const bool tls = url.starts_with("https://");
  if (!tls && !url.starts_with("http://")) {
    out.error = "bad URL";
    return out;
  }
  std::string rest = url.substr(tls ? 8 : 7);
  size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (target.front() == '?') target = "/" + target;
  std::string host = authority, port = tls ? "443" : "80";
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

  // TLS: the peer's chain must reach a trusted CA and its certificate must name `host` (a DNS
  // name, or an IP address for an IP literal).
  SslCtx ctx;
  Ssl ssl;
  if (tls) {
    std::string extra;
    {
      std::lock_guard lock(ca_mu);
      extra = ca_file;
    }
    auto made = ClientContext(extra);
    if (!made) return failed(made.error().message);
    ctx = std::move(*made);
    ssl.reset(SSL_new(ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) return failed(SslError("TLS setup failed"));
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (IsIpLiteral(host)) {
      if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1)
        return failed("TLS setup failed: bad IP address " + host);
    } else {
      SSL_set_tlsext_host_name(ssl.get(), host.c_str());
      if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) != 1)
        return failed("TLS setup failed: bad host name " + host);
    }
    for (;;) {
      ERR_clear_error();
      int rc = SSL_connect(ssl.get());
      if (rc == 1) break;
      int why = SSL_get_error(ssl.get(), rc);
      if (why == SSL_ERROR_WANT_READ && WaitFor(fd.get(), POLLIN, deadline)) continue;
      if (why == SSL_ERROR_WANT_WRITE && WaitFor(fd.get(), POLLOUT, deadline)) continue;
      if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE)
        return failed("TLS handshake timed out");
      long verify = SSL_get_verify_result(ssl.get());
      if (verify != X509_V_OK)
        return failed(std::string("certificate verify failed: ") +
                      X509_verify_cert_error_string(verify));
      return failed(SslError("TLS handshake failed"));
    }
  }
  // One transfer step: n > 0 bytes, 0 at the end of the stream, -1 to wait for `wait`, -2 failed.
  auto io = [&](bool writing, char* data, size_t size, short& wait) -> ssize_t {
    if (!tls) {
      ssize_t n =
          writing ? ::send(fd.get(), data, size, MSG_NOSIGNAL) : ::recv(fd.get(), data, size, 0);
      if (n >= 0) return n;
      if (errno == EAGAIN || errno == EINTR) {
        wait = writing ? POLLOUT : POLLIN;
        return -1;
      }
      return -2;
    }
    ERR_clear_error();
    int n = writing ? SSL_write(ssl.get(), data, static_cast<int>(size))
                    : SSL_read(ssl.get(), data, static_cast<int>(size));
    if (n > 0) return n;
    int why = SSL_get_error(ssl.get(), n);
    if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE) {
      wait = why == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      return -1;
    }
    if (why == SSL_ERROR_ZERO_RETURN) return 0;
    // A peer that closes without close_notify: the end of the response (Connection: close).
    if (!writing && why == SSL_ERROR_SYSCALL) return 0;
    return -2;
  };

  std::string request = "POST " + target + " HTTP/1.1\r\nHost: " + authority +
                        "\r\nUser-Agent: zhidu\r\nContent-Type: application/json; charset=utf-8"
                        "\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    short wait = 0;
    ssize_t n = io(true, request.data() + sent, request.size() - sent, wait);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n == -1) {
      if (!WaitFor(fd.get(), wait, deadline)) return failed("send timed out");
    } else {
      return failed(std::string("send failed: ") + (tls ? SslError("TLS") : std::strerror(errno)));
    }
  }

  constexpr size_t kMaxResponse = 1 << 20;
  std::string response;
  char buf[8192];
  for (;;) {
    short wait = 0;
    ssize_t n = io(false, buf, sizeof buf, wait);
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
    } else if (n == -1) {
      if (!WaitFor(fd.get(), wait, deadline)) return failed("response timed out");
    } else {
      return failed(std::string("receive failed: ") +
                    (tls ? SslError("TLS") : std::strerror(errno)));
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
  std::string url = WithoutSecret(channel.url);
  std::string body = RobotBody(channel.format, RobotText(record, zone));
  if (auto secret = SecretOf(channel.url); !secret.empty())
    SignRobot(channel.format, secret, std::chrono::system_clock::now(), url, body);
  auto result = HttpPostJson(url, body, timeout_);
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
              {"url", WithoutSecret(c.url)},
              {"signed", !SecretOf(c.url).empty()},
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
      {"node", s.node.empty() ? json(nullptr) : json(s.node)},
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
  ZHIDU_TRY(auto secret, body.OptionalString("secret"));
  if (in.url.find('#') != std::string::npos)
    return Fail(Errc::kInvalidArgument, "url must not have a #fragment", "url");
  if (!secret.empty()) {
    // The signing secret (加签) rides in the stored URL's fragment, which is never sent
    // (WithoutSecret) and never shown or journaled (the journal keeps the host only).
    if (in.format != "dingtalk" && in.format != "feishu")
      return Fail(Errc::kInvalidArgument, Reason{"notify.secret_unsupported"},
                  "only dingtalk and feishu robots are signed (加签); a wecom robot's key is in "
                  "its URL",
                  "secret");
    if (secret.size() > 200 ||
        secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                 "+/=_-") != std::string::npos)
      return Fail(Errc::kInvalidArgument, "secret: up to 200 letters, digits and +/=_-", "secret");
    in.url += std::string(kSecretFragment) + secret;
  }
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
    deps.webhooks->Reload();
    return JsonResponse(201, ChannelJson(created, nullptr));
  });
  r.Add("GET", "/api/v1/notify/channels", Access::kSignedIn, [deps, guard](HttpRequest& req) {
    if (auto allowed = guard(req); !allowed) return ErrorResponse(allowed.error());
    ZHIDU_OR_ERROR(auto unit, deps.store->BeginRead());
    ZHIDU_OR_ERROR(auto channels, unit->ListWebhookChannels(false));
    ZHIDU_OR_ERROR(auto stats, deps.webhooks->Stats());
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
    ZHIDU_OR_ERROR(auto stats, deps.webhooks->Stats());
    auto it = stats.find(id);
    return JsonResponse(200, ChannelJson(channel, it == stats.end() ? nullptr : &it->second));
  });
  r.Add(
      "DELETE", "/api/v1/notify/channels/{id}", Access::kSignedIn, [deps, guard](HttpRequest& req) {
        if (auto allowed = guard(req); !allowed) return ErrorResponse(allowed.error());
        ZHIDU_OR_ERROR(auto id, PathIdOf(req));
        auto deleted = notify::DeleteWebhookChannel(*deps.writer, PrincipalOf(req).account_id, id);
        if (!deleted) return ErrorResponse(deleted.error());
        deps.webhooks->Reload();
        return HttpResponse{204, "", "", {}};
      });
}

}  // namespace zhidu::api
