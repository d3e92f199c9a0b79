// The same-run limit for the read benchmark (W2): a hello-world HTTP/1.1 endpoint with the
// threading of src/api/http_server.cpp — one io_context run by 2 io threads, one C++20 coroutine
// per keep-alive connection, Beast parser and serializer — but no router, no auth, no database
// and no hop to a handler pool. Answers every request with 200 and a small JSON body.
//
//   bench_hello_beast PORT [IO_THREADS=2]     prints "listening PORT" once ready; SIGTERM stops it
#include <utility>  // before asio coroutine headers (Boost 1.74)

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

const std::string kBody = R"({"items":[{"id":1,"name":"hello"}],"next_cursor":null})";

net::awaitable<void> Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    parser.header_limit(16 * 1024);
    beast::error_code ec;
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) break;
    auto req = parser.release();
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::server, "hello");
    res.set(http::field::content_type, "application/json");
    res.body() = kBody;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    if (ec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> Accept(tcp::acceptor& acceptor) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;
    net::co_spawn(acceptor.get_executor(), Session(std::move(socket)), net::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_hello_beast PORT [IO_THREADS]\n");
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const int io_threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  net::io_context ioc;
  tcp::acceptor acceptor(ioc);
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  net::signal_set signals(ioc, SIGTERM, SIGINT);
  signals.async_wait([&](const beast::error_code&, int) { ioc.stop(); });
  net::co_spawn(ioc, Accept(acceptor), net::detached);
  std::printf("listening %u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  std::vector<std::thread> threads;
  for (int i = 1; i < io_threads; ++i) threads.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  return 0;
}
