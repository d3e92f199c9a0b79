// The in-transaction event bus: how one module tells others that something happened, inside the
// unit of work that made it happen.
//
//   // at start (a module's Start):   bus.Subscribe<alarms::PointActivated>("fire", handler);
//   // in a write job:                ZHIDU_TRY_VOID(bus.Emit(tx, alarms::PointActivated{...}));
//
// Invariants:
//  1. Subscribers run synchronously, in subscription order, inside the emitter's transaction:
//     their writes commit or roll back with the emitter's. The first error stops the emission and
//     is returned to the emitter, whose job then fails as a whole (the writer's savepoint).
//  2. Subscriptions are made only while the server starts, before the first Emit; after that the
//     table is read-only, so Emit takes no lock and is safe from any writer or reader thread.
//     Subscribing after the first Emit is a programmer error (asserted).
//  3. Events are plain structs keyed by their C++ type; an event with no subscriber is a no-op.
#pragma once

#include <atomic>
#include <cassert>
#include <functional>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

class EventBus {
 public:
  template <class Event>
  using Handler = std::function<Result<void>(store::Tx&, const Event&)>;

  // `who` names the subscriber in errors ("repairs", "procedures").
  template <class Event>
  void Subscribe(std::string who, Handler<Event> handler) {
    assert(!frozen_.load(std::memory_order_relaxed) && "subscribe before the first Emit");
    subscribers_[std::type_index(typeid(Event))].push_back(
        {std::move(who), [h = std::move(handler)](store::Tx& tx, const void* e) {
           return h(tx, *static_cast<const Event*>(e));
         }});
  }

  template <class Event>
  Result<void> Emit(store::Tx& tx, const Event& event) const {
    frozen_.store(true, std::memory_order_relaxed);
    auto it = subscribers_.find(std::type_index(typeid(Event)));
    if (it == subscribers_.end()) return Ok();
    for (const auto& s : it->second) ZHIDU_TRY_VOID(s.run(tx, &event));
    return Ok();
  }

  // How many subscribers `Event` has (tests, /metrics).
  template <class Event>
  size_t SubscriberCount() const {
    auto it = subscribers_.find(std::type_index(typeid(Event)));
    return it == subscribers_.end() ? 0 : it->second.size();
  }

 private:
  struct Subscriber {
    std::string who;
    std::function<Result<void>(store::Tx&, const void*)> run;
  };
  std::unordered_map<std::type_index, std::vector<Subscriber>> subscribers_;
  mutable std::atomic<bool> frozen_{false};
};

}  // namespace zhidu::runtime
