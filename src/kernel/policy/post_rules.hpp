// Who may work a post and operate its equipment, as the pack says (岗位、持证上岗、设备操作). Pure;
// thread-safe. Used by attendance (kernel/runtime/duties), alarm operation (kernel/alarms) and the
// roster's staffing checks (kernel/roster). docs/posts.md has the rules and the clauses cited.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/policy/pack.hpp"

namespace zhidu::policy {

// `ids` whose clause text mentions one of `words`, in order; empty when none does.
std::vector<std::string> ClausesMentioning(const Pack& pack, const std::vector<std::string>& ids,
                                           std::initializer_list<std::string_view> words);

// The checklists of `kind` ("handover", "relief") that apply to `post`: those of the regulation
// defining the post, then of each regulation defining one of its roles (R12 §二 makes R12's rules
// those of every 中控员 post), in pack order, then those naming the post in `posts:`. `superiors`
// (if given) receives the roles' reports_to, each once: who is told (反映情况).
std::vector<const Checklist*> ChecklistsOfPost(const Pack& pack, const Post& post,
                                               std::string_view kind,
                                               std::vector<std::string>* superiors = nullptr);

// The checklists that make up `post`'s handover form: of ChecklistsOfPost(…, "handover"), the
// first of each regulation (file). Handover's RuleFor merges them; the loader checks that every
// other handover checklist is one of some post's (CheckHandoverForms) and counts only these as
// executed (MarkUnenforced).
std::vector<const Checklist*> HandoverFormOf(const Pack& pack, const Post& post,
                                             std::vector<std::string>* superiors = nullptr);

// What leaving post `post` to a colleague who takes over asks (R12 §四(二)2(5) 接班人员未到…需及时
// 反映情况): the relief checklists (kind relief) of the regulation that defines the post and of
// each regulation that defines one of its roles (as handover selects its checklists: R12 §二 makes
// R12's rules those of every 中控员 post), their clauses, their items (the first of each id) and
// the roles told (the superiors of the post's roles). Empty when the pack has no such post.
struct ReliefForm {
  std::vector<std::string> checklists;
  std::vector<std::string> clauses;
  std::vector<ChecklistItem> items;
  std::vector<std::string> notify_roles;
};
ReliefForm ReliefFormOf(const Pack& pack, std::string_view post);

// A certificate a person holds: kind and "YYYY-MM-DD" expiry (empty: none).
struct HeldCertificate {
  std::string kind;
  std::string expires_on;
};

// Why a person may not work a post, with the clauses the refusal cites (first = error.clause).
struct PostRefusal {
  std::vector<std::string> clauses;
  std::string message;  // zh-CN, starts with the clauses: "R12 §二、…：…"
};

// Whether a person holding `roles` (role ids at the post's site) and `certificates` may work the
// pack post named `post` on local day `today` ("YYYY-MM-DD"):
//  - the post's roles: one of them (cites the roles' clauses and the post's clauses naming them);
//  - the post's certifications (持证上岗, 经培训后方可上机操作): each held and not expired today
//    (cites the post's and its staffing rules' clauses about 培训/持证).
// nullopt when allowed, or when the pack has no such post (a site's own post: nothing to check).
std::optional<PostRefusal> CheckPostWorker(const Pack& pack, std::string_view post,
                                           const std::vector<std::string>& roles,
                                           const std::vector<HeldCertificate>& certificates,
                                           std::string_view today);

// The clauses saying only the person on duty at `post` operates its equipment: the clauses, about
// 操作, of the access rules admitting the post's roles to a place (R16 §一5 设备除值班人员外其他人
// 不得操作) and of the post's staffing rules (R12 §四(二之2)1 上机操作, R20 §一1 操作消防设备), of
// the post's own regulation.
// Empty when the pack says nothing about operating the post's equipment.
std::vector<std::string> OperatingClauses(const Pack& pack, std::string_view post);

// The message prefix of a refusal: "R16 §一5、R12 §二：" or "".
std::string ClausePrefix(const std::vector<std::string>& clauses);

}  // namespace zhidu::policy
