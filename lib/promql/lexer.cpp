#include "promql/lexer.h"

#include <cstdint>
#include <cstdio>

#include "model/quoting.h"
#include "model/utf8.h"

namespace tsdb::promql {
namespace {

// Go's lexer works on runes and uses -1 for the end of input.
constexpr char32_t kEof = 0xFFFFFFFF;

bool IsSpace(char32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(char32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(char32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(char32_t r) { return IsAlpha(r) || IsDigit(r); }
char32_t Lower(char32_t r) { return r >= 'A' && r <= 'Z' ? r + ('a' - 'A') : r; }
bool IsDurationKeywordStart(char32_t r) {
  r = Lower(r);
  return r == 's' || r == 'r' || r == 'm';  // step, range, max_of, min_of
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(Lower(static_cast<unsigned char>(c)));
  return out;
}

// Whether Go's strconv.IsPrint would print the rune verbatim (close enough:
// controls, C1 controls, surrogates, the BOM and non-characters are not).
bool IsPrint(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r >= 0x80 && r < 0xA0) return false;
  if (r == 0xAD || r == 0xFEFF || (r >= 0xD800 && r < 0xE000) || r > 0x10FFFF) return false;
  return true;
}

std::string Utf8(char32_t r) {
  std::string s;
  AppendRune(r, &s);
  return s;
}

// fmt's %q of a rune.
std::string QuoteRune(char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) r = kRuneError;
  char buf[16];
  switch (r) {
    case '\'': return "'\\''";
    case '\\': return "'\\\\'";
    case '\a': return "'\\a'";
    case '\b': return "'\\b'";
    case '\f': return "'\\f'";
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    case '\v': return "'\\v'";
    default: break;
  }
  if (IsPrint(r)) return "'" + Utf8(r) + "'";
  if (r < 0x80) {
    std::snprintf(buf, sizeof buf, "'\\x%02x'", static_cast<unsigned>(r));
  } else if (r < 0x10000) {
    std::snprintf(buf, sizeof buf, "'\\u%04x'", static_cast<unsigned>(r));
  } else {
    std::snprintf(buf, sizeof buf, "'\\U%08x'", static_cast<unsigned>(r));
  }
  return buf;
}

// fmt's %#U of a rune: U+0063 'c'.
std::string FormatRuneU(char32_t r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r));
  std::string out = buf;
  if (IsPrint(r)) out += " '" + Utf8(r) + "'";
  return out;
}

int DigitVal(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return 16;
}

struct Keyword {
  std::string_view word;
  Tok type;
};
constexpr Keyword kKeywords[] = {
    {"and", Tok::kLand},       {"or", Tok::kLor},           {"unless", Tok::kLunless},
    {"atan2", Tok::kAtan2},    {"offset", Tok::kOffset},    {"by", Tok::kBy},
    {"without", Tok::kWithout}, {"on", Tok::kOn},           {"ignoring", Tok::kIgnoring},
    {"group_left", Tok::kGroupLeft}, {"group_right", Tok::kGroupRight}, {"bool", Tok::kBool},
    {"fill", Tok::kFill},      {"fill_left", Tok::kFillLeft}, {"fill_right", Tok::kFillRight},
    {"start", Tok::kStart},    {"end", Tok::kEnd},          {"step", Tok::kStep},
    {"range", Tok::kRange},    {"max_of", Tok::kMaxOf},     {"min_of", Tok::kMinOf},
    {"sum", Tok::kAggregator}, {"avg", Tok::kAggregator},   {"count", Tok::kAggregator},
    {"min", Tok::kAggregator}, {"max", Tok::kAggregator},   {"group", Tok::kAggregator},
    {"stddev", Tok::kAggregator}, {"stdvar", Tok::kAggregator}, {"topk", Tok::kAggregator},
    {"bottomk", Tok::kAggregator}, {"count_values", Tok::kAggregator}, {"quantile", Tok::kAggregator},
    {"limitk", Tok::kAggregator}, {"limit_ratio", Tok::kAggregator},
    {"inf", Tok::kNumber},     {"nan", Tok::kNumber},
};

// fmt's "%.10q..." for long token texts, "%q" otherwise.
std::string QuoteTokenText(std::string_view s) {
  size_t runes = 0, i = 0;
  while (i < s.size() && runes < 10) {
    size_t w;
    DecodeRune(s.substr(i), &w);
    i += w;
    ++runes;
  }
  if (s.size() > 10 && i < s.size()) return GoQuote(s.substr(0, i)) + "...";
  return GoQuote(s);
}

}  // namespace

std::string DescribeToken(const Token& t) {
  switch (t.type) {
    case Tok::kEOF: return "end of input";
    case Tok::kError: return t.message;
    case Tok::kIdentifier: return "identifier " + GoQuote(t.text);
    case Tok::kMetricIdentifier: return "metric identifier " + GoQuote(t.text);
    case Tok::kNumber: return "number " + QuoteTokenText(t.text);
    case Tok::kDuration: return "duration " + QuoteTokenText(t.text);
    case Tok::kString: return "string " + QuoteTokenText(t.text);
    case Tok::kAggregator: return "<aggr:" + std::string(t.text) + ">";
    default: break;
  }
  if (t.type >= Tok::kAdd && t.type <= Tok::kAt) return "<op:" + std::string(t.text) + ">";
  if (t.type >= Tok::kBool && t.type <= Tok::kWithout) return "<" + std::string(t.text) + ">";
  return GoQuote(t.text);  // punctuation, start/end/step/range/max_of/min_of
}

char32_t Lexer::NextRune() {
  if (pos_ >= static_cast<int>(in_.size())) {
    width_ = 0;
    return kEof;
  }
  size_t w;
  char32_t r = DecodeRune(in_.substr(pos_), &w);
  width_ = static_cast<int>(w);
  pos_ += width_;
  return r;
}

char32_t Lexer::PeekRune() {
  char32_t r = NextRune();
  Backup();
  return r;
}

bool Lexer::Accept(std::string_view valid) {
  char32_t r = NextRune();
  if (r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
  Backup();
  return false;
}

bool Lexer::Is(std::string_view valid) {
  char32_t r = PeekRune();
  return r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos;
}

void Lexer::SkipSpaces() {
  while (IsSpace(PeekRune())) NextRune();
  start_ = pos_;
}

Token Lexer::Emit(Tok type) {
  Token t;
  t.type = type;
  t.pos = start_;
  t.text = in_.substr(start_, pos_ - start_);
  start_ = pos_;
  return t;
}

Token Lexer::Error(std::string message) {
  failed_ = true;
  error_ = Token{};
  error_.type = Tok::kError;
  error_.pos = start_;
  error_.message = std::move(message);
  return error_;
}

Token Lexer::Next() {
  if (failed_) return error_;
  switch (state_) {
    case State::kInsideBraces: return LexInsideBraces();
    case State::kDurationExpr: return LexDurationExpr();
    case State::kStatements: break;
  }
  return LexStatements();
}

Token Lexer::LexStatements() {
  for (;;) {
    if (in_.substr(pos_).starts_with('#')) {
      while (pos_ < static_cast<int>(in_.size()) && in_[pos_] != '\n' && in_[pos_] != '\r') ++pos_;
      start_ = pos_;
      continue;
    }
    char32_t r = NextRune();
    switch (r) {
      case kEof:
        if (paren_depth_ != 0) return Error("unclosed left parenthesis");
        if (bracket_open_) return Error("unclosed left bracket");
        return Emit(Tok::kEOF);
      case ' ': case '\t': case '\n': case '\r':
        SkipSpaces();
        continue;
      case ',': return Emit(Tok::kComma);
      case '*': return Emit(Tok::kMul);
      case '/': return Emit(Tok::kDiv);
      case '%': return Emit(Tok::kMod);
      case '+': return Emit(Tok::kAdd);
      case '-': return Emit(Tok::kSub);
      case '^': return Emit(Tok::kPow);
      case '@': return Emit(Tok::kAt);
      case '=': {
        char32_t t = PeekRune();
        if (t == '=') {
          NextRune();
          return Emit(Tok::kEqlc);
        }
        if (t == '~') return Error("unexpected character after '=': " + QuoteRune(t));
        return Emit(Tok::kEql);
      }
      case '!': {
        char32_t t = NextRune();
        if (t != '=') return Error("unexpected character after '!': " + QuoteRune(t));
        return Emit(Tok::kNeq);
      }
      case '<':
        if (PeekRune() == '=') {
          NextRune();
          return Emit(Tok::kLte);
        }
        return Emit(Tok::kLss);
      case '>':
        if (PeekRune() == '=') {
          NextRune();
          return Emit(Tok::kGte);
        }
        return Emit(Tok::kGtr);
      case '"': case '\'': return LexString(static_cast<char>(r));
      case '`': return LexRawString();
      case '(':
        ++paren_depth_;
        return Emit(Tok::kLeftParen);
      case ')': {
        Token t = Emit(Tok::kRightParen);
        if (--paren_depth_ < 0) return Error("unexpected right parenthesis ')'");
        return t;
      }
      case '{': {
        Token t = Emit(Tok::kLeftBrace);
        state_ = State::kInsideBraces;
        return t;
      }
      case '[': {
        if (bracket_open_) return Error("unexpected left bracket '['");
        got_colon_ = false;
        Token t = Emit(Tok::kLeftBracket);
        SkipSpaces();
        bracket_open_ = true;
        state_ = State::kDurationExpr;
        return t;
      }
      case ']': {
        if (!bracket_open_) return Error("unexpected right bracket ']'");
        Token t = Emit(Tok::kRightBracket);
        bracket_open_ = false;
        return t;
      }
      default: break;
    }
    if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
      Backup();
      return LexNumberOrDuration();
    }
    if (IsAlpha(r) || r == ':') {
      if (!bracket_open_) {
        Backup();
        return LexKeywordOrIdentifier();
      }
      // Inside brackets, after the range: only the subquery colon or a
      // duration keyword may follow.
      if (r == ':') {
        if (got_colon_) return Error("unexpected colon ':'");
        got_colon_ = true;
        return Emit(Tok::kColon);
      }
      Tok kw;
      if (IsDurationKeywordStart(r) && ScanDurationKeyword(&kw)) return Emit(kw);
      return Error("unexpected character: " + QuoteRune(r) + ", expected ':'");
    }
    return Error("unexpected character: " + QuoteRune(r));
  }
}

Token Lexer::LexInsideBraces() {
  for (;;) {
    if (in_.substr(pos_).starts_with('#')) {
      while (pos_ < static_cast<int>(in_.size()) && in_[pos_] != '\n' && in_[pos_] != '\r') ++pos_;
      start_ = pos_;
      continue;
    }
    char32_t r = NextRune();
    if (r == kEof) return Error("unexpected end of input inside braces");
    if (IsSpace(r)) {
      SkipSpaces();
      continue;
    }
    if (IsAlpha(r)) {
      Backup();
      return LexIdentifier();
    }
    switch (r) {
      case ',': return Emit(Tok::kComma);
      case '"': case '\'': return LexString(static_cast<char>(r));
      case '`': return LexRawString();
      case '=':
        if (NextRune() == '~') return Emit(Tok::kEqlRegex);
        Backup();
        return Emit(Tok::kEql);
      case '!': {
        char32_t nr = NextRune();
        if (nr == '~') return Emit(Tok::kNeqRegex);
        if (nr == '=') return Emit(Tok::kNeq);
        return Error("unexpected character after '!' inside braces: " + QuoteRune(nr));
      }
      case '{': return Error("unexpected left brace '{'");
      case '}': {
        Token t = Emit(Tok::kRightBrace);
        state_ = State::kStatements;
        return t;
      }
      default: return Error("unexpected character inside braces: " + QuoteRune(r));
    }
  }
}

// Right after '[' (and after operators inside it) until the first number or
// duration: what may start a duration expression.
Token Lexer::LexDurationExpr() {
  for (;;) {
    char32_t r = NextRune();
    switch (r) {
      case kEof: return Error("unexpected end of input in duration expression");
      case ']': {
        Token t = Emit(Tok::kRightBracket);
        bracket_open_ = false;
        got_colon_ = false;
        state_ = State::kStatements;
        return t;
      }
      case ':': {
        Token t = Emit(Tok::kColon);
        if (!got_duration_) return Error("unexpected colon before duration in duration expression");
        if (got_colon_) return Error("unexpected repeated colon in duration expression");
        got_colon_ = true;
        return t;
      }
      case '(':
        ++paren_depth_;
        return Emit(Tok::kLeftParen);
      case ')': {
        Token t = Emit(Tok::kRightParen);
        if (--paren_depth_ < 0) return Error("unexpected right parenthesis ')'");
        return t;
      }
      case ' ': case '\t': case '\n': case '\r':
        SkipSpaces();
        continue;
      case '+': return Emit(Tok::kAdd);
      case '-': return Emit(Tok::kSub);
      case '*': return Emit(Tok::kMul);
      case '/': return Emit(Tok::kDiv);
      case '%': return Emit(Tok::kMod);
      case '^': return Emit(Tok::kPow);
      case ',': return Emit(Tok::kComma);
      default: break;
    }
    if (IsDurationKeywordStart(r)) {
      Tok kw;
      if (ScanDurationKeyword(&kw)) return Emit(kw);
      return Error("unexpected character in duration expression: " + QuoteRune(r));
    }
    if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
      Backup();
      got_duration_ = true;
      state_ = State::kStatements;
      return LexNumberOrDuration();
    }
    return Error("unexpected character in duration expression: " + QuoteRune(r));
  }
}

bool Lexer::ScanDurationKeyword(Tok* out) {
  while (IsAlpha(NextRune())) {
  }
  Backup();
  std::string word = ToLower(in_.substr(start_, pos_ - start_));
  if (word == "step") *out = Tok::kStep;
  else if (word == "range") *out = Tok::kRange;
  else if (word == "max_of") *out = Tok::kMaxOf;
  else if (word == "min_of") *out = Tok::kMinOf;
  else return false;
  return true;
}

Token Lexer::LexNumberOrDuration() {
  if (ScanNumber()) return Emit(Tok::kNumber);
  if (AcceptRemainingDuration()) {
    Backup();
    return Emit(Tok::kDuration);
  }
  return Error("bad number or duration syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
}

bool Lexer::AcceptRemainingDuration() {
  static constexpr std::string_view kDigits = "0123456789";
  if (!Accept("smhdwy")) return false;
  Accept("s");  // ms; bad units like "hs" fail when the duration is parsed
  while (Accept(kDigits)) {
    while (Accept(kDigits)) {
    }
    if (!Accept("smhdw")) return false;
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

// Decimal, hex, octal and float literals with Go's underscore rules. The
// text is not necessarily a valid number; the parser checks that.
bool Lexer::ScanNumber() {
  const int initial = pos_;
  std::string_view digits = "0123456789";
  bool hex = false;
  if (Accept("0") && Accept("xX")) {
    Accept("_");
    digits = "0123456789abcdefABCDEF";
    hex = true;
  }
  std::string any(digits);
  any += "._eE";
  Accept(".");
  Accept(digits);
  bool dot = false, exponent = false;
  while (Is(any)) {
    if (Is(".") && dot) {
      Accept(".");
      return false;
    }
    if (Is("eE") && exponent) {
      Accept("eE");
      return false;
    }
    if (Accept(".")) {
      dot = true;
      if (Accept("_.")) return false;
      if (hex) return false;
      continue;
    }
    if (Accept("eE")) {
      exponent = true;
      Accept("+-");
      if (Accept("._eE") || PeekRune() == kEof) return false;
      continue;
    }
    if (Accept("_")) {
      if (Accept("._eE") || PeekRune() == kEof) return false;
      continue;
    }
    while (Accept(digits)) {
    }
  }
  if (pos_ == initial) return false;
  return !IsAlphaNumeric(PeekRune());
}

Token Lexer::LexKeywordOrIdentifier() {
  for (;;) {
    char32_t r = NextRune();
    if (!IsAlphaNumeric(r) && r != ':') break;
  }
  Backup();
  std::string_view word = in_.substr(start_, pos_ - start_);
  std::string lower = ToLower(word);
  for (const Keyword& k : kKeywords) {
    if (k.word != lower) continue;
    const bool fill = k.type == Tok::kFill || k.type == Tok::kFillLeft || k.type == Tok::kFillRight;
    if (fill && !FollowedByLeftParen()) return Emit(Tok::kIdentifier);
    return Emit(k.type);
  }
  return Emit(word.find(':') != std::string_view::npos ? Tok::kMetricIdentifier : Tok::kIdentifier);
}

// Whether the next character after spaces (not comments) is '(', as
// Prometheus's peekFollowedByLeftParen decides for the fill keywords.
bool Lexer::FollowedByLeftParen() const {
  for (size_t i = static_cast<size_t>(pos_); i < in_.size(); ++i) {
    if (!IsSpace(static_cast<unsigned char>(in_[i]))) return in_[i] == '(';
  }
  return false;
}

Token Lexer::LexIdentifier() {
  while (IsAlphaNumeric(NextRune())) {
  }
  Backup();
  return Emit(Tok::kIdentifier);
}

Token Lexer::LexString(char quote) {
  for (;;) {
    char32_t r = NextRune();
    if (r == '\\') {
      std::string error;
      if (!CheckEscape(quote, &error)) return Error(error);
      continue;
    }
    // Go's lexer also refuses a literal U+FFFD here: it cannot tell it apart.
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEof || r == '\n') return Error("unterminated quoted string");
    if (r == static_cast<char32_t>(quote)) break;
  }
  return Emit(Tok::kString);
}

Token Lexer::LexRawString() {
  for (;;) {
    char32_t r = NextRune();
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEof) return Error("unterminated raw string");
    if (r == '`') break;
  }
  return Emit(Tok::kString);
}

// One escape sequence after a backslash, checked as Go's scanner does.
bool Lexer::CheckEscape(char quote, std::string* error) {
  int n = 0;
  uint32_t base = 0, max = 0;
  char32_t ch = NextRune();
  switch (ch) {
    case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
      return true;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
      n = 3, base = 8, max = 255;
      break;
    case 'x':
      ch = NextRune();
      n = 2, base = 16, max = 255;
      break;
    case 'u':
      ch = NextRune();
      n = 4, base = 16, max = 0x10FFFF;
      break;
    case 'U':
      ch = NextRune();
      n = 8, base = 16, max = 0x10FFFF;
      break;
    case kEof:
      *error = "escape sequence not terminated";
      return false;
    default:
      if (ch == static_cast<char32_t>(quote)) return true;
      *error = "unknown escape sequence " + FormatRuneU(ch);
      return false;
  }
  uint64_t x = 0;
  while (n > 0) {
    uint32_t d = static_cast<uint32_t>(DigitVal(ch));
    if (d >= base) {
      *error = ch == kEof ? "escape sequence not terminated"
                          : "illegal character " + FormatRuneU(ch) + " in escape sequence";
      return false;
    }
    x = x * base + d;
    if (--n > 0) ch = NextRune();
  }
  if (x > max || (x >= 0xD800 && x < 0xE000)) {
    *error = "escape sequence is an invalid Unicode code point";
    return false;
  }
  return true;
}

}  // namespace tsdb::promql
