#include "kernel/policy/post_rules.hpp"

#include <algorithm>

namespace zhidu::policy {

namespace {

void AddUnique(std::vector<std::string>& out, const std::vector<std::string>& ids) {
  for (const auto& id : ids)
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
}

std::string JoinNames(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : std::string(sep)) + n;
  return out;
}

}  // namespace

namespace {
void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}
}  // namespace

std::vector<const Checklist*> ChecklistsOfPost(const Pack& pack, const Post& post,
                                               std::string_view kind,
                                               std::vector<std::string>* superiors) {
  std::vector<std::string> files{post.source.file};
  for (const auto& r : post.roles)
    if (const Role* role = pack.FindRole(r)) {
      AddUnique(files, role->source.file);
      if (superiors && !role->reports_to.empty()) AddUnique(*superiors, role->reports_to);
    }
  std::vector<const Checklist*> out;
  for (const auto& file : files)
    for (const auto& c : pack.checklists())
      if (c.kind == kind && c.source.file == file) out.push_back(&c);
  // Then those naming the post (posts:), in pack order, each once.
  for (const auto& c : pack.checklists())
    if (c.kind == kind && std::find(c.posts.begin(), c.posts.end(), post.id) != c.posts.end() &&
        std::find(out.begin(), out.end(), &c) == out.end())
      out.push_back(&c);
  return out;
}

std::vector<const Checklist*> HandoverFormOf(const Pack& pack, const Post& post,
                                             std::vector<std::string>* superiors) {
  std::vector<const Checklist*> out;
  for (const Checklist* c : ChecklistsOfPost(pack, post, "handover", superiors))
    if (std::none_of(out.begin(), out.end(),
                     [&](const Checklist* o) { return o->source.file == c->source.file; }))
      out.push_back(c);
  return out;
}

ReliefForm ReliefFormOf(const Pack& pack, std::string_view post_name) {
  ReliefForm form;
  const Post* post = pack.FindPost(post_name);
  if (!post) return form;
  for (const Checklist* c : ChecklistsOfPost(pack, *post, "relief", &form.notify_roles)) {
    form.checklists.push_back(c->id);
    for (const auto& cl : c->clauses) AddUnique(form.clauses, cl);
    for (const auto& item : c->items)
      if (std::none_of(form.items.begin(), form.items.end(),
                       [&](const auto& i) { return i.id == item.id; }))
        form.items.push_back(item);
  }
  return form;
}

std::vector<std::string> ClausesMentioning(const Pack& pack, const std::vector<std::string>& ids,
                                           std::initializer_list<std::string_view> words) {
  std::vector<std::string> out;
  for (const auto& id : ids) {
    const auto* c = pack.clauses().Find(id);
    if (!c) continue;
    for (auto w : words)
      if (c->text.find(w) != std::string::npos) {
        out.push_back(id);
        break;
      }
  }
  return out;
}

std::string ClausePrefix(const std::vector<std::string>& clauses) {
  return clauses.empty() ? std::string() : JoinNames(clauses, "、") + "：";
}

std::optional<PostRefusal> CheckPostWorker(const Pack& pack, std::string_view post_name,
                                           const std::vector<std::string>& roles,
                                           const std::vector<HeldCertificate>& certificates,
                                           std::string_view today) {
  const Post* post = pack.FindPost(post_name);
  if (!post) return std::nullopt;
  if (!post->roles.empty()) {
    bool held = false;
    for (const auto& r : post->roles)
      held = held || std::find(roles.begin(), roles.end(), r) != roles.end();
    if (!held) {
      std::vector<std::string> clauses;
      std::vector<std::string> names;
      for (const auto& r : post->roles) {
        if (const Role* role = pack.FindRole(r)) AddUnique(clauses, role->clauses);
        names.push_back(r);
        if (const Role* role = pack.FindRole(r); role && !role->title.empty())
          names.push_back(role->title);
      }
      std::vector<std::string_view> words(names.begin(), names.end());
      for (const auto& id : post->clauses) {
        const auto* c = pack.clauses().Find(id);
        if (!c) continue;
        for (auto w : words)
          if (c->text.find(w) != std::string::npos) {
            AddUnique(clauses, {id});
            break;
          }
      }
      if (clauses.empty()) clauses = post->clauses;
      return PostRefusal{clauses, ClausePrefix(clauses) + post->id + "由" +
                                      JoinNames(post->roles, "/") + "上岗 — 没有" +
                                      JoinNames(post->roles, "/") + "角色，不得上岗"};
    }
  }
  std::vector<std::string> missing;
  for (const auto& kind : post->certifications) {
    bool ok = false;
    for (const auto& c : certificates)
      ok = ok || (c.kind == kind && (c.expires_on.empty() || c.expires_on >= today));
    if (!ok) missing.push_back(kind);
  }
  if (missing.empty()) return std::nullopt;
  std::vector<std::string> ids = post->clauses;
  for (const auto& s : pack.staffing())
    if (s.post == post->id && s.certified_only) AddUnique(ids, s.clauses);
  auto clauses = ClausesMentioning(pack, ids, {"培训", "持证"});
  if (clauses.empty()) clauses = post->clauses;
  return PostRefusal{clauses, ClausePrefix(clauses) + post->id + "须持有效的" +
                                  JoinNames(missing, "、") + "上岗 — 没有有效的" +
                                  JoinNames(missing, "、") + "（已过期或未登记）"};
}

std::vector<std::string> OperatingClauses(const Pack& pack, std::string_view post_name) {
  const Post* post = pack.FindPost(post_name);
  if (!post) return {};
  std::vector<std::string> ids;
  for (const auto& place : pack.places())
    for (const auto& a : place.access) {
      if (a.effect != AccessEffect::kAllow) continue;
      bool admits = false;
      for (const auto& r : a.roles)
        admits =
            admits || std::find(post->roles.begin(), post->roles.end(), r) != post->roles.end();
      if (admits) AddUnique(ids, a.clauses);
    }
  for (const auto& s : pack.staffing())
    if (s.post == post->id) AddUnique(ids, s.clauses);
  // Only the post's own regulation: R02's and R09's rooms also admit the 中控员, but they are not
  // the rooms of R12's 中控岗.
  if (!post->clauses.empty()) {
    const auto* own = pack.clauses().Find(post->clauses.front());
    if (own)
      std::erase_if(ids, [&](const std::string& id) {
        const auto* c = pack.clauses().Find(id);
        return !c || c->regulation != own->regulation;
      });
  }
  return ClausesMentioning(pack, ids, {"操作"});
}

}  // namespace zhidu::policy
