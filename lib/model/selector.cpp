#include "model/selector.h"

#include <algorithm>

#include "model/names.h"
#include "model/quoting.h"

namespace tsdb {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view in) : in_(in) {}

  Result<std::vector<Matcher>> Parse() {
    SkipSpace();
    std::string metric_name;
    bool have_name = false;
    if (pos_ < in_.size() && (IsIdentStart(in_[pos_]) || in_[pos_] == ':')) {
      size_t start = pos_;
      while (pos_ < in_.size() && (IsIdentChar(in_[pos_]) || in_[pos_] == ':')) ++pos_;
      metric_name = std::string(in_.substr(start, pos_ - start));
      have_name = true;
      TSDB_RETURN_IF_ERROR(Add(Matcher::Type::kEqual, std::string(kMetricNameLabel), metric_name, start));
      SkipSpace();
    }
    if (pos_ < in_.size() && in_[pos_] == '{') {
      ++pos_;
      TSDB_RETURN_IF_ERROR(ParseMatchers(have_name));
      SkipSpace();
    } else if (!have_name) {
      return Error(pos_, "expected a metric name or '{'");
    }
    if (pos_ != in_.size()) return Error(pos_, "unexpected " + Describe(pos_) + " after the selector");
    bool any_non_empty = false;
    for (const Matcher& m : matchers_) {
      if (!m.Matches(std::string_view())) any_non_empty = true;
    }
    if (!any_non_empty) {
      return Status::InvalidArgument("selector " + GoQuote(in_) +
                                     ": must contain at least one matcher that does not match the empty string");
    }
    return std::move(matchers_);
  }

 private:
  Status ParseMatchers(bool have_name) {
    for (;;) {
      SkipSpace();
      if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input, expected a label matcher or '}'");
      if (in_[pos_] == '}') {
        ++pos_;
        return Status::OK();
      }
      size_t name_at = pos_;
      std::string name;
      bool quoted_name = false;
      if (IsQuote(in_[pos_])) {
        TSDB_ASSIGN_OR_RETURN(name, ParseString());
        quoted_name = true;
      } else if (IsIdentStart(in_[pos_])) {
        size_t start = pos_;
        while (pos_ < in_.size() && IsIdentChar(in_[pos_])) ++pos_;
        name = std::string(in_.substr(start, pos_ - start));
      } else {
        return Error(pos_, "unexpected " + Describe(pos_) + ", expected a label name");
      }
      SkipSpace();
      if (quoted_name && (pos_ >= in_.size() || in_[pos_] == ',' || in_[pos_] == '}')) {
        // A lone quoted string is the metric name: {"my.metric"}.
        if (have_name) return Error(name_at, "metric name must not be set twice");
        if (name.empty()) return Error(name_at, "metric name must not be empty");
        have_name = true;
        TSDB_RETURN_IF_ERROR(Add(Matcher::Type::kEqual, std::string(kMetricNameLabel), name, name_at));
      } else {
        if (name.empty()) return Error(name_at, "label name must not be empty");
        if (!IsValidUTF8(name)) return Error(name_at, "label name is not valid UTF-8");
        Matcher::Type type;
        size_t op_at = pos_;
        if (in_.substr(pos_, 2) == "=~") {
          type = Matcher::Type::kRegexMatch, pos_ += 2;
        } else if (in_.substr(pos_, 2) == "!~") {
          type = Matcher::Type::kRegexNoMatch, pos_ += 2;
        } else if (in_.substr(pos_, 2) == "!=") {
          type = Matcher::Type::kNotEqual, pos_ += 2;
        } else if (in_.substr(pos_, 1) == "=") {
          type = Matcher::Type::kEqual, pos_ += 1;
        } else {
          return Error(op_at, "unexpected " + Describe(op_at) + ", expected a label matcher operator (=, !=, =~, !~)");
        }
        SkipSpace();
        if (pos_ >= in_.size() || !IsQuote(in_[pos_])) {
          return Error(pos_, "unexpected " + Describe(pos_) + ", expected a quoted label value");
        }
        size_t value_at = pos_;
        std::string value;
        TSDB_ASSIGN_OR_RETURN(value, ParseString());
        if (name == kMetricNameLabel && type == Matcher::Type::kEqual && have_name) {
          return Error(name_at, "metric name must not be set twice");
        }
        TSDB_RETURN_IF_ERROR(Add(type, std::move(name), std::move(value), value_at));
      }
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == '}') continue;
      return Error(pos_, "unexpected " + Describe(pos_) + ", expected ',' or '}'");
    }
  }

  Result<std::string> ParseString() {
    char quote = in_[pos_];
    size_t start = pos_++;
    while (pos_ < in_.size() && in_[pos_] != quote) {
      if (in_[pos_] == '\\' && quote != '`') ++pos_;
      ++pos_;
    }
    if (pos_ >= in_.size()) return Error(start, "unterminated quoted string");
    ++pos_;
    auto s = GoUnquote(in_.substr(start, pos_ - start));
    if (!s.ok()) return Error(start, s.status().message());
    return s;
  }

  Status Add(Matcher::Type type, std::string name, std::string value, size_t at) {
    auto m = Matcher::Make(type, std::move(name), std::move(value));
    if (!m.ok()) return Error(at, m.status().message());
    matchers_.push_back(std::move(m).value());
    return Status::OK();
  }

  static bool IsQuote(char c) { return c == '"' || c == '\'' || c == '`'; }
  void SkipSpace() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }
  std::string Describe(size_t at) const {
    if (at >= in_.size()) return "end of input";
    return GoQuote(in_.substr(at, 1));
  }
  Status Error(size_t at, const std::string& what) const {
    return Status::InvalidArgument("selector " + GoQuote(in_) + ": 1:" + std::to_string(at + 1) + ": " + what);
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::vector<Matcher> matchers_;
};

}  // namespace

Result<std::vector<Matcher>> ParseSelector(std::string_view input) { return SelectorParser(input).Parse(); }

std::string SelectorToString(const std::vector<Matcher>& matchers) {
  // A non-empty __name__="..." becomes the metric name only when it is the
  // one equality on __name__: a name (bare or quoted) followed by any
  // __name__="..." (an empty one included) does not parse ("metric name must
  // not be set twice"), so otherwise every matcher stays inside the braces.
  auto is_name_equality = [](const Matcher& m) {
    return m.name() == kMetricNameLabel && m.type() == Matcher::Type::kEqual;
  };
  auto is_name = [&](const Matcher& m) { return is_name_equality(m) && !m.value().empty(); };
  const bool one_name = std::count_if(matchers.begin(), matchers.end(), is_name_equality) == 1 &&
                        std::count_if(matchers.begin(), matchers.end(), is_name) == 1;
  std::string name;
  std::vector<const Matcher*> rest;
  for (const Matcher& m : matchers) {
    if (one_name && is_name(m)) {
      name = m.value();
    } else {
      rest.push_back(&m);
    }
  }
  std::string out;
  bool legacy = name.empty() || IsLegacyMetricName(name);
  if (legacy) out = name;
  if (!legacy || !rest.empty() || name.empty()) {
    out += '{';
    bool first = true;
    if (!legacy) {
      out += GoQuote(name);
      first = false;
    }
    for (const Matcher* m : rest) {
      if (!first) out += ", ";
      out += m->ToString();
      first = false;
    }
    out += '}';
  }
  return out;
}

}  // namespace tsdb
