#include "script.h"

#include <re2/re2.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "model/quoting.h"
#include "model/selector.h"
#include "model/timeutil.h"
#include "model/value.h"

namespace tsdb::promqltest {
namespace {

// Prometheus's own patterns (test.go), in RE2 as Go's regexp is.
const RE2& PatLoad() {
  static const RE2 re(R"(^load(?:_(with_nhcb))?\s+(.+?)$)");
  return re;
}
const RE2& PatEvalInstant() {
  static const RE2 re(R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  return re;
}
const RE2& PatEvalRange() {
  static const RE2 re(R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)");
  return re;
}
const RE2& PatExpect() {
  static const RE2 re(R"(^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$)");
  return re;
}
const RE2& PatExpectRange() {
  static const RE2 re(R"(^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$)");
  return re;
}

constexpr std::string_view kRangeVectorPrefix = "expect range vector";
constexpr std::string_view kExpectStringPrefix = "expect string";
constexpr size_t kMaxRepeat = 10'000'000;  // a typo should not allocate the machine away

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

Status Error(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

// Go's strconv.ParseInt(s, 0, 64): sign, base prefix (0x, 0o, 0b, or a
// leading 0 for octal), underscores between digits only with a prefix.
bool ParseGoInt(std::string_view s, double* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  bool prefixed = false;
  if (s.size() > 1 && s[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
    if (p == 'x') base = 16, s.remove_prefix(2), prefixed = true;
    else if (p == 'o') base = 8, s.remove_prefix(2), prefixed = true;
    else if (p == 'b') base = 2, s.remove_prefix(2), prefixed = true;
    else base = 8, s.remove_prefix(1), prefixed = true;
  }
  if (s.empty() && base != 8) return false;
  uint64_t v = 0;
  bool last_underscore = true;  // no leading underscore without a prefix
  if (prefixed) last_underscore = false;
  for (char c : s) {
    if (c == '_') {
      if (!prefixed || last_underscore) return false;
      last_underscore = true;
      continue;
    }
    int d;
    if (IsDigit(c)) d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (d >= base) return false;
    if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      return false;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    last_underscore = false;
  }
  if (last_underscore && !s.empty()) return false;
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (neg ? 1 : 0)) return false;
  *out = neg ? -static_cast<double>(v) : static_cast<double>(v);
  if (neg && v == 0) *out = 0;  // ParseInt("-0") is the integer 0
  return true;
}

// Go's strconv.ParseFloat(s, 64), near enough: strtod on the whole string,
// "Inf"/"Infinity"/"NaN" in any case, no "nan(...)" payloads.
bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  std::string_view body = s;
  bool neg = false;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  std::string lower = Lower(body);
  if (lower == "inf" || lower == "infinity") {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower == "nan") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (body.empty() || !(IsDigit(body[0]) || body[0] == '.')) return false;
  std::string copy;
  copy.reserve(s.size());
  for (char c : s) {
    if (c != '_') copy.push_back(c);  // Go accepts underscores only in based forms; harmless here
  }
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  if (errno == ERANGE && std::isinf(v)) return false;  // Go: ErrRange for overflow only
  *out = v;
  return true;
}

// Reads a series-description sequence as Prometheus's lexer and grammar do.
class SequenceParser {
 public:
  explicit SequenceParser(std::string_view in) : in_(in) {}

  Result<std::vector<SequenceValue>> Parse() {
    while (true) {
      while (pos_ < in_.size() && IsSpace(in_[pos_])) ++pos_;
      if (pos_ >= in_.size()) break;
      size_t item_start = pos_;
      Status s = Item();
      if (!s.ok()) return s;
      if (pos_ < in_.size() && !IsSpace(in_[pos_])) {
        return Error("unexpected " + Describe() + " in series values after \"" +
                     std::string(in_.substr(item_start, pos_ - item_start)) + "\"");
      }
    }
    return std::move(out_);
  }

 private:
  std::string Describe() const {
    if (pos_ >= in_.size()) return "end of input";
    return "\"" + std::string(in_.substr(pos_, 1)) + "\" at column " + std::to_string(pos_ + 1);
  }

  Status Item() {
    if (in_.substr(pos_, 2) == "{{") return HistogramItem();
    if (in_[pos_] == '_') {
      ++pos_;
      if (pos_ < in_.size() && in_[pos_] == 'x') {
        ++pos_;
        uint64_t n;
        TSDB_RETURN_IF_ERROR(Uint(&n));
        for (uint64_t i = 0; i < n; ++i) out_.push_back({0, true, false});
      } else {
        out_.push_back({0, true, false});
      }
      return Status::OK();
    }
    double v;
    TSDB_RETURN_IF_ERROR(SeriesValue(&v));
    if (pos_ < in_.size() && in_[pos_] == 'x') {
      ++pos_;
      uint64_t n;
      TSDB_RETURN_IF_ERROR(Uint(&n));
      for (uint64_t i = 0; i <= n; ++i) out_.push_back({v, false, false});
      return Status::OK();
    }
    if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) {
      double delta;
      TSDB_RETURN_IF_ERROR(SignedNumber(&delta));
      if (pos_ >= in_.size() || in_[pos_] != 'x') return Error("expected \"x\" after the increment, got " + Describe());
      ++pos_;
      uint64_t n;
      TSDB_RETURN_IF_ERROR(Uint(&n));
      for (uint64_t i = 0; i <= n; ++i) {  // accumulated, as Prometheus's parser does
        out_.push_back({v, false, false});
        v += delta;
      }
      return Status::OK();
    }
    out_.push_back({v, false, false});
    return Status::OK();
  }

  Status HistogramItem() {
    TSDB_RETURN_IF_ERROR(SkipHistogram());
    uint64_t count = 1;
    if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-') && in_.substr(pos_ + 1, 2) == "{{") {
      ++pos_;
      TSDB_RETURN_IF_ERROR(SkipHistogram());
      if (pos_ >= in_.size() || in_[pos_] != 'x') return Error("expected \"x\" after a histogram increment");
      ++pos_;
      uint64_t n;
      TSDB_RETURN_IF_ERROR(Uint(&n));
      count = n + 1;
    } else if (pos_ < in_.size() && in_[pos_] == 'x') {
      ++pos_;
      uint64_t n;
      TSDB_RETURN_IF_ERROR(Uint(&n));
      count = n + 1;
    }
    for (uint64_t i = 0; i < count; ++i) out_.push_back({0, false, true});
    return Status::OK();
  }

  Status SkipHistogram() {
    size_t end = in_.find("}}", pos_ + 2);
    if (end == std::string_view::npos) return Error("unterminated histogram \"{{\" at column " + std::to_string(pos_ + 1));
    pos_ = end + 2;
    return Status::OK();
  }

  Status Uint(uint64_t* n) {
    size_t start = pos_;
    uint64_t v = 0;
    while (pos_ < in_.size() && IsDigit(in_[pos_])) {
      v = v * 10 + static_cast<uint64_t>(in_[pos_] - '0');
      if (v > kMaxRepeat) return Error("repeat count too large at column " + std::to_string(start + 1));
      ++pos_;
    }
    if (pos_ == start) return Error("expected a repeat count, got " + Describe());
    *n = v;
    return Status::OK();
  }

  // series_value: `stale` | number | signed_number.
  Status SeriesValue(double* v) {
    if (in_[pos_] == '+' || in_[pos_] == '-') return SignedNumber(v);
    if (IsAlpha(in_[pos_])) {
      size_t start = pos_;
      while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
      std::string_view word = in_.substr(start, pos_ - start);
      if (word == "stale") {
        *v = StaleNaN();
        return Status::OK();
      }
      pos_ = start;
    }
    return Number(v);
  }

  Status SignedNumber(double* v) {
    bool neg = in_[pos_] == '-';
    ++pos_;
    TSDB_RETURN_IF_ERROR(Number(v));
    if (neg) *v = -*v;
    return Status::OK();
  }

  // NUMBER: a decimal number (no hex in series descriptions), Inf or NaN.
  Status Number(double* v) {
    size_t start = pos_;
    if (pos_ < in_.size() && IsAlpha(in_[pos_])) {
      while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
      std::string word = Lower(in_.substr(start, pos_ - start));
      if (word == "inf") {
        *v = std::numeric_limits<double>::infinity();
        return Status::OK();
      }
      if (word == "nan") {
        *v = std::numeric_limits<double>::quiet_NaN();
        return Status::OK();
      }
      return Error("unexpected \"" + std::string(in_.substr(start, pos_ - start)) +
                   "\" in series values, expected number or \"stale\"");
    }
    bool dot = false, exp = false;
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (IsDigit(c) || c == '_') {
        ++pos_;
      } else if (c == '.' && !dot && !exp) {
        dot = true;
        ++pos_;
      } else if ((c == 'e' || c == 'E') && !exp && pos_ > start) {
        exp = true;
        ++pos_;
        if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      } else {
        break;
      }
    }
    if (pos_ == start) return Error("expected a number, got " + Describe());
    if (pos_ < in_.size() && in_[pos_] != 'x' && IsAlnum(in_[pos_])) {
      return Error("bad number syntax at column " + std::to_string(start + 1));
    }
    auto n = ParseNumber(in_.substr(start, pos_ - start));
    if (!n.ok()) return n.status();
    *v = *n;
    return Status::OK();
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::vector<SequenceValue> out_;
};

// Where the metric part of a series description ends: after the name and
// the braces (quotes inside them respected).
Result<size_t> MetricEnd(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (IsAlnum(line[i]) || line[i] == ':')) ++i;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      char q = line[i];
      if (q == '"' || q == '\'' || q == '`') {
        ++i;
        while (i < line.size() && line[i] != q) {
          if (line[i] == '\\' && q != '`') ++i;
          ++i;
        }
        if (i >= line.size()) return Error("unterminated string in series labels");
      }
      ++i;
    }
    if (i >= line.size()) return Error("missing \"}\" in series labels");
    ++i;
  }
  if (i == 0) return Error("expected a metric name or \"{\" at the start of \"" + std::string(line) + "\"");
  return i;
}

Result<Labels> ParseMetric(std::string_view metric) {
  std::string_view inner;
  if (metric.front() == '{') inner = Trim(metric.substr(1, metric.size() - 2));
  if (metric.front() == '{' && inner.empty()) return Labels();
  auto matchers = ParseSelector(metric);
  bool placeholder = false;
  constexpr std::string_view kPlaceholder = "__promqltest_placeholder__";
  if (!matchers.ok() && metric.front() == '{') {
    // {a=""}: a label set need not select anything, a selector must.
    std::string padded = "{" + std::string(kPlaceholder) + "=\"x\", " + std::string(metric.substr(1));
    auto retry = ParseSelector(padded);
    if (retry.ok()) {
      matchers = std::move(retry);
      placeholder = true;
    }
  }
  if (!matchers.ok()) return matchers.status();
  std::vector<Label> pairs;
  for (const Matcher& m : *matchers) {
    if (m.type() != Matcher::Type::kEqual) return Error("label " + m.ToString() + ": expected \"=\" in a series label set");
    if (placeholder && m.name() == kPlaceholder) continue;
    pairs.push_back({m.name(), m.value()});
  }
  return Labels::FromPairs(std::move(pairs));
}

// The lines of a script, trimmed, comments blanked.
std::vector<std::string> GetLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = Trim(text.substr(start, end - start));
    if (StartsWith(l, "#")) l = {};
    lines.emplace_back(l);
    start = end + 1;
  }
  return lines;
}

// The first field of a line split at runs of spaces and tabs.
std::string_view FirstField(std::string_view l) {
  size_t end = 0;
  while (end < l.size() && l[end] != ' ' && l[end] != '\t') ++end;
  return l.substr(0, end);
}

bool IsSTLine(std::string_view l) {
  size_t space = l.find_first_of(" \t");
  if (space == std::string_view::npos) return false;
  std::string_view head = l.substr(0, space);
  return head.size() >= 3 && head.substr(head.size() - 3) == "@st";
}

class ScriptParser {
 public:
  explicit ScriptParser(std::string_view text) : lines_(GetLines(text)) {}

  std::vector<Command> Parse() {
    for (size_t i = 0; i < lines_.size(); ++i) {
      const std::string& l = lines_[i];
      if (l.empty()) continue;
      std::string c = Lower(FirstField(l));
      Command cmd;
      cmd.line = static_cast<int>(i) + 1;
      Status s;
      if (c == "clear") {
        cmd.kind = Command::Kind::kClear;
      } else if (StartsWith(c, "load")) {
        cmd.kind = Command::Kind::kLoad;
        s = ParseLoad(&i, &cmd.load);
      } else if (StartsWith(c, "eval")) {
        cmd.kind = Command::Kind::kEval;
        s = ParseEval(&i, &cmd.eval);
        cmd.error_in_eval = true;
      } else {
        s = Error("invalid command \"" + l + "\"");
      }
      if (!s.ok()) {
        cmd.kind = Command::Kind::kError;
        cmd.error = s.message();
        while (i < lines_.size() && !lines_[i].empty()) ++i;  // resume after the block
      }
      commands_.push_back(std::move(cmd));
    }
    return std::move(commands_);
  }

 private:
  static std::string At(size_t i) { return "line " + std::to_string(i + 1) + ": "; }

  Status ParseLoad(size_t* i, LoadCmd* cmd) {
    std::string step;
    std::string nhcb;
    if (!RE2::FullMatch(lines_[*i], PatLoad(), &nhcb, &step)) {
      return Error(At(*i) + "invalid load command. (load[_with_nhcb] <step:duration>)");
    }
    auto gap = ParseDuration(step);
    if (!gap.ok()) return Error(At(*i) + "invalid step definition \"" + step + "\": " + gap.status().message());
    cmd->interval_ms = *gap;
    cmd->with_nhcb = nhcb == "with_nhcb";
    while (*i + 1 < lines_.size() && !lines_[*i + 1].empty()) {
      ++*i;
      const std::string& def = lines_[*i];
      if (IsSTLine(def)) {
        size_t space = def.find_first_of(" \t");
        std::string metric = def.substr(0, space - 3);
        auto desc = ParseSeriesDesc(metric);
        if (!desc.ok()) return Error(At(*i) + "invalid @st line metric: " + desc.status().message());
        cmd->start_timestamp_series.push_back(std::move(desc->labels));
        continue;
      }
      auto desc = ParseSeriesDesc(def);
      if (!desc.ok()) return Error(At(*i) + desc.status().message());
      bool replaced = false;
      for (SeriesDesc& d : cmd->series) {
        if (d.labels == desc->labels) {
          d = std::move(*desc);
          replaced = true;
          break;
        }
      }
      if (!replaced) cmd->series.push_back(std::move(*desc));
    }
    return Status::OK();
  }

  static Status Durations(const std::string& from, const std::string& to, const std::string& step, int64_t* f,
                          int64_t* t, int64_t* s) {
    auto pf = ParseDuration(from);
    if (!pf.ok()) return Error("invalid start timestamp definition \"" + from + "\": " + pf.status().message());
    auto pt = ParseDuration(to);
    if (!pt.ok()) return Error("invalid end timestamp definition \"" + to + "\": " + pt.status().message());
    if (*pt < *pf) {
      return Error("invalid test definition, end timestamp (" + to + ") is before start timestamp (" + from + ")");
    }
    auto ps = ParseDuration(step);
    if (!ps.ok()) return Error("invalid step definition \"" + step + "\": " + ps.status().message());
    *f = *pf;
    *t = *pt;
    *s = *ps;
    return Status::OK();
  }

  Status ParseEval(size_t* i, EvalCmd* cmd) {
    const std::string& l = lines_[*i];
    std::string mod, at, expr, from, to, step;
    bool instant = RE2::FullMatch(l, PatEvalInstant(), &mod, &at, &expr);
    if (!instant && !RE2::FullMatch(l, PatEvalRange(), &mod, &from, &to, &step, &expr)) {
      return Error(At(*i) +
                   "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] instant [at "
                   "<offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> step <step> <query>'");
    }
    cmd->expr = expr;
    std::string where = At(*i) + "error in eval " + expr + ": ";
    if (instant) {
      auto t = ParseDuration(at);
      if (!t.ok()) return Error(where + "invalid timestamp definition \"" + at + "\": " + t.status().message());
      cmd->eval_ms = cmd->start_ms = *t;
      cmd->end_ms = std::numeric_limits<int64_t>::min();
    } else {
      cmd->range = true;
      Status s = Durations(from, to, step, &cmd->start_ms, &cmd->end_ms, &cmd->step_ms);
      if (!s.ok()) return Error(where + s.message());
    }
    if (mod == "ordered") cmd->ordered = true;
    if (mod == "fail") cmd->fail = true;
    if (mod == "warn") cmd->warn = true;
    if (mod == "info") cmd->info = true;

    for (int j = 1; *i + 1 < lines_.size(); ++j) {
      if (lines_[*i + 1].empty()) break;
      ++*i;
      const std::string& def = lines_[*i];
      if (cmd->fail && StartsWith(def, "expected_fail_message")) {
        cmd->fail_message = std::string(Trim(std::string_view(def).substr(21)));
        break;
      }
      if (cmd->fail && StartsWith(def, "expected_fail_regexp")) {
        cmd->fail_regexp = std::string(Trim(std::string_view(def).substr(20)));
        RE2 re(cmd->fail_regexp, RE2::Quiet);
        if (!re.ok()) return Error(where + "invalid regexp '" + cmd->fail_regexp + "' for expected_fail_regexp");
        break;
      }
      if (StartsWith(def, kRangeVectorPrefix)) {
        std::string f, t, s;
        if (!RE2::FullMatch(def, PatExpectRange(), &f, &t, &s)) {
          return Error(where + "invalid range vector definition \"" + def + "\"");
        }
        Status st = Durations(f, t, s, &cmd->start_ms, &cmd->end_ms, &cmd->step_ms);
        if (!st.ok()) return Error(where + st.message());
        cmd->eval_ms = cmd->end_ms;
        cmd->expect_range_vector = true;
        continue;
      }
      if (StartsWith(def, kExpectStringPrefix)) {
        std::string_view lit = std::string_view(def).substr(kExpectStringPrefix.size());
        if (lit.empty() || lit[0] != ' ' || lit.size() == 1) {
          return Error(where + "expected string literal not valid - a quoted string literal is required");
        }
        auto s = GoUnquote(lit.substr(1));
        if (!s.ok()) return Error(where + "expected string literal not valid - check that the string is correctly quoted");
        cmd->has_expected_string = true;
        cmd->expected_string = *s;
        continue;
      }
      if (def.substr(0, def.find(' ')) == "expect") {
        TSDB_RETURN_IF_ERROR(ParseExpect(def, where, cmd));
        --j;
        continue;
      }
      if (auto f = ParseNumber(def); f.ok()) {
        cmd->expect_scalar = true;
        cmd->scalar = {*f, false, false};
        break;
      }
      auto desc = ParseSeriesDesc(def);
      if (!desc.ok()) return Error(At(*i) + desc.status().message());
      if (desc->values.size() > 1 && instant && !cmd->expect_range_vector) {
        return Error(where +
                     "expecting multiple values in instant evaluation not allowed. consider using 'expect range "
                     "vector' directive to enable a range vector result for an instant query");
      }
      for (const SequenceValue& v : desc->values) cmd->expects_histogram |= v.histogram;
      cmd->expect_scalar = false;
      bool replaced = false;
      for (ExpectedSeries& e : cmd->expected) {
        if (e.labels == desc->labels) {
          e.values = std::move(desc->values);
          e.pos = j;
          replaced = true;
          break;
        }
      }
      if (!replaced) cmd->expected.push_back({std::move(desc->labels), std::move(desc->values), j});
    }
    return Status::OK();
  }

  static Status ParseExpect(const std::string& def, const std::string& where, EvalCmd* cmd) {
    std::string mode, kind, text;
    if (!RE2::FullMatch(std::string(Trim(def)), PatExpect(), &mode, &kind, &text)) {
      return Error(where + "invalid expect statement, must match `expect <type> <match_type>: <string>` format");
    }
    ExpectText e;
    if (kind == "msg") {
      e.text = std::string(Trim(text));
    } else if (kind == "regex") {
      e.text = std::string(Trim(text));
      e.regex = true;
      RE2 re(e.text, RE2::Quiet);
      if (!re.ok()) return Error(where + "invalid regex " + e.text + " for " + mode);
    } else {
      e.regex = true;  // anything matches
    }
    if (mode == "fail") {
      if (!cmd->expect_fail.empty()) return Error(where + "invalid expect lines, multiple expect fail lines are not allowed");
      cmd->expect_fail.push_back(std::move(e));
    } else if (mode == "warn") {
      cmd->expect_warn.push_back(std::move(e));
    } else if (mode == "info") {
      cmd->expect_info.push_back(std::move(e));
    } else if (mode == "no_warn") {
      cmd->expect_no_warn = true;
    } else if (mode == "no_info") {
      cmd->expect_no_info = true;
    } else if (mode == "ordered") {
      cmd->expect_ordered = true;
    }
    if (!cmd->expect_info.empty() && cmd->expect_no_info) {
      return Error(where + "invalid expect lines, info and no_info cannot be used together");
    }
    if (!cmd->expect_warn.empty() && cmd->expect_no_warn) {
      return Error(where + "invalid expect lines, warn and no_warn cannot be used together");
    }
    return Status::OK();
  }

  std::vector<std::string> lines_;
  std::vector<Command> commands_;
};

}  // namespace

Result<double> ParseNumber(std::string_view s) {
  double v;
  if (ParseGoInt(s, &v) || ParseGoFloat(s, &v)) return v;
  return Error("error parsing number: \"" + std::string(s) + "\"");
}

Result<std::vector<SequenceValue>> ParseSequence(std::string_view text) { return SequenceParser(text).Parse(); }

Result<SeriesDesc> ParseSeriesDesc(std::string_view line) {
  line = Trim(line);
  auto end = MetricEnd(line);
  if (!end.ok()) return end.status();
  std::string_view metric = line.substr(0, *end);
  std::string_view rest = line.substr(*end);
  if (!rest.empty() && !IsSpace(rest[0])) {
    return Error("unexpected \"" + std::string(rest.substr(0, 1)) + "\" after the series labels \"" +
                 std::string(metric) + "\"");
  }
  SeriesDesc desc;
  auto labels = ParseMetric(metric);
  if (!labels.ok()) return labels.status();
  desc.labels = std::move(*labels);
  auto values = ParseSequence(rest);
  if (!values.ok()) return values.status();
  desc.values = std::move(*values);
  return desc;
}

std::vector<Command> ParseScript(std::string_view text) { return ScriptParser(text).Parse(); }

std::string ScriptLine(std::string_view text, int line) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return "";
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  return std::string(Trim(text.substr(start, end - start)));
}

}  // namespace tsdb::promqltest
