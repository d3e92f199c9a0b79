// Plain HTTP request/response values: what handlers see. No Beast here, so the router,
// the handlers and their tests compile without it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zhidu::org {
struct Principal;
}

namespace zhidu::api {

struct HttpRequest {
  std::string method;                          // "GET", "POST", …
  std::string target;                          // raw target, with query
  std::string path;                            // percent-decoded path without query
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string client_ip;
  std::map<std::string, std::string> params;  // filled by the router from {name} segments
  // Who sent it: set by the API before a signed-in route's handler runs (api::PrincipalOf), null
  // for public routes. The request carries it to the handler — no thread-local state.
  const org::Principal* principal = nullptr;

  const std::string& Header(const std::string& lower_name) const;
  std::string Cookie(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // An immutable body shared with a cache (api/read_cache.hpp): when set, it is what is sent
  // (`body` is ignored), without a copy.
  std::shared_ptr<const std::string> shared_body = nullptr;

  const std::string& Body() const { return shared_body ? *shared_body : body; }
};

using Handler = std::function<HttpResponse(HttpRequest&)>;
// Answers a request on the network thread without blocking (no store, no lock held for long), or
// returns false to have it run by the Handler on the handler pool.
using FastHandler = std::function<bool(HttpRequest&, HttpResponse&)>;

// ---- WebSocket streams (GET /api/v1/stream). The HTTP server owns the socket and the frames; a
// Stream produces the text messages. Lifecycle: StreamHandler (on a handler thread) -> accept the
// upgrade -> Poll() whenever woken (and at once after `more`) -> destroyed when the client leaves,
// the stream ends or the server stops (close 1001).

struct StreamBatch {
  std::vector<std::string> messages;  // text frames, in order
  bool more = false;                  // call Poll() again without waiting for a wake
  std::string close_reason;           // not empty: send the messages, then close (1008) with it
};

class Stream {
 public:
  virtual ~Stream() = default;
  // `wake` may be called from any thread until the Stream is destroyed; it must not block.
  virtual void SetWaker(std::function<void()> wake) = 0;
  // Runs on a handler thread (it may read the store), never concurrently with itself.
  virtual StreamBatch Poll() = 0;
};

struct StreamOpen {
  std::unique_ptr<Stream> stream;  // null: answer `refusal` instead of upgrading
  HttpResponse refusal;
};

// Authenticates an upgrade request and opens its stream. Runs on a handler thread.
using StreamHandler = std::function<StreamOpen(HttpRequest&)>;

// Splits "a/b?x=1&y=%E5%80%BC" into path and query, percent-decoding both. False on bad escapes
// and on a decoded path, key or value that is not UTF-8 (%FF): no handler sees such bytes.
bool ParseTarget(const std::string& target, std::string& path,
                 std::map<std::string, std::string>& query);

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool IsUtf8(std::string_view s);

// Whether a listen host ("127.0.0.1", "::1", "localhost") is reachable only from this machine:
// elsewhere the session cookie is marked Secure unless told otherwise (serve --secure-cookies).
bool IsLoopbackHost(std::string_view host);

}  // namespace zhidu::api
