// The PromQL lexer: query text to tokens, as Prometheus's promql/parser/lex.go
// splits it.
//
// The lexer is a small state machine because PromQL's tokens depend on where
// they stand: inside braces keywords are plain label names and `=~` is one
// token, inside brackets only durations, numbers, arithmetic and step()-like
// keywords may appear, and aggregation names are keywords everywhere (the
// parser decides when a keyword is really a metric name). Lexing stops at the
// first error: the error token carries Prometheus's message, and every call
// after it returns the same error again.
//
// Comments (`# ...` to the end of the line) are skipped. Tokens point into the
// query text, which must outlive the lexer. Not thread-safe; cheap to create.
#pragma once

#include <string>
#include <string_view>

namespace tsdb::promql {

enum class Tok {
  kEOF,
  kError,
  kIdentifier,        // foo
  kMetricIdentifier,  // foo:bar (an identifier with a colon)
  kNumber,            // 1, 0x1f, 1e3, .5, Inf, NaN
  kDuration,          // 5m, 1h30m
  kString,            // "...", '...', `...` (text includes the quotes)
  // Punctuation.
  kLeftParen, kRightParen, kLeftBrace, kRightBrace, kLeftBracket, kRightBracket, kComma, kEql, kColon,
  // Operators.
  kAdd, kSub, kMul, kDiv, kMod, kPow, kEqlc, kNeq, kLte, kLss, kGte, kGtr, kEqlRegex, kNeqRegex,
  kLand, kLor, kLunless, kAtan2, kAt,
  // Aggregation operators (sum, topk, ...); which one is in Token::text.
  kAggregator,
  // Keywords. fill, fill_left and fill_right are keywords only when a '('
  // follows (after spaces); otherwise they lex as identifiers, so that metrics
  // of those names still parse.
  kBool, kBy, kFill, kFillLeft, kFillRight, kGroupLeft, kGroupRight, kIgnoring, kOffset, kOn, kWithout,
  // Preprocessors: @ start()/end() and the duration-expression functions.
  kStart, kEnd, kStep, kRange, kMaxOf, kMinOf,
};

struct Token {
  Tok type = Tok::kEOF;
  int pos = 0;            // byte offset of the first character
  std::string_view text;  // the token's bytes; for kError, empty (see message)
  std::string message;    // kError only: Prometheus's lexer message
  int end() const { return pos + static_cast<int>(text.size()); }
};

// How Prometheus names a token in "unexpected ..." messages: `<op:*>`,
// `<by>`, `<aggr:sum>`, `identifier "foo"`, `"("`, `end of input`.
std::string DescribeToken(const Token& t);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}
  Token Next();

 private:
  enum class State { kStatements, kInsideBraces, kDurationExpr };

  Token LexStatements();
  Token LexInsideBraces();
  Token LexDurationExpr();
  Token LexNumberOrDuration();
  Token LexString(char quote);
  Token LexRawString();
  Token LexKeywordOrIdentifier();
  Token LexIdentifier();
  bool ScanNumber();
  bool AcceptRemainingDuration();
  bool ScanDurationKeyword(Tok* out);
  bool FollowedByLeftParen() const;
  bool CheckEscape(char quote, std::string* error);

  // Rune access in Go's style: next() consumes, backup() undoes the last next().
  char32_t NextRune();
  char32_t PeekRune();
  void Backup() { pos_ -= width_; }
  bool Accept(std::string_view valid);
  bool Is(std::string_view valid);
  void SkipSpaces();

  Token Emit(Tok type);
  Token Error(std::string message);

  std::string_view in_;
  int pos_ = 0;
  int start_ = 0;
  int width_ = 0;
  State state_ = State::kStatements;
  int paren_depth_ = 0;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool got_duration_ = false;
  bool failed_ = false;
  Token error_;
};

}  // namespace tsdb::promql
