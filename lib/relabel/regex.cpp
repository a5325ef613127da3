// Compiling relabel regexes as Prometheus 3 does, with RE2 standing in for
// Go's regexp package.
#include <string>

#include "relabel/internal.h"

namespace tsdb::relabel::internal {
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

Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view regex) {
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

}  // namespace tsdb::relabel::internal
