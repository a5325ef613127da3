// UTF-8 runes and Go's strings.ToLower / strings.ToUpper, for the lowercase
// and uppercase actions.
#include <wctype.h>

#include <string>

#include "relabel/internal.h"

namespace tsdb::relabel::internal {

namespace {

template <bool kUpper>
std::string MapCase(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool ascii = true;
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    for (char c : s) {
      if (kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!kUpper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      out.push_back(c);
    }
    return out;
  }
  // Go's strings.Map(unicode.ToLower/ToUpper, s): invalid bytes become U+FFFD.
  locale_t utf8 = Utf8Locale();
  size_t i = 0;
  while (i < s.size()) {
    size_t width = 1;
    char32_t r = DecodeRune(s.substr(i), &width);
    i += width;
    if (utf8 != static_cast<locale_t>(nullptr)) {
      r = static_cast<char32_t>(kUpper ? towupper_l(static_cast<wint_t>(r), utf8)
                                       : towlower_l(static_cast<wint_t>(r), utf8));
    } else if (r < 0x80) {
      if (kUpper && r >= 'a' && r <= 'z') r = r - 'a' + 'A';
      if (!kUpper && r >= 'A' && r <= 'Z') r = r - 'A' + 'a';
    }
    AppendRune(r, &out);
  }
  return out;
}

}  // namespace

std::string GoToLower(std::string_view s) { return MapCase<false>(s); }
std::string GoToUpper(std::string_view s) { return MapCase<true>(s); }

}  // namespace tsdb::relabel::internal
