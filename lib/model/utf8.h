// UTF-8 runes, decoded and encoded as Go's unicode/utf8 does it, so that
// everything Prometheus treats as a rune (quoting, case mapping, regexp
// expansion) is split the same way here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tsdb {

inline constexpr char32_t kRuneError = 0xFFFD;

// Decodes the rune at the start of `s` (which must not be empty), as Go's
// utf8.DecodeRuneInString: an invalid or truncated sequence yields
// kRuneError with *width 1; a real U+FFFD has *width 3.
char32_t DecodeRune(std::string_view s, size_t* width);
// Appends r as UTF-8; surrogates and values past U+10FFFF become U+FFFD.
void AppendRune(char32_t r, std::string* out);
// True when s is well-formed UTF-8 (no surrogates, no overlong forms).
bool IsValidUTF8(std::string_view s);

}  // namespace tsdb
