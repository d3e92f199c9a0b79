#include "modules/alarms/modbus_poller.hpp"

#include <modbus/modbus.h>

#include <cerrno>
#include <iostream>

namespace zhidu::api {

namespace {

std::string Where(const ModbusPoll& c) {
  return c.host + ":" + std::to_string(c.port) + " unit " + std::to_string(c.unit) + " " + c.table +
         " " + std::to_string(c.address) + " (" + c.source + "/" + c.point + ")";
}

}  // namespace

ModbusPoller::ModbusPoller(alarms::Alarms& alarms, std::vector<ModbusPoll> polls)
    : alarms_(alarms) {
  for (auto& c : polls) {
    Poll p;
    p.config = std::move(c);
    polls_.push_back(std::move(p));
  }
}

ModbusPoller::~ModbusPoller() {
  Stop();
  for (auto& p : polls_)
    if (p.ctx) {
      modbus_close(p.ctx);
      modbus_free(p.ctx);
      p.ctx = nullptr;
    }
}

Result<void> ModbusPoller::Start() {
  if (polls_.empty() || thread_.joinable()) return Ok();
  auto now = std::chrono::steady_clock::now();
  for (auto& p : polls_) p.next = now;
  thread_ = std::thread([this] { Run(); });
  std::cout << "zhidu: Modbus TCP polling " << polls_.size() << " points" << std::endl;
  return Ok();
}

void ModbusPoller::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ModbusPoller::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    Poll* due = &polls_.front();
    for (auto& p : polls_)
      if (p.next < due->next) due = &p;
    if (wake_.wait_until(lock, due->next, [this] { return stop_; })) break;
    lock.unlock();
    PollOnce(*due);  // network I/O outside the lock
    lock.lock();
    due->next = std::max(due->next + std::chrono::milliseconds(due->config.interval_ms),
                         std::chrono::steady_clock::now());
  }
}

void ModbusPoller::PollOnce(Poll& p) {
  const auto& c = p.config;
  std::string error;
  long value = 0;
  if (!p.ctx) {
    p.ctx = modbus_new_tcp_pi(c.host.c_str(), std::to_string(c.port).c_str());
    if (p.ctx && modbus_set_slave(p.ctx, c.unit) == 0 && modbus_connect(p.ctx) == 0) {
      // connected
    } else {
      error = std::string("connect: ") + modbus_strerror(errno);
      if (p.ctx) modbus_free(p.ctx);
      p.ctx = nullptr;
    }
  }
  if (p.ctx) {
    int rc = -1;
    if (c.table == "coil" || c.table == "discrete_input") {
      std::uint8_t bit = 0;
      rc = c.table == "coil" ? modbus_read_bits(p.ctx, c.address, 1, &bit)
                             : modbus_read_input_bits(p.ctx, c.address, 1, &bit);
      value = bit;
    } else {
      std::uint16_t reg = 0;
      rc = c.table == "holding_register" ? modbus_read_registers(p.ctx, c.address, 1, &reg)
                                         : modbus_read_input_registers(p.ctx, c.address, 1, &reg);
      value = reg;
    }
    if (rc != 1) {
      error = std::string("read: ") + modbus_strerror(errno);
      // A Modbus exception leaves the connection usable; anything else: connect again next time.
      if (errno < static_cast<int>(MODBUS_ENOBASE) || errno > static_cast<int>(EMBMDATA)) {
        modbus_close(p.ctx);
        modbus_free(p.ctx);
        p.ctx = nullptr;
      }
    }
  }
  std::optional<bool> feed;
  {
    std::lock_guard lock(mu_);
    if (!error.empty()) {
      ++p.errors;
      if (p.last_error.empty())
        std::cerr << "zhidu: Modbus poll of " << Where(c) << " failing: " << error << std::endl;
      p.last_error = error;
      return;
    }
    ++p.reads;
    if (!p.last_error.empty())
      std::cerr << "zhidu: Modbus poll of " << Where(c) << " reads again" << std::endl;
    p.last_error.clear();
    p.value = value;
    bool active = c.ActiveFor(value);
    if (p.active != active) feed = active;
  }
  if (!feed) return;
  alarms::Event e;
  e.source = c.source;
  e.point = c.point;
  e.state = *feed ? "active" : "normal";
  e.value = std::to_string(value);
  auto out = alarms_.IngestTrusted({e}, "modbus");
  std::lock_guard lock(mu_);
  if (!out) {
    ++p.errors;
    p.last_error = "ingest: " + out.error().message;
    std::cerr << "zhidu: Modbus poll of " << Where(c) << ": " << p.last_error << std::endl;
    return;  // p.active unchanged: fed again at the next reading
  }
  p.active = *feed;
  ++p.changes;
}

std::uint64_t ModbusPoller::errors_total() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& p : polls_) n += p.errors;
  return n;
}

nlohmann::json ModbusPoller::Counters() const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : polls_) {
    const auto& c = p.config;
    out.push_back({{"source", c.source},
                   {"point", c.point},
                   {"host", c.host},
                   {"port", c.port},
                   {"unit", c.unit},
                   {"table", c.table},
                   {"address", c.address},
                   {"interval_ms", c.interval_ms},
                   {"reads", p.reads},
                   {"errors", p.errors},
                   {"changes", p.changes},
                   {"value", p.value ? nlohmann::json(*p.value) : nlohmann::json(nullptr)},
                   {"active", p.active ? nlohmann::json(*p.active) : nlohmann::json(nullptr)},
                   {"last_error", p.last_error.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(p.last_error)}});
  }
  return out;
}

}  // namespace zhidu::api
