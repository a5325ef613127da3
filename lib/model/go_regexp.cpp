// Go's regexp as Prometheus uses it, with RE2 standing in: compiling
// (anchored, Go's group syntax and error texts) and Regexp.Expand.
#include "model/go_regexp.h"

#include <wctype.h>

#include <string>

#include "model/utf8.h"

namespace tsdb {

locale_t Utf8Locale() {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return utf8;
}

namespace {

// Go accepts (?<name>re) as well as (?P<name>re); RE2 of 2022 only the
// latter. Rewrites the former outside escapes, \Q...\E and character classes.
std::string RewriteNamedGroups(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  bool in_class = false;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\') {
      if (!in_class && i + 1 < s.size() && s[i + 1] == 'Q') {
        size_t end = s.find("\\E", i + 2);
        size_t stop = end == std::string_view::npos ? s.size() : end + 2;
        out.append(s.substr(i, stop - i));
        i = stop;
        continue;
      }
      out.append(s.substr(i, 2));
      i += 2;
      continue;
    }
    if (in_class) {
      if (c == '[' && i + 1 < s.size() && s[i + 1] == ':') {
        size_t end = s.find(":]", i + 2);
        if (end != std::string_view::npos) {
          out.append(s.substr(i, end + 2 - i));
          i = end + 2;
          continue;
        }
      }
      if (c == ']') in_class = false;
      out.push_back(c);
      ++i;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back(c);
      ++i;
      if (i < s.size() && s[i] == '^') out.push_back(s[i++]);
      if (i < s.size() && s[i] == ']') out.push_back(s[i++]);  // a literal ']'
      continue;
    }
    if (s.substr(i, 3) == "(?<" && i + 3 < s.size() && s[i + 3] != '=' && s[i + 3] != '!') {
      out.append("(?P<");
      i += 3;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

// Go's regexp/syntax error texts for RE2's codes.
std::string_view GoErrorText(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape: return "invalid escape sequence";
    case RE2::ErrorBadCharClass: return "invalid character class";
    case RE2::ErrorBadCharRange: return "invalid character class range";
    case RE2::ErrorMissingBracket: return "missing closing ]";
    case RE2::ErrorMissingParen: return "missing closing )";
    case RE2::ErrorUnexpectedParen: return "unexpected )";
    case RE2::ErrorTrailingBackslash: return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument: return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize: return "invalid repeat count";
    case RE2::ErrorRepeatOp: return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp: return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8: return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture: return "invalid named capture";
    case RE2::ErrorPatternTooLarge: return "expression too large";
    default: return "internal error";
  }
}

}  // namespace

Result<std::shared_ptr<const re2::RE2>> CompileGoRegex(std::string_view regex) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(int64_t{64} << 20);  // Go has no such budget; be generous
  std::string anchored = "^(?s:" + RewriteNamedGroups(regex) + ")$";
  auto re = std::make_shared<const re2::RE2>(anchored, options);
  if (!re->ok()) {
    return Status::InvalidArgument("error parsing regexp: " + std::string(GoErrorText(re->error_code())) + ": `" +
                                   re->error_arg() + "`");
  }
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

std::vector<re2::StringPiece> FullMatchGroups(const re2::RE2& re, std::string_view text) {
  std::vector<re2::StringPiece> groups(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
  re2::StringPiece input(text.data(), text.size());
  if (!re.Match(input, 0, input.size(), RE2::ANCHOR_BOTH, groups.data(), static_cast<int>(groups.size()))) {
    groups.clear();
  }
  return groups;
}

// Go's regexp.Expand, the template language of relabel replacements and
// label_replace. RE2's Rewrite differs (\1 syntax, no names), so this is
// Go's algorithm.
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

std::string ExpandGoTemplate(std::string_view tmpl, const re2::RE2& re, const std::vector<re2::StringPiece>& groups) {
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

}  // namespace tsdb
