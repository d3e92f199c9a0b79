// Live notifications over WebSocket (GET /api/v1/stream): who may see which journal record, how
// an event is rendered, and the Stream that replays from the store and then follows the EventFeed.
// See docs/notifications.md for the payload convention the audience filter reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/http.hpp"
#include "kernel/notify/event_feed.hpp"
#include "kernel/org/principal.hpp"
#include "store/store.hpp"

namespace zhidu::api {

// Whether `who` may see `record`:
//  (a) `who` holds journal.read in a grant covering the payload's site_id/department_id (a
//      global grant covers every record), or
//  (b) the payload's "account_id" is who's account or its "person_id" is who's person, or
//  (c) the payload's "notify_roles" names a role `who` holds in a grant covering its site_id
//      (department_id); a global grant covers every site.
// Records of kind "auth.*" only under (a) or when they concern who's own account (subject
// "account/<id>" or payload account_id). A payload that is not a JSON object only under (a).
bool VisibleTo(const store::JournalRecord& record, const org::Principal& who,
               const org::RoleCatalogue& roles);

// One stream message: {"id":seq,"at":ISO 8601,"kind","subject","payload":{…}}.
std::string EventJson(const store::JournalRecord& record);

struct StreamOptions {
  int max_per_account = 8;  // more concurrent streams of one account are closed at once (1008)
  int replay_page = 256;    // records read from the store per Poll while catching up
};

// Opens streams for authenticated principals. Thread-safe. The feed, store and roles must
// outlive every stream it opened.
class StreamService {
 public:
  StreamService(store::Store& store, notify::EventFeed& feed, const org::RoleCatalogue& roles,
                StreamOptions options = {});
  // `after`: the last event id the client saw; nullopt: start at the current journal head.
  // kInvalidArgument when `after` is beyond the head.
  Result<std::unique_ptr<Stream>> Open(const org::Principal& who,
                                       std::optional<std::int64_t> after);

  std::uint64_t events_sent() const { return events_sent_.load(); }
  int open_streams() const;

 private:
  class JournalStream;
  friend class JournalStream;
  void Release(store::Id account_id);

  store::Store& store_;
  notify::EventFeed& feed_;
  const org::RoleCatalogue& roles_;
  const StreamOptions options_;
  mutable std::mutex mu_;
  std::map<store::Id, int> open_;  // guarded by mu_; streams per account
  std::atomic<std::uint64_t> events_sent_{0};
};

}  // namespace zhidu::api
