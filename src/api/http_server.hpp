// The HTTP server (Boost.Beast). The only translation unit that includes Beast.
//
// Threads: `io_threads` run the network (parsing, writing); handlers run on a separate pool of
// `handler_threads` so that a handler waiting for a durable commit never stalls the network.
// Shutdown (SIGTERM/SIGINT or Stop()): stop accepting, let in-flight requests finish and be
// answered (bounded by drain_timeout), then return from Run().
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "api/http.hpp"
#include "base/result.hpp"

namespace zhidu::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: pick a free port
  int io_threads = 2;
  int handler_threads = 64;
  size_t max_body_bytes = 1 << 20;  // 1 MiB; larger bodies get 413
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds drain_timeout{15};
  std::function<void()> on_reload;  // SIGHUP
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  // Binds the listening socket; after this, port() is known.
  Result<void> Listen();
  unsigned short port() const;
  // Serves until SIGTERM/SIGINT or Stop(), then drains. Blocks.
  void Run();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zhidu::api
