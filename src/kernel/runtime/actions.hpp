// The action registry: the words a pack's rules use to make a module open a record — a duty's
// `follow_up: {kind: repair}`, a procedure state's `actions: [repair:维修人员]` — and the module
// that answers each word. The runtime names no module: modules register their words at start (the
// repairs module registers `repair`), the way they register timer handlers with the scheduler.
//
// Invariants:
//  1. An action runs in the caller's write transaction; the record it opens commits with the
//     completion or transition that asked for it, or not at all.
//  2. Registration happens only while the server starts (before the first Run); afterwards the
//     table is read-only and Run takes no lock. Registering a word twice is a programmer error.
//  3. Running a word nobody registered fails with kFailedPrecondition naming the word: the pack
//     asks for something this server does not do, and the caller's job rolls back.
#pragma once

#include <cassert>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/types.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

// What a rule asks an action to open, and why.
struct ActionRequest {
  store::Id site_id = 0;
  store::Id post_id = 0;             // the post that reported it (0: none)
  std::string what;                  // the thing concerned (a checklist item's label, a subject)
  std::string description;           // free text for the person who handles it
  std::string source_kind;           // "checklist" | "procedure" | …
  store::Id source_id = 0;           // the duty instance or procedure instance
  std::string source_item;           // the checklist item or procedure state
  std::vector<std::string> clauses;  // the clauses that ask for it
  std::string assign_to;             // the pack role that handles it ("" : the action's default)
  store::Id actor = 0;               // the account that caused it (0: the system)
  store::Id person = 0;              // the actor's person (0: none)
};

class Actions {
 public:
  // Returns the id of the record the action opened.
  using Handler = std::function<Result<store::Id>(store::Tx&, const ActionRequest&)>;

  void Register(const std::string& word, Handler handler) {
    assert(!handlers_.contains(word) && "an action word is registered once");
    handlers_[word] = std::move(handler);
  }
  bool Has(const std::string& word) const { return handlers_.contains(word); }
  // The registered words, sorted (policy check, docs).
  std::vector<std::string> Words() const {
    std::vector<std::string> out;
    for (const auto& [w, _] : handlers_) out.push_back(w);
    return out;
  }
  Result<store::Id> Run(store::Tx& tx, const std::string& word, const ActionRequest& r) const {
    auto it = handlers_.find(word);
    if (it == handlers_.end())
      return Fail(Errc::kFailedPrecondition, "the policy pack asks for the action \"" + word +
                                                 "\", which no module of this server performs");
    return it->second(tx, r);
  }

 private:
  std::map<std::string, Handler> handlers_;
};

}  // namespace zhidu::runtime
