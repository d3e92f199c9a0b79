#include "modules/lostfound/lostfound.hpp"

#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/photos/photos.hpp"
#include "kernel/policy/rule_names.hpp"

namespace zhidu::lostfound {

namespace {

// The pack's record this register keeps: id `lost-and-found`, or ending in `-lost-and-found`
// (cn-default: r07-lost-and-found).
constexpr std::string_view kNames[] = {"found", "handed_in", "returned", "disposed"};

std::string Ref(store::Id id) { return "lost-item/" + std::to_string(id); }

bool MaySee(const org::Principal& who, store::Id site_id) {
  return org::HoldsRoleAt(who, {site_id, 0});
}

Result<void> Text(const std::string& value, const char* field, bool required) {
  return CheckText(value, field, required, kMaxText);
}

CanonicalObject Payload(const Item& v, const std::vector<std::string>& clauses) {
  CanonicalObject o;
  o.Add("id", v.id)
      .Add("site_id", v.site_id)
      .Add("place", v.place)
      .Add("description", v.description)
      .Add("state", StateName(v.state))
      .AddRaw("clauses", JsonStringArray(clauses));
  return o;
}

}  // namespace

std::string_view StateName(State s) { return kNames[static_cast<int>(s)]; }

Result<State> ParseState(std::string_view name) {
  for (int i = 0; i < 4; ++i)
    if (kNames[i] == name) return static_cast<State>(i);
  return Fail(
      Errc::kInvalidArgument,
      "state must be found, handed_in, returned or disposed, not \"" + std::string(name) + "\"",
      "state");
}

std::vector<std::string> LostAndFound::Clauses() const {
  auto pack = pack_.Current();
  return pack ? policy::ClausesOfRule(pack->records(), kRecordName) : std::vector<std::string>{};
}

Result<Item> LostAndFound::Register(const org::Principal& who, const NewItem& in) {
  if (in.site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!MaySee(who, in.site_id))
    return Fail(Errc::kPermissionDenied,
                "registering a lost item needs a role at site " + std::to_string(in.site_id));
  ZHIDU_TRY_VOID(Text(in.place, "place", true));
  ZHIDU_TRY_VOID(Text(in.description, "description", true));
  ZHIDU_TRY_VOID(Text(in.found_by, "found_by", false));
  if (!in.photo.empty() && !photos::IsSha256Hex(in.photo))
    return Fail(Errc::kInvalidArgument, "photo must be the SHA-256 of an uploaded photo", "photo");
  auto clauses = Clauses();
  return writer_.Run<Item>([&](store::Tx& tx) -> Result<Item> {
    ZHIDU_TRY(auto site, tx.unit().GetSite(in.site_id));
    (void)site;
    if (!in.photo.empty()) {
      auto photo = tx.unit().GetPhoto(in.photo, false);
      if (!photo && photo.error().code == Errc::kNotFound)
        return Fail(Errc::kInvalidArgument, "photo " + in.photo + " is not stored: upload it first",
                    "photo");
      if (!photo) return Fail(photo.error());
    }
    Item v;
    v.site_id = in.site_id;
    v.place = in.place;
    v.description = in.description;
    v.photo = in.photo;
    v.found_by = in.found_by;
    v.found_at = in.found_at == TimePoint{} ? tx.now() : in.found_at;
    if (v.found_at > tx.now())
      return Fail(Errc::kInvalidArgument, "found_at is in the future", "found_at");
    v.registered_by = who.account_id;
    ZHIDU_TRY(v.id, db::Insert(tx.unit().sql(), v));
    ZHIDU_TRY(auto seq, tx.Journal("lostfound.item.registered", who.account_id, Ref(v.id),
                                   Payload(v, clauses)
                                       .Add("found_at", FormatIso8601Utc(v.found_at))
                                       .Add("found_by", v.found_by)
                                       .Str()));
    (void)seq;
    return v;
  });
}

Result<Item> LostAndFound::Move(const org::Principal& who, store::Id id, State from, State to,
                                const char* journal_kind,
                                const std::function<Result<void>(Item&, TimePoint)>& change) {
  auto clauses = Clauses();
  return writer_.Run<Item>([&](store::Tx& tx) -> Result<Item> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Item v, db::Get(sql, id));
    if (!MaySee(who, v.site_id))
      return Fail(Errc::kNotFound, "lost item " + std::to_string(id) + " does not exist");
    if (v.state != from) {
      std::string why = "lost item " + std::to_string(id) + " is " +
                        std::string(StateName(v.state)) + ", not " + std::string(StateName(from));
      // Invariant 1: 上缴 first.
      if (v.state == State::kFound)
        why += ": hand it in first (客户遗留物品均应上缴" +
               (clauses.empty() ? std::string() : "，" + Join(clauses, "、")) + ")";
      return Fail(Errc::kFailedPrecondition, why);
    }
    v.state = to;
    ZHIDU_TRY_VOID(change(v, tx.now()));
    ZHIDU_TRY_VOID(db::Update(sql, v, from));
    auto payload = Payload(v, clauses);
    payload.Add("handed_to", v.handed_to)
        .Add("owner_name", v.owner_name)
        .Add("owner_phone", v.owner_phone)
        .Add("note", v.note);
    ZHIDU_TRY(auto seq, tx.Journal(journal_kind, who.account_id, Ref(v.id), payload.Str()));
    (void)seq;
    return v;
  });
}

Result<Item> LostAndFound::HandIn(const org::Principal& who, store::Id id, const std::string& to) {
  ZHIDU_TRY_VOID(Text(to, "to", true));
  return Move(who, id, State::kFound, State::kHandedIn, "lostfound.item.handed_in",
              [&](Item& v, TimePoint now) -> Result<void> {
                v.handed_to = to;
                v.handed_by = who.account_id;
                v.handed_at = now;
                return Ok();
              });
}

Result<Item> LostAndFound::Return(const org::Principal& who, store::Id id,
                                  const std::string& owner_name, const std::string& owner_phone,
                                  const std::string& note) {
  ZHIDU_TRY_VOID(Text(owner_name, "owner_name", true));
  ZHIDU_TRY_VOID(Text(owner_phone, "owner_phone", true));
  ZHIDU_TRY_VOID(Text(note, "note", false));
  return Move(who, id, State::kHandedIn, State::kReturned, "lostfound.item.returned",
              [&](Item& v, TimePoint now) -> Result<void> {
                v.owner_name = owner_name;
                v.owner_phone = owner_phone;
                v.note = note;
                v.closed_by = who.account_id;
                v.closed_at = now;
                return Ok();
              });
}

Result<Item> LostAndFound::Dispose(const org::Principal& who, store::Id id,
                                   const std::string& note) {
  ZHIDU_TRY_VOID(Text(note, "note", true));  // how, and on whose decision
  return Move(who, id, State::kHandedIn, State::kDisposed, "lostfound.item.disposed",
              [&](Item& v, TimePoint now) -> Result<void> {
                v.note = note;
                v.closed_by = who.account_id;
                v.closed_at = now;
                return Ok();
              });
}

Result<Item> LostAndFound::Get(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Item v, db::Get(unit->sql(), id));
  if (!MaySee(who, v.site_id))
    return Fail(Errc::kNotFound, "lost item " + std::to_string(id) + " does not exist");
  return v;
}

Result<std::vector<Item>> LostAndFound::List(const org::Principal& who, const Filter& f,
                                             store::PageRequest page) {
  if (f.site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!MaySee(who, f.site_id))
    return Fail(
        Errc::kPermissionDenied,
        "reading the lost-and-found register needs a role at site " + std::to_string(f.site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::List(unit->sql(), f, page);
}

}  // namespace zhidu::lostfound
