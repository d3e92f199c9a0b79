// 常用回复 (canned replies, issue 18 §2; service.hpp CannedReply): the site's and each queue's
// templates, written by a supervisor of the queue, read at the agent desk to fill a reply. Every
// change is journaled in its transaction (service.canned.saved / .deleted).
#include <algorithm>

#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

namespace {

std::string CannedRef(store::Id id) { return "canned/" + std::to_string(id); }

constexpr const char* kCannedColumns =
    "SELECT c.id, c.site_id, c.queue_post_id, COALESCE(p.name, ''), c.title, c.body, "
    "c.updated_by, c.updated_at FROM service_canned_replies c "
    "LEFT JOIN posts p ON p.id = c.queue_post_id ";

CannedReply MapCanned(const store::SqlRow& r) {
  CannedReply v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.queue_post_id = r.Int(2);
  v.queue = r.Text(3);
  v.title = r.Text(4);
  v.body = r.Text(5);
  v.updated_by = r.Int(6);
  v.updated_at = r.Time(7);
  return v;
}

Result<std::optional<CannedReply>> FindCanned(store::Sql& sql, store::Id id) {
  std::optional<CannedReply> found;
  ZHIDU_TRY_VOID(sql.Query("get canned reply", std::string(kCannedColumns) + "WHERE c.id = ?", {id},
                           [&](const store::SqlRow& r) { found = MapCanned(r); }));
  return found;
}

Error Unknown(store::Id id) {
  return Error{Errc::kNotFound, "canned reply " + std::to_string(id) + " does not exist", "",
               "service.unknown_canned_reply"};
}

CanonicalObject CannedPayload(const CannedReply& v) {
  CanonicalObject o;
  o.Add("id", v.id)
      .Add("site_id", v.site_id)
      .Add("queue_post_id", v.queue_post_id)
      .Add("queue", v.queue)
      .Add("title", v.title);
  return o;
}

}  // namespace

bool Service::KeepsCanned(const org::Principal& who, store::Id site_id,
                          const std::string& queue) const {
  if (!queue.empty()) return Supervises(who, site_id, queue);
  auto pack = pack_.Current();
  return pack && std::ranges::any_of(pack->posts(),
                                     [&](const auto& p) { return Supervises(who, site_id, p.id); });
}

Result<CannedReply> Service::SaveCannedReply(const org::Principal& who, CannedReply in) {
  ZHIDU_TRY_VOID(CheckText(in.title, "title", true, kMaxCannedTitle));
  ZHIDU_TRY_VOID(CheckText(in.body, "body", true, kMaxBody));
  auto id = writer_.Run<store::Id>([&](store::Tx& tx) -> Result<store::Id> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    bool update = in.id != 0;
    if (update) {  // the site and queue stay; title and body change
      ZHIDU_TRY(auto was, FindCanned(sql, in.id));
      if (!was || !org::HoldsRoleAt(who, {was->site_id, 0})) return Fail(Unknown(in.id));
      in.site_id = was->site_id;
      in.queue_post_id = was->queue_post_id;
      in.queue = was->queue;
    } else {
      ZHIDU_TRY_VOID(MayWorkAt(who, in.site_id, "writing canned replies"));
    }
    if (!update && in.queue_post_id) {
      ZHIDU_TRY(in.queue, QueueName(unit, in.site_id, in.queue_post_id));
    }
    if (!KeepsCanned(who, in.site_id, in.queue))
      return Fail(Errc::kPermissionDenied, Reason{"service.canned_denied"},
                  in.queue_post_id
                      ? "only a supervisor of the queue " + in.queue + " writes its canned replies"
                      : "only a supervisor of a queue of the site writes the site's "
                        "canned replies");
    ZHIDU_TRY(auto taken,
              sql.Many<store::Id>("find canned title",
                                  "SELECT id FROM service_canned_replies WHERE site_id=? AND "
                                  "queue_post_id=? AND title=? AND id<>?",
                                  {in.site_id, in.queue_post_id, in.title, in.id},
                                  [](const store::SqlRow& r) { return r.Int(0); }));
    if (!taken.empty())
      return Fail(Errc::kConflict, Reason{"service.canned_title_taken"},
                  "a canned reply titled \"" + in.title + "\" exists already", "title");
    in.updated_by = who.account_id;
    in.updated_at = tx.now();
    if (update) {
      ZHIDU_TRY(auto changed,
                sql.Exec("update canned reply",
                         "UPDATE service_canned_replies SET title=?, body=?, updated_by=?, "
                         "updated_at=? WHERE id=?",
                         {in.title, in.body, in.updated_by, store::SqlTime(in.updated_at), in.id}));
      if (changed != 1) return Fail(Unknown(in.id));
    } else {
      ZHIDU_TRY(in.id, sql.Insert("insert canned reply",
                                  "INSERT INTO service_canned_replies(site_id, queue_post_id, "
                                  "title, body, updated_by, updated_at) VALUES(?,?,?,?,?,?) "
                                  "RETURNING id",
                                  {in.site_id, in.queue_post_id, in.title, in.body, in.updated_by,
                                   store::SqlTime(in.updated_at)}));
    }
    ZHIDU_TRY(auto seq, tx.Journal("service.canned.saved", who.account_id, CannedRef(in.id),
                                   CannedPayload(in).Add("created", !update).Str()));
    (void)seq;
    return in.id;
  });
  if (!id) return Fail(id.error());
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto saved, FindCanned(unit->sql(), *id));
  if (!saved) return Fail(Unknown(*id));
  return *saved;
}

Result<void> Service::DeleteCannedReply(const org::Principal& who, store::Id id) {
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(auto was, FindCanned(sql, id));
    if (!was || !org::HoldsRoleAt(who, {was->site_id, 0})) return Fail(Unknown(id));
    if (!KeepsCanned(who, was->site_id, was->queue))
      return Fail(Errc::kPermissionDenied, Reason{"service.canned_denied"},
                  "only a supervisor of the queue deletes its canned replies");
    ZHIDU_TRY(auto changed, sql.Exec("delete canned reply",
                                     "DELETE FROM service_canned_replies WHERE id=?", {id}));
    if (changed != 1) return Fail(Unknown(id));
    ZHIDU_TRY(auto seq, tx.Journal("service.canned.deleted", who.account_id, CannedRef(id),
                                   CannedPayload(*was).Str()));
    (void)seq;
    return true;
  });
  if (!done) return Fail(done.error());
  return Ok();
}

Result<std::vector<CannedReply>> Service::ListCannedReplies(const org::Principal& who,
                                                            store::Id site_id,
                                                            store::Id queue_post_id) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id, "reading canned replies"));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->sql().Many<CannedReply>(
      "list canned replies",
      std::string(kCannedColumns) +
          "WHERE c.site_id = ? AND (c.queue_post_id = 0 OR c.queue_post_id = ?) "
          "ORDER BY c.queue_post_id DESC, c.title, c.id LIMIT 500",
      {site_id, queue_post_id}, MapCanned);
}

}  // namespace zhidu::service
