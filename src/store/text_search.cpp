#include "store/text_search.hpp"

#include <algorithm>

namespace zhidu::store {
namespace {

enum class Class { kSeparator, kWord, kCjk };

struct Char {
  char32_t cp;
  std::string_view bytes;
};

// Decodes UTF-8; an invalid byte becomes a separator of one byte.
std::vector<Char> Decode(std::string_view s) {
  std::vector<Char> out;
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      out.push_back({0xFFFD, s.substr(i, 1)});
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = true;
    for (size_t k = 1; k < n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 2) ok = false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (!ok) {
      out.push_back({0xFFFD, s.substr(i, 1)});
      ++i;
      continue;
    }
    out.push_back({cp, s.substr(i, n)});
    i += n;
  }
  return out;
}

Class ClassOf(char32_t cp) {
  if (cp < 0x80)
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')
               ? Class::kWord
               : Class::kSeparator;
  if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x3040 && cp <= 0x30FF) ||
      (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x20000 && cp <= 0x3FFFF) ||
      (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
      (cp >= 0xFF41 && cp <= 0xFF5A))
    return Class::kCjk;
  return Class::kSeparator;  // punctuation, symbols, other scripts: not indexed
}

struct Run {
  Class cls;
  std::vector<std::string_view> chars;
};

std::vector<Run> RunsOf(std::string_view text) {
  std::vector<Run> runs;
  for (const auto& c : Decode(text)) {
    Class cls = ClassOf(c.cp);
    if (cls == Class::kSeparator) {
      if (!runs.empty() && !runs.back().chars.empty()) runs.push_back({Class::kSeparator, {}});
      continue;
    }
    if (runs.empty() || runs.back().cls != cls) runs.push_back({cls, {}});
    runs.back().chars.push_back(c.bytes);
  }
  std::erase_if(runs, [](const Run& r) { return r.cls == Class::kSeparator; });
  return runs;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string Joined(const Run& r) {
  std::string out;
  for (auto c : r.chars) out += c;
  return r.cls == Class::kWord ? Lower(out) : out;
}

std::vector<std::string> Bigrams(const Run& r) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < r.chars.size(); ++i)
    out.push_back(std::string(r.chars[i]) + std::string(r.chars[i + 1]));
  return out;
}

}  // namespace

TextTerms TermsOf(std::string_view text) {
  TextTerms out;
  auto add_token = [&](std::string t) {
    if (std::find(out.tokens.begin(), out.tokens.end(), t) == out.tokens.end())
      out.tokens.push_back(std::move(t));
  };
  for (const auto& run : RunsOf(text)) {
    if (run.cls == Class::kWord) {
      add_token(Joined(run));
      continue;
    }
    for (auto c : run.chars) add_token(std::string(c));
    if (run.chars.size() < 2) continue;
    if (!out.bigrams.empty()) out.bigrams.emplace_back();
    for (auto& b : Bigrams(run)) out.bigrams.push_back(std::move(b));
  }
  return out;
}

Result<DutyLogQuery> ParseTextQuery(std::string_view q) {
  DutyLogQuery out;
  for (const auto& run : RunsOf(q)) {
    out.terms.push_back(Joined(run));
    if (run.cls == Class::kCjk && run.chars.size() >= 2)
      out.phrases.push_back(Bigrams(run));
    else
      out.tokens.push_back(Joined(run));
  }
  if (out.terms.empty())
    return Fail(Errc::kInvalidArgument,
                "q has nothing to search for: give Chinese characters, letters or digits", "q");
  if (out.terms.size() > 16) return Fail(Errc::kInvalidArgument, "q has more than 16 terms", "q");
  return out;
}

bool ScanMatches(std::string_view text, const DutyLogQuery& q) {
  auto runs = RunsOf(text);
  for (const auto& term : q.terms) {
    bool found = false;
    for (const auto& run : runs) {
      std::string joined = Joined(run);
      // CJK terms are substrings of a run; words are whole words.
      if (run.cls == Class::kWord ? joined == term : joined.find(term) != std::string::npos) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

Fts5Row Fts5ColumnsOf(const TextTerms& t) {
  Fts5Row out;
  for (const auto& b : t.bigrams) (out.bi += out.bi.empty() ? "" : " ") += b.empty() ? "x" : b;
  for (const auto& w : t.tokens) (out.uni += out.uni.empty() ? "" : " ") += w;
  return out;
}

std::string Fts5Match(const DutyLogQuery& q) {
  auto quote = [](const std::string& t) {
    std::string out = "\"";
    for (char c : t) (out += c) += (c == '"' ? "\"" : "");
    return out + "\"";
  };
  std::string m;
  for (const auto& phrase : q.phrases) {
    std::string p;
    for (const auto& b : phrase) (p += p.empty() ? "" : " ") += b;
    (m += m.empty() ? "" : " AND ") += "bi : " + quote(p);
  }
  for (const auto& t : q.tokens) (m += m.empty() ? "" : " AND ") += "uni : " + quote(t);
  return m;
}

std::vector<std::string> ArrayTermsOf(const TextTerms& t) {
  std::vector<std::string> terms = t.tokens;
  for (const auto& b : t.bigrams)
    if (!b.empty()) terms.push_back(b);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

std::vector<std::string> ArrayTermsOf(const DutyLogQuery& q) {
  std::vector<std::string> out = q.tokens;
  for (const auto& phrase : q.phrases) out.insert(out.end(), phrase.begin(), phrase.end());
  return out;
}

}  // namespace zhidu::store
