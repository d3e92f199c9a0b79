#include "api/notify_stream.hpp"

#include <nlohmann/json.hpp>

#include "api/api_internal.hpp"

namespace zhidu::api {

using nlohmann::json;

namespace {

// The integer field `key` of `payload`, 0 when absent or not an integer.
store::Id IdField(const json& payload, const char* key) {
  auto it = payload.find(key);
  return it != payload.end() && it->is_number_integer() ? it->get<store::Id>() : 0;
}

}  // namespace

bool VisibleTo(const store::JournalRecord& record, const org::Principal& who,
               const org::RoleCatalogue& roles) {
  if (who.account_id == 0) return false;
  json payload = json::parse(record.payload, nullptr, false);
  const bool object = payload.is_object();
  const org::Scope scope{object ? IdField(payload, "site_id") : 0,
                         object ? IdField(payload, "department_id") : 0};
  if (roles.Allows(who, org::perm::kJournalRead, scope)) return true;
  const bool own_account = object && IdField(payload, "account_id") == who.account_id;
  if (record.kind.starts_with("auth."))
    return own_account || record.subject == "account/" + std::to_string(who.account_id);
  if (!object) return false;
  if (own_account) return true;
  if (who.person_id != 0 && IdField(payload, "person_id") == who.person_id) return true;
  // The other people concerned (a handover's outgoing and incoming), by person id.
  if (auto people = payload.find("notify_people");
      who.person_id != 0 && people != payload.end() && people->is_array())
    for (const auto& p : *people)
      if (p.is_number_integer() && p.get<store::Id>() == who.person_id) return true;
  auto notify = payload.find("notify_roles");
  if (notify == payload.end() || !notify->is_array()) return false;
  for (const auto& grant : who.roles) {
    if (!org::GrantCovers(grant, scope)) continue;
    for (const auto& role : *notify)
      if (role.is_string() && role.get_ref<const std::string&>() == grant.role) return true;
  }
  return false;
}

std::string EventJson(const store::JournalRecord& record) {
  json payload = json::parse(record.payload, nullptr, false);
  json out = {{"id", record.seq},
              {"at", Timestamp(record.at)},
              {"kind", record.kind},
              {"subject", record.subject},
              {"payload", payload.is_discarded() ? json(record.payload) : payload}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Everything the cursor hands out was either sent or judged invisible; the cursor guarantees
// nothing is skipped or repeated.
class StreamService::JournalStream final : public Stream {
 public:
  JournalStream(StreamService& service, org::Principal who,
                std::unique_ptr<notify::JournalCursor> cursor, std::string close_reason)
      : service_(service),
        who_(std::move(who)),
        cursor_(std::move(cursor)),
        close_reason_(std::move(close_reason)) {}
  ~JournalStream() override {
    if (close_reason_.empty()) service_.Release(who_.account_id);
  }

  void SetWaker(std::function<void()> wake) override {
    if (cursor_) cursor_->SetWaker(std::move(wake));
  }

  StreamBatch Poll() override {
    StreamBatch out;
    if (!close_reason_.empty()) {
      out.close_reason = close_reason_;
      return out;
    }
    auto records = cursor_->Next(out.more);
    if (!records) {
      out.close_reason =
          "store unavailable; reconnect with after=" + std::to_string(cursor_->last());
      return out;
    }
    for (const auto& record : *records)
      if (VisibleTo(*record, who_, service_.roles_)) out.messages.push_back(EventJson(*record));
    service_.events_sent_ += out.messages.size();
    return out;
  }

 private:
  StreamService& service_;
  const org::Principal who_;
  std::unique_ptr<notify::JournalCursor> cursor_;  // null when refused
  std::string close_reason_;  // not empty: refused (over the per-account limit)
};

StreamService::StreamService(store::Store& store, notify::EventFeed& feed,
                             const org::RoleCatalogue& roles, StreamOptions options)
    : store_(store), feed_(feed), roles_(roles), options_(options) {}

Result<std::unique_ptr<Stream>> StreamService::Open(const org::Principal& who,
                                                    std::optional<std::int64_t> after) {
  {
    std::lock_guard lock(mu_);
    int& n = open_[who.account_id];
    if (n >= options_.max_per_account) {
      if (n == 0) open_.erase(who.account_id);
      return std::unique_ptr<Stream>(
          std::make_unique<JournalStream>(*this, who, nullptr,
                                          "too many streams for this account (at most " +
                                              std::to_string(options_.max_per_account) + ")"));
    }
    ++n;
  }
  // Subscribe before reading the head, so that nothing committed in between is missed.
  auto sub = feed_.Subscribe();
  auto fail = [&](Error e) -> Result<std::unique_ptr<Stream>> {
    Release(who.account_id);
    return Fail(std::move(e));
  };
  auto unit = store_.BeginRead();
  if (!unit) return fail(unit.error());
  auto head = (*unit)->ReadJournalHead();
  if (!head) return fail(head.error());
  if (after && (*after < 0 || *after > head->seq))
    return fail({Errc::kInvalidArgument,
                 "after=" + std::to_string(*after) + " is not an event id of this server (head " +
                     std::to_string(head->seq) + ")",
                 "after"});
  std::int64_t last = after ? *after : head->seq;
  auto cursor =
      std::make_unique<notify::JournalCursor>(store_, std::move(sub), last, options_.replay_page);
  return std::unique_ptr<Stream>(
      std::make_unique<JournalStream>(*this, who, std::move(cursor), ""));
}

int StreamService::open_streams() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& [_, count] : open_) n += count;
  return n;
}

void StreamService::Release(store::Id account_id) {
  std::lock_guard lock(mu_);
  auto it = open_.find(account_id);
  if (it != open_.end() && --it->second <= 0) open_.erase(it);
}

}  // namespace zhidu::api
