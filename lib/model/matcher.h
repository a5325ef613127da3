// Matcher: one label matcher of a series selector (= != =~ !~).
//
// Semantics are Prometheus's: a missing label has the value "", so
// {a=""} matches series without `a` and {a!=""} those that have it; regexes are
// RE2 and fully anchored (`foo.*` means ^(?:foo.*)$). A Matcher is immutable
// and cheap to copy (the compiled regex is shared); thread-safe to use.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/status.h"

namespace re2 {
class RE2;
}

namespace tsdb {

class Matcher {
 public:
  enum class Type { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

  static Result<Matcher> Make(Type type, std::string name, std::string value);

  bool Matches(std::string_view value) const;
  bool Matches(const Labels& labels) const { return Matches(labels.Get(name_)); }

  Type type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  // The operator as written: "=", "!=", "=~", "!~".
  std::string_view op() const;
  // a="b", with the name quoted when it is not a legacy label name.
  std::string ToString() const;

 private:
  Matcher() = default;
  Type type_ = Type::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;
};

// True when every matcher matches.
bool MatchesAll(const std::vector<Matcher>& matchers, const Labels& labels);

}  // namespace tsdb
