// The access log: one JSON line per HTTP request, with the request's id (X-Request-Id).
//
// WithAccessLog wraps a request handler (and WithStreamAccessLog a WebSocket upgrade handler): it
// takes the client's X-Request-Id when it is sane (1-64 characters of A-Z a-z 0-9 - _ .) or makes
// one (16 hex digits), stores it in the request's `x-request-id` header for the handlers, returns
// it in the X-Request-Id response header and writes, after the handler ran,
//   {"time":"…Z","level":"info","id":"…","method":"GET","path":"/api/v1/…","status":200,
//    "ms":1.25,"client":"203.0.113.7"}
// The path is without its query (a query may carry secrets); `client` is the request's client_ip
// after the handler ran (the API resolves it through the trusted proxies); a 5xx is level "error"
// with the error's code and message; a handler that throws is logged (level "error", its what())
// and answered 500. No Beast here: the HTTP server stays the only Beast translation unit.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "api/http.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"

namespace zhidu::api {

// Where the lines go: stderr, or a file opened for appending. Thread-safe: each line is written
// whole under a mutex and flushed.
class AccessLog {
 public:
  // Logs to stderr; `clock` gives the lines' time and must outlive the log.
  explicit AccessLog(const Clock& clock);
  ~AccessLog();
  // Appends to `path` from now on (created 0640 if missing).
  Result<void> OpenFile(const std::string& path);
  void Write(std::string_view line);
  const Clock& clock() const { return clock_; }

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::FILE* file_ = nullptr;  // null: stderr
};

// Whether an incoming X-Request-Id is kept: 1 to 64 characters of [A-Za-z0-9._-].
bool SaneRequestId(std::string_view id);

// One access-log line (JSON, no newline). `error` non-empty adds it and makes the level "error".
std::string AccessLine(std::string_view time, std::string_view id, std::string_view method,
                       std::string_view target, int status, double ms, std::string_view client,
                       std::string_view error);

// `log` must outlive the returned handlers.
Handler WithAccessLog(Handler inner, AccessLog& log);
StreamHandler WithStreamAccessLog(StreamHandler inner, AccessLog& log);
// A cache hit answered on the I/O thread (Api::ServeCached): logged and given its id only when it
// answers; a miss goes on to the handler, which WithAccessLog logs.
FastHandler WithFastAccessLog(FastHandler inner, AccessLog& log);

}  // namespace zhidu::api
