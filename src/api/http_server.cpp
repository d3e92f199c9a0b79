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
#include <thread>
#include <vector>

namespace zhidu::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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
    CheckDrained();
  }

  void CheckDrained() {
    if (in_flight_.load() == 0 || std::chrono::steady_clock::now() > drain_deadline_) {
      ioc_.stop();
      return;
    }
    auto timer = std::make_shared<net::steady_timer>(ioc_, std::chrono::milliseconds(20));
    timer->async_wait([this, timer](const beast::error_code&) { CheckDrained(); });
  }

  net::awaitable<void> Accept() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(net::redirect_error(net::use_awaitable, ec));
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
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options_.max_body_bytes);
      parser.header_limit(16 * 1024);
      stream.expires_after(options_.idle_timeout);
      beast::error_code ec;
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
        res.body() = too_big ? ErrorJson("payload_too_large",
                                         "the request body is larger than " +
                                             std::to_string(options_.max_body_bytes) + " bytes")
                             : ErrorJson("invalid_argument", "malformed HTTP request");
        res.prepare_payload();
        beast::error_code wec;
        co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, wec));
        break;
      }
      auto req = parser.release();
      bool keep_alive = req.keep_alive() && !draining_;
      in_flight_++;
      HttpResponse out = co_await Dispatch(Convert(req, ip), net::use_awaitable);
      http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
      res.set(http::field::server, "zhidu");
      if (!out.content_type.empty()) res.set(http::field::content_type, out.content_type);
      for (auto& [name, value] : out.headers) res.insert(name, value);
      res.body() = std::move(out.body);
      res.keep_alive(keep_alive && !draining_);
      res.prepare_payload();
      beast::error_code wec;
      co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, wec));
      in_flight_--;
      if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
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
