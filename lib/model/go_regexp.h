// Go's regexp as Prometheus uses it, for relabel_config and label_replace:
// both compile `^(?s:regex)$` and expand Go's replacement templates.
//
// RE2 is the engine (Go's regexp is RE2's syntax); these fill the gaps:
// Go's (?<name>...) group syntax, Go's error texts, and Go's Regexp.Expand.
#pragma once

#include <locale.h>
#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace tsdb {

// The regex as Prometheus 3 compiles it: ^(?s:regex)$ (so "." matches "\n").
// Errors read like Go's: "error parsing regexp: missing closing ): `...`".
Result<std::shared_ptr<const re2::RE2>> CompileGoRegex(std::string_view regex);

// Submatches of a full match of re against text; an entry whose data() is
// null did not participate. Empty when the regex does not match.
std::vector<re2::StringPiece> FullMatchGroups(const re2::RE2& re, std::string_view text);

// Go's regexp.Expand: $1, ${1}, $name, ${name}, $$; the longest run of
// letters, digits and '_' after '$' is the name ("$1x" is group "1x"); a
// malformed reference is copied as text; unknown or unmatched groups expand
// to nothing.
std::string ExpandGoTemplate(std::string_view tmpl, const re2::RE2& re, const std::vector<re2::StringPiece>& groups);

// The C.UTF-8 locale for Unicode character classes, or null if missing.
locale_t Utf8Locale();

}  // namespace tsdb
