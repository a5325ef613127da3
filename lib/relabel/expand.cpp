// Go's regexp.Expand, the template language of relabel replacements and
// target labels. RE2's Rewrite differs (\1 syntax, no names), so this is Go's
// algorithm.
#include <wctype.h>

#include <string>

#include "relabel/internal.h"

namespace tsdb::relabel::internal {
namespace {

// unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'.
bool IsWordRune(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_';
  if (r == 0xFFFD) return false;
  locale_t utf8 = Utf8Locale();
  if (utf8 == static_cast<locale_t>(nullptr)) return false;
  // glibc's "alpha" class holds letters and the decimal digits of all scripts.
  return iswalpha_l(static_cast<wint_t>(r), utf8) != 0;
}

// Go's extract(): parses a reference after '$'. Returns false when malformed.
bool Extract(std::string_view str, std::string_view* name, int* num, std::string_view* rest) {
  if (str.empty()) return false;
  bool brace = false;
  if (str[0] == '{') {
    brace = true;
    str.remove_prefix(1);
  }
  size_t i = 0;
  while (i < str.size()) {
    size_t width = 1;
    char32_t r = DecodeRune(str.substr(i), &width);
    if (!IsWordRune(r)) break;
    i += width;
  }
  if (i == 0) return false;  // an empty name is not okay
  *name = str.substr(0, i);
  if (brace) {
    if (i >= str.size() || str[i] != '}') return false;  // missing closing brace
    ++i;
  }
  *num = 0;
  for (char c : *name) {
    if (c < '0' || c > '9' || *num >= 100000000) {
      *num = -1;
      break;
    }
    *num = *num * 10 + (c - '0');
  }
  if ((*name)[0] == '0' && name->size() > 1) *num = -1;  // no leading zeros
  *rest = str.substr(i);
  return true;
}

}  // namespace

std::string Expand(std::string_view tmpl, const re2::RE2& re, const std::vector<re2::StringPiece>& groups) {
  std::string dst;
  auto append_group = [&](size_t index) {
    if (index < groups.size() && groups[index].data() != nullptr) {
      dst.append(groups[index].data(), groups[index].size());
    }
  };
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    dst.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {  // $$ is a literal $
      dst.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view name, rest;
    int num = 0;
    if (!Extract(tmpl, &name, &num, &rest)) {
      dst.push_back('$');  // malformed: the $ is text
      continue;
    }
    tmpl = rest;
    if (num >= 0) {
      append_group(static_cast<size_t>(num));
    } else {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      if (it != named.end()) append_group(static_cast<size_t>(it->second));
    }
  }
  dst.append(tmpl);
  return dst;
}

}  // namespace tsdb::relabel::internal
