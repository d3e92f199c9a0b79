// Chinese full-text search (the duty log's 值班记录检索, the service desk's tickets). Pure
// functions; thread-safe.
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
//
// The two backends' index statements are built from these terms by the functions at the end, so
// every table that is searched this way is written and queried alike (the duty log in the store's
// migrations, tickets in the service module's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/types.hpp"

namespace zhidu::store {

// A parsed query (the name is the duty log's, which had the first one).
using TextQuery = DutyLogQuery;

struct TextTerms {
  std::vector<std::string> bigrams;  // "" between runs
  std::vector<std::string> tokens;   // distinct, in first-seen order
};

TextTerms TermsOf(std::string_view text);
// kInvalidArgument (field "q") when `q` has no searchable character or more than 16 terms.
Result<DutyLogQuery> ParseTextQuery(std::string_view q);
// True when `text` contains every term of `q` the way the index matches it — the scan the tests
// compare the index with.
bool ScanMatches(std::string_view text, const DutyLogQuery& q);

// SQLite: the FTS5 columns of one row — `bi` (the bigrams in order, runs separated by the token
// "x") and `uni` (characters and words) — of a table made with
// fts5(bi, uni, content='', tokenize='unicode61 remove_diacritics 0').
struct Fts5Row {
  std::string bi, uni;
};
Fts5Row Fts5ColumnsOf(const TextTerms& t);
// SQLite: the MATCH text of a query — a phrase of bigrams per CJK run, a token per character or
// word, all ANDed.
std::string Fts5Match(const DutyLogQuery& q);
// PostgreSQL: the distinct terms of a row, sorted (its GIN-indexed TEXT[] column).
std::vector<std::string> ArrayTermsOf(const TextTerms& t);
// PostgreSQL: every index term of a query (`terms @> ?::text[]`); the GIN index keeps no
// positions, so a phrase is rechecked on the text (`strpos` of each of q.terms).
std::vector<std::string> ArrayTermsOf(const DutyLogQuery& q);

}  // namespace zhidu::store
