// Clause index: the regulation texts split into citable clauses with stable ids.
//
// A clause id is "<regulation> <path>", e.g. "R12 §四(二)2" or "R15 第十四条". The path grammar is
// driven by a per-regulation structure (which numbering styles the text uses, in nesting order),
// declared as data in pack.yaml; docs/policy_format.md §Clause ids documents it:
//
//   id        = code " " path
//   path      = article-path | "§" section-path
//   part      = "第" CN "条" | "第" CN "则"        (article, rule)
//             | CN                                   (cn:        "一、" "一." -> "一")
//             | "(" CN ")"                           (cn_paren:  "(一)" "（一）")
//             | DIGITS                               (num:       "1、" "1." -> "1")
//             | DIGITS ")"                           (num_half:  "1)" "1)、")
//             | "(" DIGITS ")"                       (num_paren: "(1)" "(1 )")
//             | DIGITS "." DIGITS ["." DIGITS]       (dot2/dot3: "4.1" "4.1.1", replaces its
//             parent) | a..z                                 (letter:    "a全面负责…") | "·" NAME
//             ["·"]                       (heading:   a declared unnumbered heading)
//   Two adjacent numeric parts are joined by "." ("§三1.3)"). A label repeated under the same
//   parent (the source numbers it twice) gets "之2", "之3" ("R12 §四(二之2)3"). Text before the
//   first marker (after the title line) is the preamble "§序".
// Only leaf clauses count for coverage; an inner clause may be cited but covers nothing by itself.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zhidu::policy {

enum class MarkerKind {
  kArticle,   // 第一条
  kRule,      // 第一则
  kCn,        // 一、
  kCnParen,   // (一)
  kNum,       // 1、 1.
  kNumHalf,   // 1)
  kNumParen,  // (1)
  kDot2,      // 1.1
  kDot3,      // 1.1.1
  kLetter,    // a
  kHeading,   // declared unnumbered heading
};

// "cn", "cn_paren", ... -> kind; false when unknown.
bool ParseMarkerKind(std::string_view name, MarkerKind* kind);

struct HeadingSpec {
  std::string match;  // literal text that starts the heading (first occurrence after the last one)
  std::string id;     // its label in clause ids
};

struct RegulationSpec {
  std::string code;                // "R12"
  std::string title;               // filled from the text's first line when empty
  std::vector<MarkerKind> levels;  // nesting order, outermost first
  std::vector<HeadingSpec> headings;
  std::string body_from;  // text before this literal is preamble (a table of contents, say)
};

struct Clause {
  std::string id;          // "R12 §四(二)2"
  std::string regulation;  // "R12"
  std::string text;        // the clause's own text, marker included, whitespace collapsed
  std::string parent;      // parent clause id; empty for top-level clauses
  std::vector<std::string> children;
  bool leaf() const { return children.empty(); }
};

struct RegulationDoc {
  std::string code;
  std::string title;
  std::vector<std::string> clause_ids;  // document order, inner clauses before their children
};

class ClauseIndex {
 public:
  // Splits `text` per `spec` and indexes its clauses. Fails on a duplicate regulation code.
  Result<void> AddRegulation(RegulationSpec spec, std::string_view text);

  // nullptr when no such clause. `id` is normalised first (full-width brackets, spaces).
  const Clause* Find(std::string_view id) const;
  const RegulationDoc* FindRegulation(std::string_view code) const;
  const std::vector<RegulationDoc>& regulations() const { return regulations_; }
  // Leaf clauses of one regulation in document order.
  std::vector<const Clause*> Leaves(std::string_view code) const;
  // Every clause in the subtree of `id`, itself included.
  std::vector<const Clause*> Subtree(std::string_view id) const;

 private:
  std::vector<RegulationDoc> regulations_;
  std::map<std::string, Clause, std::less<>> clauses_;
};

// Canonical form of a clause id: trims, full-width brackets to ASCII, one space after the code.
std::string NormalizeClauseId(std::string_view id);

}  // namespace zhidu::policy
