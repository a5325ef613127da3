// Internals of lib/relabel shared by its .cpp files and unit tests; not part
// of the public API (others include only relabel.h).
#pragma once

#include <locale.h>
#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "model/utf8.h"
#include "relabel/relabel.h"

namespace tsdb::relabel::internal {

// The regex as Prometheus 3 compiles it: ^(?s:regex)$ (so "." matches "\n").
// Go's (?<name>...) group syntax is rewritten to RE2's (?P<name>...). Errors
// read like Go's: "error parsing regexp: missing closing ): `...`".
Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view regex);

// Submatches of a full match of re against text; an entry whose data() is
// null did not participate. Empty when the regex does not match.
std::vector<re2::StringPiece> FullMatchGroups(const re2::RE2& re, std::string_view text);

// Go's regexp.Expand: $1, ${1}, $name, ${name}, $$; the longest run of
// letters, digits and '_' after '$' is the name ("$1x" is group "1x"); a
// malformed reference is copied as text; unknown or unmatched groups expand
// to nothing.
std::string Expand(std::string_view tmpl, const re2::RE2& re, const std::vector<re2::StringPiece>& groups);

using ::tsdb::AppendRune;  // model/utf8.h
using ::tsdb::DecodeRune;
// The C.UTF-8 locale for Unicode character classes, or null if missing.
locale_t Utf8Locale();

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
