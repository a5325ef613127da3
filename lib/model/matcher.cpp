#include "model/matcher.h"

#include <re2/re2.h>

#include "model/names.h"
#include "model/quoting.h"

namespace tsdb {

Result<Matcher> Matcher::Make(Type type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == Type::kRegexMatch || type == Type::kRegexNoMatch) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Go's regexp in Prometheus is compiled with (?s)
    auto re = std::make_shared<RE2>("^(?:" + m.value_ + ")$", opts);
    if (!re->ok()) {
      return Status::InvalidArgument("invalid regular expression " + GoQuote(m.value_) + ": " + re->error());
    }
    m.re_ = std::move(re);
  }
  return m;
}

bool Matcher::Matches(std::string_view value) const {
  switch (type_) {
    case Type::kEqual: return value == value_;
    case Type::kNotEqual: return value != value_;
    case Type::kRegexMatch: return RE2::FullMatch(value, *re_);
    case Type::kRegexNoMatch: return !RE2::FullMatch(value, *re_);
  }
  return false;
}

std::string_view Matcher::op() const {
  switch (type_) {
    case Type::kEqual: return "=";
    case Type::kNotEqual: return "!=";
    case Type::kRegexMatch: return "=~";
    case Type::kRegexNoMatch: return "!~";
  }
  return "?";
}

std::string Matcher::ToString() const {
  std::string out = IsLegacyLabelName(name_) ? name_ : GoQuote(name_);
  out += op();
  out += GoQuote(value_);
  return out;
}

bool MatchesAll(const std::vector<Matcher>& matchers, const Labels& labels) {
  for (const Matcher& m : matchers) {
    if (!m.Matches(labels)) return false;
  }
  return true;
}

}  // namespace tsdb
