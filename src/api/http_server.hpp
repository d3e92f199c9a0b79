// The HTTP server (Boost.Beast). The only translation unit that includes Beast.
//
// Threads: `io_threads` run the network (parsing, writing); handlers run on a separate pool of
// `handler_threads` so that a handler waiting for a durable commit never stalls the network. Only
// the `fast_handler` (cached answers) runs on the network threads.
// Shutdown (SIGTERM/SIGINT or Stop()): stop accepting, let in-flight requests finish and be
// answered and close WebSocket streams with 1001 "going away" (bounded by drain_timeout), then
// return from Run().
//
// WebSocket upgrades go to `stream_handler` (on a handler thread: it may authenticate against the
// store); if it opens a Stream, the connection becomes a WebSocket whose messages the Stream
// produces (see api/http.hpp). Each WebSocket connection lives on its own strand.
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
  // A larger limit for some targets (photo uploads), given the request target; 0: max_body_bytes.
  std::function<size_t(std::string_view target)> body_limit_for;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds drain_timeout{15};
  std::function<void()> on_reload;  // SIGHUP
  StreamHandler stream_handler;     // WebSocket upgrades; empty: upgrades are plain requests
  // Tried first on the network thread for each plain request (see FastHandler): an answer it
  // gives is written at once, without the hop to the handler pool and back. Empty: none.
  FastHandler fast_handler;
  // A WebSocket stream quiet for half of this sends a ping (a client that is gone shows up as a
  // failed write).
  std::chrono::seconds stream_idle_timeout{40};
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
