// Lost and found (失物招领): what guests leave behind is registered, handed in (上缴) and returned
// to its owner (认领) or disposed of — R07 §三10 "客户遗留下的任何物品均应上缴". The first module
// written on the module kit: its table, statements, rules and routes live in this folder only
// (docs/architecture.md, "How to add a module").
//
// The pack's part: a record with id `lost-and-found` (or ending in `-lost-and-found`, as
// cn-default's r07-lost-and-found) gives the clauses every step cites; without one the register
// still works and cites nothing.
//
// Invariants:
//  1. found -> handed_in -> returned | disposed; nothing else. An item is returned or disposed of
//     only after it was handed in (上缴 first), and a closed item never changes again.
//  2. Every step is journaled in the transaction that makes it (lostfound.item.*).
//  3. Anyone holding a role at the item's site may register, hand in, return and read; the
//     journal names who did each step. Returning records the owner's name and phone.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::lostfound {

// The pack record this register is (policy::RuleNamed: cn-default's r07-lost-and-found).
inline constexpr std::string_view kRecordName = "lost-and-found";

enum class State { kFound, kHandedIn, kReturned, kDisposed };
std::string_view StateName(State s);
// kInvalidArgument for an unknown name.
Result<State> ParseState(std::string_view name);

struct Item {
  store::Id id = 0;
  store::Id site_id = 0;
  std::string place;        // where it was found (客户休息室 3 号沙发)
  std::string description;  // what it is
  std::string photo;        // SHA-256 of a stored photo, or empty
  TimePoint found_at;
  std::string found_by;         // who found it, as told (a guest, a cleaner, …)
  store::Id registered_by = 0;  // account
  State state = State::kFound;
  std::string handed_to;  // 上缴: to whom
  store::Id handed_by = 0;
  TimePoint handed_at;
  std::string owner_name;  // 认领
  std::string owner_phone;
  store::Id closed_by = 0;  // returned or disposed by (account)
  TimePoint closed_at;
  std::string note;
};

struct NewItem {
  store::Id site_id = 0;
  std::string place, description, photo, found_by;
  TimePoint found_at;  // epoch: now
};

struct Filter {
  store::Id site_id = 0;
  std::optional<State> state;
};

// The register's table and statements (lostfound_store.cpp), written once for both backends.
std::vector<store::Migration> Migrations();
namespace db {
Result<store::Id> Insert(store::Sql& sql, const Item& v);
Result<Item> Get(store::Sql& sql, store::Id id);
// Moves the item from `from` (compare-and-set) and writes every mutable field;
// kFailedPrecondition when it is no longer in `from`.
Result<void> Update(store::Sql& sql, const Item& v, State from);
// Keyset page by id, ascending.
Result<std::vector<Item>> List(store::Sql& sql, const Filter& f, store::PageRequest page);
}  // namespace db

// Field limits (bytes of UTF-8).
inline constexpr size_t kMaxText = 500;

class LostAndFound {
 public:
  LostAndFound(store::Store& store, store::Writer& writer, const policy::ActivePack& pack)
      : store_(store), writer_(writer), pack_(pack) {}

  Result<Item> Register(const org::Principal& who, const NewItem& in);
  Result<Item> HandIn(const org::Principal& who, store::Id id, const std::string& to);
  Result<Item> Return(const org::Principal& who, store::Id id, const std::string& owner_name,
                      const std::string& owner_phone, const std::string& note);
  Result<Item> Dispose(const org::Principal& who, store::Id id, const std::string& note);
  Result<Item> Get(const org::Principal& who, store::Id id);
  Result<std::vector<Item>> List(const org::Principal& who, const Filter& f,
                                 store::PageRequest page);
  // The clauses every step cites: the pack's `lost-and-found` record's (empty without one).
  std::vector<std::string> Clauses() const;

 private:
  Result<Item> Move(const org::Principal& who, store::Id id, State from, State to,
                    const char* journal_kind,
                    const std::function<Result<void>(Item&, TimePoint)>& change);

  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
};

}  // namespace zhidu::lostfound
