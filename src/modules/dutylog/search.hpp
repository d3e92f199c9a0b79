// Chinese full-text search of the duty log (值班记录检索). Pure functions; thread-safe.
//
// SQLite's trigram tokenizer cannot find 2-character words (误报, 复位), so the text is indexed as
// terms computed here and fed to the store's index (SQLite: an FTS5 table; PostgreSQL: a
// GIN-indexed text[]):
//  - each run of CJK characters gives its overlapping bigrams, in order (误报复位 -> 误报 报复
//  复位),
//    runs separated by an empty string so a phrase never spans two runs;
//  - each CJK character is also a token (one-character queries);
//  - each run of ASCII letters and digits is a lower-case word token; other characters (marks,
//    spaces, punctuation) separate runs.
// A query is tokenised the same way: a CJK run of >= 2 characters is a phrase of its bigrams (so
// it matches exactly where the run occurs as a substring), one character or a word is a token;
// all must match (AND). Latin words match whole words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/types.hpp"

namespace zhidu::dutylog {

struct IndexTerms {
  std::vector<std::string> bigrams;  // "" between runs
  std::vector<std::string> tokens;   // distinct, in first-seen order
};

IndexTerms TermsOf(std::string_view text);
// kInvalidArgument (field "q") when `q` has no searchable character or more than 16 terms.
Result<store::DutyLogQuery> ParseQuery(std::string_view q);
// True when `text` contains every term of `q` the way the index matches it — the scan the tests
// compare the index with.
bool ScanMatches(std::string_view text, const store::DutyLogQuery& q);

}  // namespace zhidu::dutylog
