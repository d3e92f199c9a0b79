#include "modules/alarms/gb26875_listener.hpp"

#include <boost/asio.hpp>
#include <cstdio>
#include <iostream>
#include <set>

#include "base/time.hpp"

namespace zhidu::api {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

size_t IndexOf(gb26875::Refusal r) {
  for (size_t i = 0; i < std::size(gb26875::kAllRefusals); ++i)
    if (gb26875::kAllRefusals[i] == r) return i;
  return 0;
}

std::string Hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string StateText(std::uint16_t state) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "state=0x%04x", state);
  return buf;
}

struct Connection : std::enable_shared_from_this<Connection> {
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::array<char, 4096> buffer{};
  gb26875::Scanner scanner;
  std::string peer;
  std::string pending, sending;  // replies not yet written / being written
  bool writing = false;
};

}  // namespace

struct Gb26875Listener::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::set<std::shared_ptr<Connection>> connections;  // touched on the I/O thread only

  static void Accept(Gb26875Listener* self) {
    self->impl_->acceptor.async_accept([self](boost::system::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !self->impl_->acceptor.is_open()) return;
      if (!ec) {
        ++self->connections_;
        auto c = std::make_shared<Connection>(std::move(s));
        boost::system::error_code peer_ec;
        auto ep = c->socket.remote_endpoint(peer_ec);
        c->peer = peer_ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
        self->impl_->connections.insert(c);
        Read(self, c);
      }
      Accept(self);
    });
  }

  static void Read(Gb26875Listener* self, const std::shared_ptr<Connection>& c) {
    c->socket.async_read_some(
        asio::buffer(c->buffer), [self, c](boost::system::error_code ec, size_t n) {
          if (ec) {
            self->impl_->connections.erase(c);
            return;
          }
          c->scanner.Feed(std::string_view(c->buffer.data(), n));
          for (;;) {
            auto s = c->scanner.Next();
            if (s.kind == gb26875::Scanned::Kind::kNeedMore) break;
            c->pending += s.kind == gb26875::Scanned::Kind::kFrame ? self->Handle(s.frame, c->peer)
                                                                   : self->Refuse(s, c->peer);
          }
          Flush(self, c);
          Read(self, c);
        });
  }

  static void Flush(Gb26875Listener* self, const std::shared_ptr<Connection>& c) {
    if (c->writing || c->pending.empty()) return;
    c->sending = std::move(c->pending);
    c->pending.clear();
    c->writing = true;
    asio::async_write(c->socket, asio::buffer(c->sending),
                      [self, c](boost::system::error_code ec, size_t) {
                        c->writing = false;
                        if (ec) {
                          boost::system::error_code ignored;
                          c->socket.close(ignored);
                          return;
                        }
                        Flush(self, c);
                      });
  }
};

Gb26875Listener::Gb26875Listener(alarms::Alarms& alarms, const Clock& clock, std::string listen,
                                 std::vector<PanelMapping> mappings)
    : alarms_(alarms),
      clock_(clock),
      listen_(std::move(listen)),
      mappings_(std::move(mappings)),
      impl_(std::make_unique<Impl>()) {}

Gb26875Listener::~Gb26875Listener() { Stop(); }

Result<void> Gb26875Listener::Start() {
  auto colon = listen_.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Fail(Errc::kInvalidArgument, "--gb26875-listen must be host:port");
  const std::string host = listen_.substr(0, colon), port = listen_.substr(colon + 1);
  try {
    tcp::resolver resolver(impl_->io);
    auto endpoints = resolver.resolve(host, port, tcp::resolver::numeric_service);
    if (endpoints.empty()) return Fail(Errc::kInvalidArgument, "--gb26875-listen: no address");
    tcp::endpoint ep = *endpoints.begin();
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
  } catch (const boost::system::system_error& e) {
    return Fail(Errc::kUnavailable, "--gb26875-listen " + listen_ + ": " + e.what());
  }
  return Ok();
}

void Gb26875Listener::Serve() {
  if (thread_.joinable() || !impl_->acceptor.is_open()) return;
  Impl::Accept(this);
  thread_ = std::thread([this] { impl_->io.run(); });
  std::cout << "zhidu: GB/T 26875.3 receiver listening on " << listen_ << " (" << mappings_.size()
            << " mapped systems/components)" << std::endl;
}

void Gb26875Listener::Stop() {
  if (!thread_.joinable()) return;
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    for (const auto& c : impl_->connections) c->socket.close(ignored);
    impl_->connections.clear();
  });
  thread_.join();
}

std::string Gb26875Listener::Refuse(const gb26875::Scanned& s, const std::string& peer) {
  ++refused_[IndexOf(s.refusal)];
  std::cerr << "zhidu: GB/T 26875.3 frame from " << peer << " refused ("
            << gb26875::RefusalName(s.refusal) << "): " << s.detail << std::endl;
  if (!s.has_header) return "";
  ++denied_;
  auto local = TimeZone::Default().ToLocal(clock_.Now());
  return gb26875::Encode(gb26875::Reply(s.frame, gb26875::Command::kDeny, local));
}

std::string Gb26875Listener::Handle(const gb26875::Frame& frame, const std::string& peer) {
  ++frames_;
  const auto zone = TimeZone::Default();
  const auto local = zone.ToLocal(clock_.Now());
  auto reply = [&](gb26875::Command c) {
    ++(c == gb26875::Command::kConfirm ? confirmed_ : denied_);
    return gb26875::Encode(gb26875::Reply(frame, c, local));
  };
  auto refuse = [&](gb26875::Refusal r, const std::string& why) {
    ++refused_[IndexOf(r)];
    std::cerr << "zhidu: GB/T 26875.3 frame from " << peer << " refused ("
              << gb26875::RefusalName(r) << "): " << why << std::endl;
    return reply(gb26875::Command::kDeny);
  };
  switch (static_cast<gb26875::Command>(frame.command)) {
    case gb26875::Command::kSendData:
      break;
    case gb26875::Command::kConfirm:
    case gb26875::Command::kAnswer:
    case gb26875::Command::kDeny:
      ++answers_;  // answers to commands zhidu never sends
      return "";
    default:
      return refuse(gb26875::Refusal::kBadCommand,
                    "command byte " + std::to_string(frame.command) + " is not 发送数据");
  }
  auto unit = gb26875::DecodeUnit(frame.unit);
  if (!unit) return refuse(gb26875::Refusal::kBadUnit, unit.error().message);
  if (!unit->status) {
    if (unit->type >= 0) ++ignored_units_;
    return reply(gb26875::Command::kConfirm);
  }
  std::vector<alarms::Event> events;
  auto event = [&](const PanelMapping& m, bool active, const gb26875::StatusObject& o) {
    alarms::Event e;
    e.source = m.source;
    e.point = m.point;
    e.state = active ? "active" : "normal";
    if (o.at) e.at = zone.FromLocal(*o.at);
    e.value = StateText(o.state);
    events.push_back(std::move(e));
  };
  for (const auto& o : unit->objects) {
    ++objects_;
    bool mapped = false;
    if (o.operation && !(o.state & gb26875::kOperationReset)) continue;  // 消音, 自检, …
    const bool reset = o.operation || (!o.component && (o.state & gb26875::kSystemReset));
    for (const auto& m : mappings_) {
      if (m.device != frame.source || m.system != o.system_address) continue;
      if (reset) {
        mapped = true;
        event(m, false, o);
      } else if (o.component ? m.component == o.component_address : !m.component) {
        mapped = true;
        event(m, (o.state & m.mask) != 0, o);
      }
    }
    if (!mapped) {
      ++unmapped_;
      std::string key =
          "device " + Hex(frame.source) + " system " + std::to_string(o.system_address) +
          (o.component ? " component " + std::to_string(o.component_address) + " (" +
                             Hex(o.component_address) + ")"
                       : std::string(o.operation ? " (reset operation)" : " (system state)"));
      std::string why = "no --field-devices mapping for " + key + ", " + StateText(o.state);
      std::cerr << "zhidu: GB/T 26875.3 from " << peer << ": unmapped " << key << ", "
                << StateText(o.state) << std::endl;
      alarms_.Reject("gb26875", key, why);
    }
  }
  if (!events.empty()) {
    auto out = alarms_.IngestTrusted(events, "gb26875");
    if (!out) {
      ++ingest_failures_;
      std::cerr << "zhidu: GB/T 26875.3 ingest failed (answered 否认, the device resends): "
                << out.error().message << std::endl;
      return reply(gb26875::Command::kDeny);
    }
    events_ += events.size();
  }
  return reply(gb26875::Command::kConfirm);
}

std::uint64_t Gb26875Listener::refused_total() const {
  std::uint64_t n = 0;
  for (const auto& r : refused_) n += r.load();
  return n;
}

nlohmann::json Gb26875Listener::Counters() const {
  nlohmann::json refused = nlohmann::json::object();
  for (size_t i = 0; i < std::size(gb26875::kAllRefusals); ++i)
    refused[std::string(gb26875::RefusalName(gb26875::kAllRefusals[i]))] = refused_[i].load();
  return {{"listen", listen_},
          {"connections", connections_.load()},
          {"frames_received", frames_.load()},
          {"confirmed", confirmed_.load()},
          {"denied", denied_.load()},
          {"status_objects", objects_.load()},
          {"events_ingested", events_.load()},
          {"unmapped", unmapped_.load()},
          {"ignored_data_units", ignored_units_.load()},
          {"answers_ignored", answers_.load()},
          {"ingest_failures", ingest_failures_.load()},
          {"refused", refused},
          {"refused_total", refused_total()}};
}

}  // namespace zhidu::api
