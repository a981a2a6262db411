// OLD.column / NEW.column in a condition, as PostgreSQL's scanner reads it (follow_condition.hpp).
#include "triggers/follow_condition.hpp"

#include <vector>

#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "triggers/follow.hpp"

extern "C" {
#include "common/keywords.h"
#include "parser/scanner.h"
}

namespace pgdb::triggers {

namespace {

bool is_keyword_token(int token) {
  for (int i = 0; i < ScanKeywords.num_keywords; ++i)
    if (ScanKeywordTokens[i] == token) return true;
  return false;
}

// The core scanner's token for a plain identifier (IDENT of the grammar, whose header, gram.h,
// PostgreSQL 16 and later no longer install): what the scanner returns for "x".
int identifier_token() {
  core_yy_extra_type extra;
  core_yyscan_t scanner = scanner_init("x", &extra, &ScanKeywords, ScanKeywordTokens);
  core_YYSTYPE value;
  YYLTYPE location;
  int token = core_yylex(&value, &location, scanner);
  scanner_finish(scanner);
  return token;
}

// The spans of `column` in "OLD.column" and "NEW.column" (any case, quoted or not, comments and
// blanks between) in condition, found by PostgreSQL's own scanner: how many there are, of which
// the first `capacity` are stored. Plain C frames only: the scanner may raise.
int column_spans(const char* condition, const char* column, NameSpan* spans, int capacity) {
  const int IDENT = identifier_token();
  core_yy_extra_type extra;
  core_yyscan_t scanner = scanner_init(condition, &extra, &ScanKeywords, ScanKeywordTokens);
  int found = 0;
  int state = 0;  // 1: after OLD or NEW; 2: after OLD. or NEW.
  while (true) {
    core_YYSTYPE value;
    YYLTYPE location;
    int token = core_yylex(&value, &location, scanner);
    if (token == 0) break;
    const char* word = token == IDENT            ? value.str
                       : is_keyword_token(token) ? value.keyword
                                                 : nullptr;
    if (state == 2 && word != nullptr && strcmp(word, column) == 0) {
      if (found < capacity) {
        spans[found].start = location;
        spans[found].end = identifier_end(condition, location);
      }
      ++found;
    }
    if (state == 1 && token == '.') {
      state = 2;
    } else if (word != nullptr && (strcmp(word, "old") == 0 || strcmp(word, "new") == 0)) {
      state = 1;
    } else {
      state = 0;
    }
  }
  scanner_finish(scanner);
  return found;
}

}  // namespace

std::optional<std::string> rename_in_condition(const std::string& condition,
                                               const std::string& from, const std::string& to) {
  // However often the condition names the column: a first pass counts, a second one (only when
  // the first had too little room) stores them all. Never a partial rewrite.
  std::vector<NameSpan> spans(16);
  const char* text = condition.c_str();
  const char* column = from.c_str();
  int found = 0;
  while (true) {
    NameSpan* out = spans.data();
    int capacity = static_cast<int>(spans.size());
    found = pg::call(
        [text, column, out, capacity] { return column_spans(text, column, out, capacity); });
    if (found <= capacity) break;
    spans.resize(static_cast<std::size_t>(found));
  }
  if (found == 0) return std::nullopt;
  spans.resize(static_cast<std::size_t>(found));
  return replace_names(condition, spans, to, pg::quote_identifier(to));
}

}  // namespace pgdb::triggers
