#include "kernel/policy/clause_index.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace zhidu::policy {
namespace {

// Decodes the UTF-8 code point at `i`; returns its length in bytes via `len`.
char32_t DecodeAt(std::string_view s, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (i + n > s.size()) n = 1;
  char32_t cp = n == 4 ? (c & 0x07) : n == 3 ? (c & 0x0F) : n == 2 ? (c & 0x1F) : c;
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  *len = n;
  return cp;
}

// The code point ending just before byte `i` (0 at the start).
char32_t PrevCodePoint(std::string_view s, size_t i) {
  if (i == 0) return 0;
  size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  size_t len = 0;
  return DecodeAt(s, j, &len);
}

bool IsSpace(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000; }

// A marker may start only at the start of text, after white space or after punctuation; never
// inside a run of words ("统一、" is not chapter 一).
bool IsBoundary(char32_t prev) {
  if (prev == 0 || IsSpace(prev)) return true;
  static constexpr std::u32string_view kPunct = U"，。；;：:！!？?、)）\"“”…|";
  return kPunct.find(prev) != std::u32string_view::npos;
}

constexpr std::u32string_view kCnDigits = U"一二三四五六七八九十";

int CnValue(std::u32string_view s) {
  // 一..九十九; "十" alone is 10, "十二" 12, "二十" 20.
  int value = 0;
  int digit = 0;
  for (char32_t c : s) {
    if (c == U'十') {
      value += (digit == 0 ? 1 : digit) * 10;
      digit = 0;
    } else {
      digit = static_cast<int>(kCnDigits.find(c)) + 1;
    }
  }
  return value + digit;
}

struct Match {
  MarkerKind kind;
  size_t length;      // bytes consumed
  std::string label;  // core label without brackets for bracketed kinds
  int value = 0;
  std::string open, close;  // brackets around the label in ids
};

// Reads a run of Chinese numerals at `i`; returns byte length (0 if none) and the text.
size_t ReadCn(std::string_view s, size_t i, std::u32string* out) {
  size_t start = i;
  while (i < s.size()) {
    size_t len = 0;
    char32_t c = DecodeAt(s, i, &len);
    if (kCnDigits.find(c) == std::u32string_view::npos) break;
    out->push_back(c);
    i += len;
  }
  return i - start;
}

size_t ReadDigits(std::string_view s, size_t i) {
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i - start;
}

bool StartsWithAt(std::string_view s, size_t i, std::string_view p) {
  return s.substr(i, p.size()) == p;
}

// Open bracket at i: "(" or "（"; returns bytes or 0.
size_t OpenParen(std::string_view s, size_t i) {
  if (StartsWithAt(s, i, "(")) return 1;
  if (StartsWithAt(s, i, "（")) return 3;
  return 0;
}
size_t CloseParen(std::string_view s, size_t i) {
  if (StartsWithAt(s, i, ")")) return 1;
  if (StartsWithAt(s, i, "）")) return 3;
  return 0;
}
size_t SkipSpaces(std::string_view s, size_t i) {
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

std::string Utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::optional<Match> TryMarker(MarkerKind kind, std::string_view s, size_t i) {
  switch (kind) {
    case MarkerKind::kArticle:
    case MarkerKind::kRule: {
      if (!StartsWithAt(s, i, "第")) return std::nullopt;
      std::u32string cn;
      size_t n = ReadCn(s, i + 3, &cn);
      if (n == 0) return std::nullopt;
      std::string_view tail = kind == MarkerKind::kArticle ? "条" : "则";
      if (!StartsWithAt(s, i + 3 + n, tail)) return std::nullopt;
      return Match{kind, 3 + n + 3, "第" + Utf8(cn) + std::string(tail), CnValue(cn), "", ""};
    }
    case MarkerKind::kCn: {
      std::u32string cn;
      size_t n = ReadCn(s, i, &cn);
      if (n == 0) return std::nullopt;
      size_t j = i + n;
      size_t sep = StartsWithAt(s, j, "、") || StartsWithAt(s, j, "．") ? 3
                   : StartsWithAt(s, j, ".")                            ? 1
                                                                        : 0;
      if (sep == 0) return std::nullopt;
      return Match{kind, n + sep, Utf8(cn), CnValue(cn), "", ""};
    }
    case MarkerKind::kCnParen: {
      size_t o = OpenParen(s, i);
      if (o == 0) return std::nullopt;
      std::u32string cn;
      size_t n = ReadCn(s, i + o, &cn);
      if (n == 0) return std::nullopt;
      size_t c = CloseParen(s, i + o + n);
      if (c == 0) return std::nullopt;
      return Match{kind, o + n + c, Utf8(cn), CnValue(cn), "(", ")"};
    }
    case MarkerKind::kNumParen: {
      size_t o = OpenParen(s, i);
      if (o == 0) return std::nullopt;
      size_t n = ReadDigits(s, i + o);
      if (n == 0 || n > 2) return std::nullopt;
      size_t j = SkipSpaces(s, i + o + n);
      size_t c = CloseParen(s, j);
      if (c == 0) return std::nullopt;
      std::string digits(s.substr(i + o, n));
      return Match{kind, j + c - i, digits, std::stoi(digits), "(", ")"};
    }
    case MarkerKind::kDot2:
    case MarkerKind::kDot3: {
      size_t want = kind == MarkerKind::kDot2 ? 2 : 3;
      size_t j = i;
      size_t parts = 0;
      int last = 0;
      while (true) {
        size_t n = ReadDigits(s, j);
        if (n == 0 || n > 2) return std::nullopt;
        last = std::stoi(std::string(s.substr(j, n)));
        j += n;
        ++parts;
        if (j < s.size() && s[j] == '.' && j + 1 < s.size() && s[j + 1] >= '0' && s[j + 1] <= '9') {
          ++j;
          continue;
        }
        break;
      }
      if (parts != want) return std::nullopt;
      return Match{kind, j - i, std::string(s.substr(i, j - i)), last, "", ""};
    }
    case MarkerKind::kNumHalf: {
      size_t n = ReadDigits(s, i);
      if (n == 0 || n > 2 || OpenParen(s, i) != 0) return std::nullopt;
      size_t c = CloseParen(s, i + n);
      if (c == 0) return std::nullopt;
      size_t j = i + n + c;
      if (StartsWithAt(s, j, "、")) j += 3;
      std::string digits(s.substr(i, n));
      return Match{kind, j - i, digits, std::stoi(digits), "", ")"};
    }
    case MarkerKind::kNum: {
      size_t n = ReadDigits(s, i);
      if (n == 0 || n > 2) return std::nullopt;
      size_t j = i + n;
      size_t sep = 0;
      if (StartsWithAt(s, j, "、") || StartsWithAt(s, j, "．")) {
        sep = 3;
      } else if (StartsWithAt(s, j, ".") &&
                 !(j + 1 < s.size() && s[j + 1] >= '0' && s[j + 1] <= '9')) {
        sep = 1;
      }
      if (sep == 0) return std::nullopt;
      std::string digits(s.substr(i, n));
      return Match{kind, n + sep, digits, std::stoi(digits), "", ""};
    }
    case MarkerKind::kLetter: {
      char c = s[i];
      if (c < 'a' || c > 'h' || i + 1 >= s.size()) return std::nullopt;
      if (static_cast<unsigned char>(s[i + 1]) < 0xE0) return std::nullopt;  // a CJK char follows
      return Match{kind, 1, std::string(1, c), c - 'a' + 1, "", ""};
    }
    case MarkerKind::kHeading:
      return std::nullopt;
  }
  return std::nullopt;
}

struct Node {
  MarkerKind kind = MarkerKind::kHeading;
  std::string label;  // as shown in ids, brackets and 之k included
  std::string core;   // label without 之k, for duplicate detection
  int value = 0;
  int level = 0;
  Node* parent = nullptr;
  std::vector<std::unique_ptr<Node>> children;
  std::string text;
  std::string id;
};

bool IsNumericKind(MarkerKind k) {
  return k == MarkerKind::kNum || k == MarkerKind::kNumHalf || k == MarkerKind::kDot2 ||
         k == MarkerKind::kDot3;
}

std::string CollapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    char32_t c = DecodeAt(s, i, &len);
    if (IsSpace(c)) {
      space = !out.empty();
    } else {
      if (space) out.push_back(' ');
      space = false;
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

// Path of `node` below the root as an id suffix ("§四(二)2").
std::string PathOf(const Node* node) {
  std::vector<const Node*> chain;
  for (const Node* n = node; n != nullptr && n->parent != nullptr; n = n->parent)
    chain.push_back(n);
  std::reverse(chain.begin(), chain.end());
  std::string out;
  bool first = true;
  const Node* prev = nullptr;
  for (const Node* n : chain) {
    if (first) {
      bool article = n->kind == MarkerKind::kArticle || n->kind == MarkerKind::kRule;
      out = article ? n->label : "§" + n->label;
    } else if (n->kind == MarkerKind::kHeading || prev->kind == MarkerKind::kHeading) {
      out += "·" + n->label;
    } else if ((n->kind == MarkerKind::kDot2 || n->kind == MarkerKind::kDot3) &&
               n->label.starts_with(prev->label + ".")) {
      out.resize(out.size() - prev->label.size());
      out += n->label;
    } else if (!out.empty() && out.back() >= '0' && out.back() <= '9' && n->label[0] >= '0' &&
               n->label[0] <= '9') {
      out += "." + n->label;
    } else {
      out += n->label;
    }
    first = false;
    prev = n;
  }
  return out;
}

}  // namespace

namespace {
const std::pair<std::string_view, MarkerKind> kNames[] = {
    {"article", MarkerKind::kArticle},
    {"rule", MarkerKind::kRule},
    {"cn", MarkerKind::kCn},
    {"cn_paren", MarkerKind::kCnParen},
    {"num", MarkerKind::kNum},
    {"num_half", MarkerKind::kNumHalf},
    {"num_paren", MarkerKind::kNumParen},
    {"dot2", MarkerKind::kDot2},
    {"dot3", MarkerKind::kDot3},
    {"letter", MarkerKind::kLetter},
    {"heading", MarkerKind::kHeading},
};

std::string_view MarkerKindName(MarkerKind kind) {
  for (const auto& [n, k] : kNames)
    if (k == kind) return n;
  return "?";
}
}  // namespace

bool ParseMarkerKind(std::string_view name, MarkerKind* kind) {
  for (const auto& [n, k] : kNames) {
    if (n == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

std::string NormalizeClauseId(std::string_view id) {
  std::string s;
  for (size_t i = 0; i < id.size();) {
    if (StartsWithAt(id, i, "（")) {
      s += '(';
      i += 3;
    } else if (StartsWithAt(id, i, "）")) {
      s += ')';
      i += 3;
    } else {
      s += id[i++];
    }
  }
  s = CollapseSpaces(s);
  // "R12§四" and "R12  §四" both become "R12 §四".
  size_t sp = s.find(' ');
  size_t sect = s.find("§");
  if (sp == std::string::npos && sect != std::string::npos && sect > 0) s.insert(sect, " ");
  size_t art = s.find("第");
  if (s.find(' ') == std::string::npos && art != std::string::npos && art > 0) s.insert(art, " ");
  // Spaces inside the path are not part of ids.
  sp = s.find(' ');
  if (sp != std::string::npos) {
    std::string path = s.substr(sp + 1);
    std::erase(path, ' ');
    s = s.substr(0, sp + 1) + path;
  }
  return s;
}

Result<void> ClauseIndex::AddRegulation(RegulationSpec spec, std::string_view text) {
  if (FindRegulation(spec.code) != nullptr) {
    return Fail(Errc::kConflict, "regulation " + spec.code + " is declared twice", "code");
  }
  // Title: the first non-empty line.
  size_t pos = 0;
  while (pos < text.size() && (text[pos] == '\n' || text[pos] == '\r' || text[pos] == ' ')) ++pos;
  size_t eol = text.find('\n', pos);
  if (eol == std::string_view::npos) eol = text.size();
  if (spec.title.empty()) spec.title = CollapseSpaces(text.substr(pos, eol - pos));
  pos = eol;

  auto level_of = [&](MarkerKind k) -> int {
    for (size_t i = 0; i < spec.levels.size(); ++i) {
      if (spec.levels[i] == k) return static_cast<int>(i) + 1;
    }
    return k == MarkerKind::kHeading ? 1 : 0;
  };
  int depth = static_cast<int>(spec.levels.size()) + 1;

  Node root;
  root.level = 0;
  std::vector<Node*> open(depth + 1, nullptr);
  open[0] = &root;
  Node* current = &root;
  size_t body_start = pos;
  if (!spec.body_from.empty()) {
    size_t b = text.find(spec.body_from, pos);
    if (b == std::string_view::npos) {
      return Fail(Errc::kInvalidArgument,
                  spec.code + ": body_from text \"" + spec.body_from + "\" not found", "body_from");
    }
    root.text.append(text.substr(pos, b - pos));
    body_start = b;
  }
  size_t next_heading = 0;
  std::map<MarkerKind, int> matched_by_kind;

  auto add_node = [&](MarkerKind kind, int level, std::string core, std::string open_b,
                      std::string close_b, int value) {
    Node* parent = &root;
    for (int l = level - 1; l >= 0; --l) {
      if (open[l] != nullptr) {
        parent = open[l];
        break;
      }
    }
    int dup = 1;
    for (const auto& c : parent->children) {
      if (c->core == core && c->kind == kind) ++dup;
    }
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->core = core;
    node->label = open_b + core + (dup > 1 ? "之" + std::to_string(dup) : "") + close_b;
    node->value = value;
    node->level = level;
    node->parent = parent;
    Node* raw = node.get();
    ++matched_by_kind[kind];
    parent->children.push_back(std::move(node));
    for (int l = level; l <= depth; ++l) open[l] = nullptr;
    open[level] = raw;
    current = raw;
  };

  for (size_t i = body_start; i < text.size();) {
    size_t len = 0;
    DecodeAt(text, i, &len);
    bool matched = false;
    if (IsBoundary(PrevCodePoint(text, i))) {
      if (next_heading < spec.headings.size() &&
          StartsWithAt(text, i, spec.headings[next_heading].match)) {
        add_node(MarkerKind::kHeading, level_of(MarkerKind::kHeading),
                 spec.headings[next_heading].id, "", "", 0);
        ++next_heading;
        matched = true;
        // The heading's text starts with the matched words; they stay in the clause text.
      } else {
        for (MarkerKind kind : spec.levels) {
          if (kind == MarkerKind::kHeading) continue;
          auto m = TryMarker(kind, text, i);
          if (!m) continue;
          int level = level_of(kind);
          // Sequence check: the first item at a level is 1; later ones count up (gaps and
          // repeats in the source are kept), or restart at 1.
          Node* prev = open[level];
          bool ok = prev == nullptr ? m->value == 1 : (m->value == 1 || m->value >= prev->value);
          if (!ok) continue;
          add_node(kind, level, m->label, m->open, m->close, m->value);
          current->text.append(text.substr(i, m->length));
          i += m->length;
          matched = true;
          break;
        }
        if (matched) continue;
      }
    }
    current->text.append(text.substr(i, len));
    i += len;
  }

  // A numbering style that matches nothing splits nothing: every citation of the regulation would
  // then fail one by one. Said once, here.
  for (MarkerKind kind : spec.levels) {
    if (kind == MarkerKind::kHeading || matched_by_kind[kind] > 0) continue;
    return Fail(Errc::kInvalidArgument,
                spec.code + ": the numbering style '" + std::string(MarkerKindName(kind)) +
                    "' in structure matches no clause of the text (its clauses are numbered "
                    "otherwise; see docs/policy_format.md §1)",
                "structure");
  }

  RegulationDoc doc;
  doc.code = spec.code;
  doc.title = spec.title;
  auto emit = [&](auto&& self, Node* node) -> void {
    Clause c;
    c.regulation = spec.code;
    c.id = spec.code + " " + PathOf(node);
    node->id = c.id;
    c.text = CollapseSpaces(node->text);
    if (node->parent != nullptr && node->parent != &root) c.parent = node->parent->id;
    for (const auto& child : node->children)
      c.children.push_back(spec.code + " " + PathOf(child.get()));
    doc.clause_ids.push_back(c.id);
    clauses_.emplace(c.id, std::move(c));
    for (const auto& child : node->children) self(self, child.get());
  };
  std::string preamble = CollapseSpaces(root.text);
  std::string rest = preamble;
  for (size_t at; !spec.title.empty() && (at = rest.find(spec.title)) != std::string::npos;) {
    rest.erase(at, spec.title.size());
  }
  if (CollapseSpaces(rest).empty()) preamble.clear();  // only the title repeated
  if (!preamble.empty()) {
    Clause c;
    c.regulation = spec.code;
    c.id = spec.code + " §序";
    c.text = preamble;
    doc.clause_ids.push_back(c.id);
    clauses_.emplace(c.id, std::move(c));
  }
  for (const auto& child : root.children) emit(emit, child.get());
  regulations_.push_back(std::move(doc));
  return Ok();
}

const Clause* ClauseIndex::Find(std::string_view id) const {
  auto it = clauses_.find(NormalizeClauseId(id));
  return it == clauses_.end() ? nullptr : &it->second;
}

const RegulationDoc* ClauseIndex::FindRegulation(std::string_view code) const {
  for (const auto& r : regulations_) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

std::vector<const Clause*> ClauseIndex::Leaves(std::string_view code) const {
  std::vector<const Clause*> out;
  const RegulationDoc* doc = FindRegulation(code);
  if (doc == nullptr) return out;
  for (const auto& id : doc->clause_ids) {
    const Clause* c = Find(id);
    if (c != nullptr && c->leaf()) out.push_back(c);
  }
  return out;
}

std::vector<const Clause*> ClauseIndex::Subtree(std::string_view id) const {
  std::vector<const Clause*> out;
  const Clause* c = Find(id);
  if (c == nullptr) return out;
  out.push_back(c);
  for (const auto& child : c->children) {
    auto sub = Subtree(child);
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}

}  // namespace zhidu::policy
