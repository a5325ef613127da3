// Internals of lib/relabel shared by its .cpp files and unit tests; not part
// of the public API (others include only relabel.h).
#pragma once

#include <locale.h>
#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/go_regexp.h"
#include "model/status.h"
#include "model/utf8.h"
#include "relabel/relabel.h"

namespace tsdb::relabel::internal {

// Go's regexp, shared with label_replace (model/go_regexp.h).
inline Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view regex) { return CompileGoRegex(regex); }
using ::tsdb::FullMatchGroups;
inline std::string Expand(std::string_view tmpl, const re2::RE2& re, const std::vector<re2::StringPiece>& groups) {
  return ExpandGoTemplate(tmpl, re, groups);
}

using ::tsdb::AppendRune;  // model/utf8.h
using ::tsdb::DecodeRune;
using ::tsdb::Utf8Locale;  // model/go_regexp.h

// Go's strings.ToLower / strings.ToUpper (Unicode simple case mapping; in a
// non-ASCII string, invalid UTF-8 bytes become U+FFFD as Go's does).
std::string GoToLower(std::string_view s);
std::string GoToUpper(std::string_view s);

// Which fields a YAML rule wrote explicitly. Prometheus distinguishes "not
// given" from "given with the default value" for a few checks.
struct Explicit {
  bool regex = false;
  bool source_labels = false;
};

// Prometheus's Config.Validate with the UTF-8 name validation scheme.
Status Validate(const Config& c, const Explicit& given);

inline constexpr std::string_view kDefaultRegex = "(.*)";
inline constexpr std::string_view kDefaultSeparator = ";";
inline constexpr std::string_view kDefaultReplacement = "$1";

}  // namespace tsdb::relabel::internal
