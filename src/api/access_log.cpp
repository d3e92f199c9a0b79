#include "api/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>

#include "base/crypto.hpp"
#include "base/time.hpp"

namespace zhidu::api {

namespace {

constexpr size_t kMaxLoggedPath = 512;

// The request's id: the client's if sane, else a new one; kept in the request for the handlers.
std::string TakeRequestId(HttpRequest& request) {
  auto it = request.headers.find("x-request-id");
  if (it != request.headers.end() && SaneRequestId(it->second)) return it->second;
  std::string id = RandomHex(8);
  request.headers["x-request-id"] = id;
  return id;
}

// "code: message" of a JSON error body ({"error":{"code","message"}}), else the body's start.
std::string ErrorOf(const HttpResponse& res) {
  auto doc = nlohmann::json::parse(res.body, nullptr, false);
  if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    const auto& e = doc["error"];
    return e.value("code", std::string("error")) + ": " + e.value("message", std::string());
  }
  return res.body.substr(0, 200);
}

void LogRequest(AccessLog& log, const HttpRequest& request, const std::string& id, int status,
                double started, const std::string& error) {
  double ms = (MonotonicSeconds() - started) * 1000.0;
  log.Write(AccessLine(FormatIso8601Utc(log.clock().Now()), id, request.method, request.target,
                       status, ms, request.client_ip, error));
}

}  // namespace

AccessLog::AccessLog(const Clock& clock) : clock_(clock) {}

AccessLog::~AccessLog() {
  if (file_) std::fclose(file_);
}

Result<void> AccessLog::OpenFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Fail(Errc::kUnavailable, "cannot open " + path + ": " + std::strerror(errno));
  std::FILE* f = ::fdopen(fd, "a");
  if (!f) {
    ::close(fd);
    return Fail(Errc::kUnavailable, "cannot open " + path);
  }
  std::lock_guard lock(mu_);
  if (file_) std::fclose(file_);
  file_ = f;
  return Ok();
}

void AccessLog::Write(std::string_view line) {
  std::lock_guard lock(mu_);
  std::FILE* out = file_ ? file_ : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fputc('\n', out);
  std::fflush(out);
}

bool SaneRequestId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::ranges::all_of(id, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

std::string AccessLine(std::string_view time, std::string_view id, std::string_view method,
                       std::string_view target, int status, double ms, std::string_view client,
                       std::string_view error) {
  std::string_view path = target.substr(0, target.find('?'));  // a query may carry secrets
  if (path.size() > kMaxLoggedPath) path = path.substr(0, kMaxLoggedPath);
  nlohmann::ordered_json line;
  line["time"] = time;
  line["level"] = error.empty() ? "info" : "error";
  line["id"] = id;
  line["method"] = method.substr(0, 16);
  line["path"] = path;
  line["status"] = status;
  line["ms"] = static_cast<double>(static_cast<long long>(ms * 100.0 + 0.5)) / 100.0;
  line["client"] = client;
  if (!error.empty()) line["error"] = error;
  // Invalid UTF-8 from a client becomes U+FFFD; quotes and control characters are escaped, so a
  // request cannot forge a line.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Handler WithAccessLog(Handler inner, AccessLog& log) {
  return [inner = std::move(inner), &log](HttpRequest& request) -> HttpResponse {
    double started = MonotonicSeconds();
    std::string id = TakeRequestId(request);
    HttpResponse res;
    std::string error;
    try {
      res = inner(request);
    } catch (const std::exception& ex) {
      error = std::string("handler threw: ") + ex.what();
      res = HttpResponse{
          500,
          "application/json",
          R"({"error":{"code":"internal","message":"internal error; the request was not completed"}})",
          {}};
    }
    if (error.empty() && res.status >= 500) error = ErrorOf(res);
    res.headers.emplace_back("X-Request-Id", id);
    LogRequest(log, request, id, res.status, started, error);
    return res;
  };
}

FastHandler WithFastAccessLog(FastHandler inner, AccessLog& log) {
  return [inner = std::move(inner), &log](HttpRequest& request, HttpResponse& out) -> bool {
    double started = MonotonicSeconds();
    if (!inner(request, out)) return false;
    std::string id = TakeRequestId(request);
    out.headers.emplace_back("X-Request-Id", id);
    LogRequest(log, request, id, out.status, started, "");
    return true;
  };
}

StreamHandler WithStreamAccessLog(StreamHandler inner, AccessLog& log) {
  return [inner = std::move(inner), &log](HttpRequest& request) -> StreamOpen {
    double started = MonotonicSeconds();
    std::string id = TakeRequestId(request);
    StreamOpen open;
    std::string error;
    try {
      open = inner(request);
    } catch (const std::exception& ex) {
      error = std::string("stream handler threw: ") + ex.what();
      open = StreamOpen{nullptr,
                        HttpResponse{500,
                                     "application/json",
                                     R"({"error":{"code":"internal","message":"internal error"}})",
                                     {}}};
    }
    int status = open.stream ? 101 : open.refusal.status;
    if (!open.stream) {
      if (error.empty() && status >= 500) error = ErrorOf(open.refusal);
      open.refusal.headers.emplace_back("X-Request-Id", id);
    }
    LogRequest(log, request, id, status, started, error);
    return open;
  };
}

}  // namespace zhidu::api
