#include "modules/dutylog/dutylog.hpp"

#include <algorithm>
#include <map>

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "modules/dutylog/dutylog_store.hpp"
#include "store/text_search.hpp"

namespace zhidu::dutylog {

namespace {
constexpr std::string_view kDutyManage = "duty.manage";  // kernel/runtime/duties.hpp
}  // namespace

const std::vector<std::string>& Kinds() {
  static const std::vector<std::string> kKinds = {
      "routine", "abnormal", "instruction", "equipment", "visitor", "alarm", "call", "correction"};
  return kKinds;
}

std::string KindLabel(std::string_view kind) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kLabels = {
      {"routine", "日常"}, {"abnormal", "异常"}, {"instruction", "指令"}, {"equipment", "设备"},
      {"visitor", "来访"}, {"alarm", "报警"},    {"call", "报警电话"},    {"correction", "更正"}};
  for (const auto& [k, label] : kLabels)
    if (k == kind) return std::string(label);
  return std::string(kind);
}

DutyLog::DutyLog(store::Store& store, store::Writer& writer, const org::RoleCatalogue& roles,
                 const policy::ActivePack& pack)
    : store_(store), writer_(writer), roles_(roles), pack_(pack) {}

Result<store::DutyLogEntry> DutyLog::AppendInTx(store::Tx& tx, store::DutyLogEntry e) {
  auto terms = store::TermsOf(e.text);
  e.index_bigrams = std::move(terms.bigrams);
  e.index_tokens = std::move(terms.tokens);
  if (e.last_at == TimePoint{}) e.last_at = e.at;
  ZHIDU_TRY(e.id, db::InsertDutyLogEntry(tx, e));
  CanonicalObject payload;
  payload.Add("id", e.id).Add("site_id", e.site_id).Add("post_id", e.post_id).Add("kind", e.kind);
  payload.Add("text", e.text).Add("author_person", e.author_person);
  if (e.corrects) payload.Add("corrects", e.corrects);
  if (!e.ref.empty()) payload.Add("ref", e.ref);
  if (e.occurred_at != TimePoint{}) payload.Add("occurred_at", FormatIso8601Utc(e.occurred_at));
  ZHIDU_TRY(auto seq, tx.Journal("dutylog.entry.created", e.author,
                                 "dutylog/" + std::to_string(e.id), payload.Str()));
  (void)seq;
  e.index_bigrams.clear();
  e.index_tokens.clear();
  return e;
}

Result<store::DutyLogEntry> DutyLog::Append(const org::Principal& who, const NewEntry& in) {
  const auto& kinds = Kinds();
  if (std::find(kinds.begin(), kinds.end(), in.kind) == kinds.end())
    return Fail(Errc::kInvalidArgument,
                "kind must be one of routine, abnormal, instruction, equipment, visitor, call, "
                "correction",
                "kind");
  if (in.kind == "alarm")
    return Fail(Errc::kInvalidArgument, "alarm entries are written by the alarm system", "kind");
  if (in.text.empty() || in.text.size() > kMaxTextBytes)
    return Fail(Errc::kInvalidArgument, "text must have 1 to 4000 bytes", "text");
  if (in.kind == "correction" && in.corrects == 0)
    return Fail(Errc::kInvalidArgument, "a correction names the entry it corrects", "corrects");
  if (in.kind != "correction" && in.corrects != 0)
    return Fail(Errc::kInvalidArgument, "only a correction entry names an entry it corrects",
                "corrects");
  if (in.ref.size() > 200)
    return Fail(Errc::kInvalidArgument, "ref is longer than 200 bytes", "ref");
  const bool manager = roles_.Allows(who, kDutyManage, {in.site_id, 0});
  return writer_.Run<store::DutyLogEntry>([&](store::Tx& tx) -> Result<store::DutyLogEntry> {
    auto& unit = tx.unit();
    auto site = unit.GetSite(in.site_id);
    if (!site) return Fail(site.error().code, site.error().message, "site_id");
    if (in.post_id) {
      auto post = unit.GetPost(in.post_id);
      if (!post || post->site_id != in.site_id)
        return Fail(Errc::kInvalidArgument,
                    "post " + std::to_string(in.post_id) + " is not a post of this site",
                    "post_id");
    }
    if (!manager) {
      // R02 §三2: the people on duty write the log — someone on one of the site's posts now.
      bool on_site = false;
      if (who.person_id) {
        ZHIDU_TRY(auto stints, unit.ListAttendanceAt(0, who.person_id, tx.now()));
        for (const auto& a : stints)
          if (a.site_id == in.site_id && (in.post_id == 0 || a.post_id == in.post_id))
            on_site = true;
      }
      if (!on_site)
        return Fail(Errc::kPermissionDenied,
                    "only a person on duty at this post (R02 §三2) or an account with "
                    "duty.manage writes the duty log");
    }
    if (in.corrects) {
      auto old = db::GetDutyLogEntry(unit.sql(), in.corrects);
      if (!old || old->site_id != in.site_id)
        return Fail(Errc::kInvalidArgument,
                    "entry " + std::to_string(in.corrects) + " is not in this site's duty log",
                    "corrects");
    }
    if (in.occurred_at > tx.now())
      return Fail(Errc::kInvalidArgument, Reason{"dutylog.occurred_in_future"},
                  "occurred_at is after now: an entry records what has happened", "occurred_at");
    store::DutyLogEntry e;
    e.site_id = in.site_id;
    e.post_id = in.post_id;
    e.kind = in.kind;
    e.text = in.text;
    e.author = who.account_id;
    e.author_person = who.person_id;
    e.at = tx.now();
    e.corrects = in.corrects;
    e.ref = in.ref;
    e.occurred_at = in.occurred_at;
    return AppendInTx(tx, std::move(e));
  });
}

Result<std::vector<store::DutyLogEntry>> DutyLog::PostEntries(store::Id post_id, TimePoint from,
                                                              TimePoint to) {
  std::vector<store::DutyLogEntry> out;
  ZHIDU_TRY(auto unit, store_.BeginRead());
  store::DutyLogFilter filter;
  filter.post_id = post_id;
  filter.from = from;
  filter.before = to;
  store::PageRequest page{0, 500};
  for (int pages = 0; pages < 100; ++pages) {  // newest first, ids below after_id
    ZHIDU_TRY(auto rows, db::ListDutyLog(unit->sql(), filter, page));
    const bool last = static_cast<int>(rows.size()) < page.limit;
    for (auto& e : rows) out.push_back(std::move(e));
    if (last) break;
    page.after_id = out.back().id;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<store::DutyLogEntry> DutyLog::Get(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto e, db::GetDutyLogEntry(unit->sql(), id));
  if (!roles_.Allows(who, org::perm::kOrgRead, {e.site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading this site's duty log needs org.read");
  return e;
}

Result<std::vector<store::DutyLogEntry>> DutyLog::List(const org::Principal& who,
                                                       store::DutyLogFilter filter,
                                                       std::string_view q,
                                                       store::PageRequest page) {
  if (filter.site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!roles_.Allows(who, org::perm::kOrgRead, {filter.site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading this site's duty log needs org.read");
  if (!filter.kind.empty()) {
    const auto& kinds = Kinds();
    if (std::find(kinds.begin(), kinds.end(), filter.kind) == kinds.end())
      return Fail(Errc::kInvalidArgument, "unknown kind \"" + filter.kind + "\"", "kind");
  }
  if (!q.empty()) {
    ZHIDU_TRY(filter.query, store::ParseTextQuery(q));
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto site, unit->GetSite(filter.site_id));
  (void)site;
  return db::ListDutyLog(unit->sql(), filter, page);
}

Result<PrintView> DutyLog::Print(const org::Principal& who, store::Id site_id, TimePoint from,
                                 TimePoint to, std::string record) {
  if (!roles_.Allows(who, org::perm::kOrgRead, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading this site's duty log needs org.read");
  if (to <= from) return Fail(Errc::kInvalidArgument, "to must be after from", "to");
  if (record.empty()) record = "r20-duty-log";
  PrintView view;
  auto pack = pack_.Current();
  for (const auto& r : pack->records())
    if (r.id == record) {
      view.record_id = r.id;
      view.title = r.title;
      view.clauses = r.clauses;
    }
  if (view.record_id.empty())
    return Fail(Errc::kInvalidArgument, "the policy pack has no record \"" + record + "\"",
                "record");
  view.from = from;
  view.to = to;
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(view.site, unit->GetSite(site_id));
  store::DutyLogFilter f;
  f.site_id = site_id;
  f.from = from;
  f.before = to;
  ZHIDU_TRY(auto rows, db::ListDutyLog(unit->sql(), f, {0, kMaxPrintRows + 1}));
  if (rows.size() > static_cast<size_t>(kMaxPrintRows))
    return Fail(Errc::kInvalidArgument,
                "the period holds more than 5000 entries: print a shorter one", "from");
  std::reverse(rows.begin(), rows.end());
  std::map<store::Id, std::string> posts, people;
  for (auto& e : rows) {
    PrintRow row{std::move(e), "", ""};
    const auto& en = row.entry;
    if (en.post_id && !posts.contains(en.post_id)) {
      auto p = unit->GetPost(en.post_id);
      posts[en.post_id] = p ? p->name : "";
    }
    if (en.author_person && !people.contains(en.author_person)) {
      auto p = unit->GetPerson(en.author_person);
      people[en.author_person] = p ? p->name : "";
    }
    row.post_name = en.post_id ? posts[en.post_id] : "";
    row.author_name = en.author_person ? people[en.author_person] : (en.author ? "" : "系统");
    if (en.kind == "abnormal") ++view.abnormal;
    if (en.kind == "alarm") view.alarms += en.repeat_count;
    if (en.kind == "correction") ++view.corrections;
    view.rows.push_back(std::move(row));
  }
  return view;
}

}  // namespace zhidu::dutylog
