// UTF-8 runes and Go's strings.ToLower / strings.ToUpper, for the lowercase
// and uppercase actions.
#include <wctype.h>

#include <string>

#include "relabel/internal.h"

namespace tsdb::relabel::internal {

char32_t DecodeRune(std::string_view s, size_t* width) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c0 = b(0);
  *width = 1;
  if (c0 < 0x80) return c0;
  size_t n = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 0;
  if (n == 0 || n > s.size() || c0 > 0xF4) return 0xFFFD;
  char32_t r = c0 & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0xFFFD;
    r = (r << 6) | (b(i) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0xFFFD;
  *width = n;
  return r;
}

void AppendRune(char32_t r, std::string* out) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

locale_t Utf8Locale() {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return utf8;
}

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
