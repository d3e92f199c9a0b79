#include <utility>  // before asio coroutine headers (Boost 1.74)

#include "api/http_server.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast.hpp>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace zhidu::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

std::string ErrorJson(std::string_view code, std::string_view message) {
  return std::string("{\"error\":{\"code\":\"") + std::string(code) + "\",\"message\":\"" +
         std::string(message) + "\"}}";
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        handlers_(static_cast<size_t>(options_.handler_threads)),
        acceptor_(ioc_),
        signals_(ioc_, SIGTERM, SIGINT) {}

  ~Impl() {
    Stop();
    for (auto& t : io_threads_)
      if (t.joinable()) t.join();
    handlers_.join();
  }

  Result<void> Listen() {
    beast::error_code ec;
    auto address = net::ip::make_address(options_.host, ec);
    if (ec) return Fail(Errc::kInvalidArgument, "bad listen address " + options_.host);
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return Fail(Errc::kUnavailable, "cannot listen on " + options_.host + ":" +
                                          std::to_string(options_.port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    return Ok();
  }

  unsigned short port() const { return port_; }

  void Run() {
    net::co_spawn(ioc_, Accept(), net::detached);
    WaitSignal();
    if (options_.on_reload) {
      hup_ = std::make_unique<net::signal_set>(ioc_, SIGHUP);
      WaitHup();
    }
    for (int i = 1; i < options_.io_threads; ++i) io_threads_.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : io_threads_)
      if (t.joinable()) t.join();
    io_threads_.clear();
  }

  void Stop() {
    net::post(ioc_, [this] { BeginDrain(); });
  }

 private:
  void WaitSignal() {
    signals_.async_wait([this](const beast::error_code& ec, int) {
      if (!ec) BeginDrain();
    });
  }

  void WaitHup() {
    hup_->async_wait([this](const beast::error_code& ec, int) {
      if (ec) return;
      net::post(handlers_, [this] { options_.on_reload(); });
      WaitHup();
    });
  }

  // Runs on the io context.
  void BeginDrain() {
    if (draining_.exchange(true)) return;
    beast::error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    if (hup_) hup_->cancel(ec);
    drain_deadline_ = std::chrono::steady_clock::now() + options_.drain_timeout;
    CloseStreams();
    CheckDrained();
  }

  void CheckDrained() {
    bool idle = in_flight_.load() == 0 && open_streams_.load() == 0;
    if (idle || std::chrono::steady_clock::now() > drain_deadline_) {
      ioc_.stop();
      return;
    }
    auto timer = std::make_shared<net::steady_timer>(ioc_, std::chrono::milliseconds(20));
    timer->async_wait([this, timer](const beast::error_code&) { CheckDrained(); });
  }

  net::awaitable<void> Accept() {
    for (;;) {
      beast::error_code ec;
      // Each connection's socket lives on its own strand, which a WebSocket needs (its reader,
      // writer and wake-ups must not run concurrently).
      tcp::socket socket = co_await acceptor_.async_accept(
          net::make_strand(ioc_), net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        if (draining_) co_return;
        continue;
      }
      net::co_spawn(ioc_, Session(std::move(socket)), net::detached);
    }
  }

  static HttpRequest Convert(const http::request<http::string_body>& req, const std::string& ip) {
    HttpRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    out.body = req.body();
    out.client_ip = ip;
    return out;
  }

  HttpResponse SafeHandle(HttpRequest& request) {
    try {
      return handler_(request);
    } catch (const std::exception& ex) {
      std::cerr << "zhidu: handler threw: " << ex.what() << "\n";
      return HttpResponse{500,
                          "application/json",
                          ErrorJson("internal", "internal error; the request was not completed"),
                          {}};
    }
  }

  // The fast handler, on the network thread: true when it answered into `out`.
  bool SafeFast(HttpRequest& request, HttpResponse& out) {
    if (!options_.fast_handler) return false;
    try {
      return options_.fast_handler(request, out);
    } catch (const std::exception& ex) {
      std::cerr << "zhidu: fast handler threw: " << ex.what() << "\n";
      return false;  // the handler pool answers it
    }
  }

  template <class Body>
  static void Prepare(http::response<Body>& res, const HttpResponse& out, bool keep_alive) {
    res.set(http::field::server, "zhidu");
    if (!out.content_type.empty()) res.set(http::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) res.insert(name, value);
    res.keep_alive(keep_alive);
  }

  StreamOpen SafeOpen(HttpRequest& request) {
    try {
      return options_.stream_handler(request);
    } catch (const std::exception& ex) {
      std::cerr << "zhidu: stream handler threw: " << ex.what() << "\n";
      return StreamOpen{
          nullptr,
          HttpResponse{500, "application/json", ErrorJson("internal", "internal error"), {}}};
    }
  }

  static StreamBatch SafePoll(Stream& stream) {
    try {
      return stream.Poll();
    } catch (const std::exception& ex) {
      std::cerr << "zhidu: stream poll threw: " << ex.what() << "\n";
      return StreamBatch{{}, false, "internal error; reconnect"};
    }
  }

  // Runs `work(arg)` on the handler pool and completes with its result on the caller's executor.
  // `arg` is plain data: a capturing lambda passed into a co_await expression is destroyed twice
  // by g++ 12.
  template <typename R, typename Arg, typename CompletionToken>
  auto RunOnPool(R (*work)(Impl*, Arg&), Arg arg, CompletionToken&& token) {
    return net::async_initiate<CompletionToken, void(R)>(
        [this, work](auto handler, Arg arg) {
          net::post(handlers_, [this, work, arg = std::move(arg),
                                handler = std::move(handler)]() mutable {
            R result = work(this, arg);
            auto ex = net::get_associated_executor(handler);
            net::post(ex, [handler = std::move(handler), result = std::move(result)]() mutable {
              handler(std::move(result));
            });
          });
        },
        token, std::move(arg));
  }
  static std::shared_ptr<StreamOpen> OpenWork(Impl* self, std::shared_ptr<HttpRequest>& request) {
    return std::make_shared<StreamOpen>(self->SafeOpen(*request));
  }
  static std::shared_ptr<StreamBatch> PollWork(Impl*, std::shared_ptr<Stream>& stream) {
    return std::make_shared<StreamBatch>(SafePoll(*stream));
  }

  // Runs the handler on the handler pool and completes on the session's executor. (Plain
  // handlers instead of a capturing coroutine lambda: g++ 12 destroys such captures twice.)
  template <typename CompletionToken>
  auto Dispatch(HttpRequest request, CompletionToken&& token) {
    return net::async_initiate<CompletionToken, void(HttpResponse)>(
        [this](auto handler, HttpRequest req) {
          net::post(handlers_,
                    [this, req = std::move(req), handler = std::move(handler)]() mutable {
                      HttpResponse res = SafeHandle(req);
                      auto ex = net::get_associated_executor(handler);
                      net::post(ex, [handler = std::move(handler), res = std::move(res)]() mutable {
                        handler(std::move(res));
                      });
                    });
        },
        token, std::move(request));
  }

  net::awaitable<void> Session(tcp::socket socket) {
    std::string ip;
    {
      beast::error_code ec;
      auto remote = socket.remote_endpoint(ec);
      if (!ec) ip = remote.address().to_string();
    }
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    // Set when the connection became a WebSocket. (No co_return inside the loop: g++ 12 destroys
    // the locals of a nested scope twice on co_return.)
    std::shared_ptr<WsSession> upgraded;
    http::request<http::string_body> upgrade_request;
    for (;;) {
      http::request_parser<http::string_body> parser;
      size_t body_limit = options_.max_body_bytes;
      parser.body_limit(body_limit);
      parser.header_limit(16 * 1024);
      stream.expires_after(options_.idle_timeout);
      beast::error_code ec;
      // The header first: the target decides the body limit (uploads may be larger).
      co_await http::async_read_header(stream, buffer, parser,
                                       net::redirect_error(net::use_awaitable, ec));
      if (!ec && options_.body_limit_for) {
        auto target = parser.get().target();
        if (size_t limit = options_.body_limit_for(std::string_view(target.data(), target.size())))
          parser.body_limit(body_limit = limit);
      }
      if (!ec)
        co_await http::async_read(stream, buffer, parser,
                                  net::redirect_error(net::use_awaitable, ec));
      if (ec == http::error::end_of_stream || ec == net::error::eof ||
          ec == beast::error::timeout || ec == net::error::connection_reset ||
          ec == net::error::operation_aborted)
        break;
      if (ec) {
        // Malformed or oversize request: answer and close the connection.
        bool too_big = ec == http::error::body_limit || ec == http::error::header_limit;
        http::response<http::string_body> res{
            too_big ? http::status::payload_too_large : http::status::bad_request, 11};
        res.set(http::field::content_type, "application/json");
        res.set(http::field::connection, "close");
        res.body() = too_big
                         ? ErrorJson("payload_too_large", "the request body is larger than " +
                                                              std::to_string(body_limit) + " bytes")
                         : ErrorJson("invalid_argument", "malformed HTTP request");
        res.prepare_payload();
        beast::error_code wec;
        co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, wec));
        break;
      }
      auto req = parser.release();
      bool keep_alive = req.keep_alive() && !draining_;
      in_flight_++;
      HttpResponse out;
      if (options_.stream_handler && websocket::is_upgrade(req) && !draining_) {
        auto converted = std::make_shared<HttpRequest>(Convert(req, ip));
        std::shared_ptr<StreamOpen> open =
            co_await RunOnPool(&Impl::OpenWork, converted, net::use_awaitable);
        if (open->stream) {
          open_streams_++;  // before in_flight_ drops: a drain never sees neither (ServeStream -1)
          in_flight_--;
          upgraded = std::make_shared<WsSession>(std::move(stream), std::move(open->stream));
          upgrade_request = std::move(req);
          break;
        }
        out = std::move(open->refusal);
        keep_alive = false;
      } else {
        HttpRequest converted = Convert(req, ip);
        if (!SafeFast(converted, out))
          out = co_await Dispatch(std::move(converted), net::use_awaitable);
      }
      keep_alive = keep_alive && !draining_;
      beast::error_code wec;
      if (out.shared_body) {
        // A cached body: written from the cache's own string, which `out` keeps alive.
        http::response<http::span_body<const char>> res{static_cast<http::status>(out.status),
                                                        req.version()};
        Prepare(res, out, keep_alive);
        res.body() = {out.shared_body->data(), out.shared_body->size()};
        res.prepare_payload();
        co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, wec));
      } else {
        http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
        Prepare(res, out, keep_alive);
        res.body() = std::move(out.body);
        res.prepare_payload();
        co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, wec));
      }
      in_flight_--;
      if (wec || !keep_alive) break;
    }
    if (upgraded) {
      auto executor = upgraded->ws.get_executor();
      net::co_spawn(executor, ServeStream(upgraded, std::move(upgrade_request)), net::detached);
    } else {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  // ---- WebSocket streams. A WsSession is shared by its two coroutines (ServeStream writes,
  // ReadStream reads and notices the client leaving); everything but `wake` runs on its strand.
  struct Wake {
    explicit Wake(const net::any_io_executor& ex) : timer(ex) {}
    std::atomic<bool> woken{false};  // set by the Stream's waker, from any thread
    net::steady_timer timer;         // cancelled to wake ServeStream
  };
  struct WsSession {
    WsSession(beast::tcp_stream s, std::unique_ptr<Stream> st)
        : ws(std::move(s)),
          stream(std::move(st)),
          wake(std::make_shared<Wake>(ws.get_executor())) {}
    websocket::stream<beast::tcp_stream> ws;
    std::shared_ptr<Stream> stream;  // shared with a Poll running on the handler pool
    std::shared_ptr<Wake> wake;
    bool client_gone = false;  // strand only
    bool stopping = false;     // strand only: the server is draining
  };

  static void WakeUp(const std::shared_ptr<Wake>& wake) {
    wake->woken = true;
    net::post(wake->timer.get_executor(), [wake] { wake->timer.cancel(); });
  }

  // Runs on the io context: asks every stream to close with 1001.
  void CloseStreams() {
    std::lock_guard lock(streams_mu_);
    for (auto& [_, weak] : streams_) {
      if (auto ws = weak.lock()) {
        net::post(ws->ws.get_executor(), [ws] {
          ws->stopping = true;
          ws->wake->timer.cancel();
        });
      }
    }
  }

  net::awaitable<void> ReadStream(std::shared_ptr<WsSession> s) {
    beast::flat_buffer buffer;
    for (;;) {
      beast::error_code ec;
      co_await s->ws.async_read(buffer, net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
      buffer.consume(buffer.size());  // clients have nothing to say on this stream
    }
    s->client_gone = true;
    s->wake->timer.cancel();
  }

  net::awaitable<void> ServeStream(std::shared_ptr<WsSession> s,
                                   http::request<http::string_body> req) {
    beast::get_lowest_layer(s->ws).expires_never();  // the websocket's own timeouts take over
    // Beast's own timeouts only for the handshake: when one fires while our reader is suspended
    // behind a close (a client that never answers it), Boost 1.74 asserts. Pings and the close
    // deadline are ours (RunStream).
    s->ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(10),
                                                     websocket::stream_base::none(), false});
    s->ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "zhidu"); }));
    {
      std::lock_guard lock(streams_mu_);
      streams_[s.get()] = s;
    }
    beast::error_code ec;
    co_await s->ws.async_accept(req, net::redirect_error(net::use_awaitable, ec));
    if (!ec) co_await RunStream(s);
    {
      std::lock_guard lock(streams_mu_);
      streams_.erase(s.get());
    }
    open_streams_--;
  }

  // The accepted stream until it ends: poll, write, wait for a wake; then close.
  net::awaitable<void> RunStream(std::shared_ptr<WsSession> s) {
    beast::error_code ec;
    s->ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                     websocket::stream_base::none(), false});
    if (draining_) s->stopping = true;  // the drain's request may have come before the accept
    s->stream->SetWaker([wake = s->wake] { WakeUp(wake); });
    net::co_spawn(s->ws.get_executor(), ReadStream(s), net::detached);
    std::string close_reason;
    while (!s->client_gone && !s->stopping) {
      s->wake->woken = false;  // a wake from now on makes us poll again
      auto stream = s->stream;
      std::shared_ptr<StreamBatch> batch =
          co_await RunOnPool(&Impl::PollWork, stream, net::use_awaitable);
      for (const auto& message : batch->messages) {
        s->ws.text(true);
        co_await s->ws.async_write(net::buffer(message),
                                   net::redirect_error(net::use_awaitable, ec));
        if (ec) break;
      }
      if (ec) break;
      if (!batch->close_reason.empty()) {
        close_reason = batch->close_reason;
        break;
      }
      if (batch->more || s->wake->woken || s->client_gone || s->stopping) continue;
      // No suspension between the check above and this wait (strand), so a wake posted after the
      // check cancels this wait.
      s->wake->timer.expires_after(options_.stream_idle_timeout / 2);
      beast::error_code wait_ec;
      co_await s->wake->timer.async_wait(net::redirect_error(net::use_awaitable, wait_ec));
      if (!wait_ec && !s->wake->woken && !s->client_gone && !s->stopping) {
        // Quiet for a while: a ping keeps proxies from closing the connection, and a client that
        // is gone shows up as a failed write.
        co_await s->ws.async_ping({}, net::redirect_error(net::use_awaitable, ec));
        if (ec) break;
      }
    }
    if (!s->client_gone && !ec) {
      websocket::close_reason reason =
          close_reason.empty()
              ? websocket::close_reason(websocket::close_code::going_away, "server shutting down")
              : websocket::close_reason(websocket::close_code::policy_error, close_reason);
      // A client that does not answer the close within 2 s is cut off.
      auto deadline =
          std::make_shared<net::steady_timer>(s->ws.get_executor(), std::chrono::seconds(2));
      deadline->async_wait([s](const beast::error_code& e) {
        beast::error_code ignored;
        if (!e) beast::get_lowest_layer(s->ws).socket().close(ignored);
      });
      beast::error_code cec;
      co_await s->ws.async_close(reason, net::redirect_error(net::use_awaitable, cec));
      deadline->cancel();
    }
    beast::error_code ignored;
    beast::get_lowest_layer(s->ws).socket().close(ignored);
  }

  ServerOptions options_;
  Handler handler_;
  net::io_context ioc_;
  net::thread_pool handlers_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  std::unique_ptr<net::signal_set> hup_;
  std::vector<std::thread> io_threads_;
  std::atomic<bool> draining_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<int> open_streams_{0};
  std::mutex streams_mu_;
  std::map<WsSession*, std::weak_ptr<WsSession>> streams_;  // guarded by streams_mu_
  std::chrono::steady_clock::time_point drain_deadline_;
  unsigned short port_ = 0;
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
HttpServer::~HttpServer() = default;
Result<void> HttpServer::Listen() { return impl_->Listen(); }
unsigned short HttpServer::port() const { return impl_->port(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace zhidu::api
