#include "model/quoting.h"

#include "model/utf8.h"

#include <cstdint>
#include <cstdio>

namespace tsdb {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  char buf[16];
  for (size_t i = 0; i < s.size();) {
    size_t n;
    char32_t r = DecodeRune(s.substr(i), &n);
    if (r == kRuneError && n == 1) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
      out += buf;
      ++i;
      continue;
    }
    switch (r) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (r < 0x20 || r == 0x7F) {
          std::snprintf(buf, sizeof buf, "\\x%02x", r);
          out += buf;
        } else if ((r >= 0x80 && r < 0xA0) || r == 0xFEFF) {
          // Go does not print C1 controls or the BOM verbatim.
          std::snprintf(buf, sizeof buf, "\\u%04x", r);
          out += buf;
        } else {
          out.append(s.substr(i, n));
        }
    }
    i += n;
  }
  out.push_back('"');
  return out;
}

Result<std::string> GoUnquote(std::string_view lit) {
  if (lit.size() < 2 || lit.front() != lit.back() ||
      (lit.front() != '"' && lit.front() != '\'' && lit.front() != '`')) {
    return Status::InvalidArgument("not a quoted string");
  }
  char quote = lit.front();
  std::string_view body = lit.substr(1, lit.size() - 2);
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return Status::InvalidArgument("backquote inside raw string");
    if (!IsValidUTF8(body)) return Status::InvalidArgument("invalid UTF-8 in string");
    return std::string(body);
  }
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == quote) return Status::InvalidArgument("unescaped quote at offset " + std::to_string(i + 1));
    if (c == '\n') return Status::InvalidArgument("newline in string at offset " + std::to_string(i + 1));
    if (c != '\\') {
      size_t n;
      char32_t r = DecodeRune(body.substr(i), &n);
      if (r == kRuneError && n == 1) return Status::InvalidArgument("invalid UTF-8 at offset " + std::to_string(i + 1));
      out.append(body.substr(i, n));
      i += n;
      continue;
    }
    if (i + 1 >= body.size()) return Status::InvalidArgument("string ends in a backslash");
    char e = body[i + 1];
    size_t at = i + 1;
    i += 2;
    switch (e) {
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case '\\': out.push_back('\\'); break;
      case '\'':
      case '"':
        if (e != quote) return Status::InvalidArgument("unknown escape \\" + std::string(1, e) + " at offset " + std::to_string(at));
        out.push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + digits > body.size()) return Status::InvalidArgument("short escape at offset " + std::to_string(at));
        uint32_t v = 0;
        for (size_t k = 0; k < digits; ++k) {
          int h = HexValue(body[i + k]);
          if (h < 0) return Status::InvalidArgument("bad hex digit in escape at offset " + std::to_string(at));
          v = v * 16 + static_cast<uint32_t>(h);
        }
        i += digits;
        if (e == 'x') {
          out.push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            return Status::InvalidArgument("invalid code point in escape at offset " + std::to_string(at));
          }
          AppendRune(v, &out);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 > body.size()) return Status::InvalidArgument("short octal escape at offset " + std::to_string(at));
          uint32_t v = static_cast<uint32_t>(e - '0');
          for (size_t k = 0; k < 2; ++k) {
            char d = body[i + k];
            if (d < '0' || d > '7') return Status::InvalidArgument("bad octal escape at offset " + std::to_string(at));
            v = v * 8 + static_cast<uint32_t>(d - '0');
          }
          if (v > 255) return Status::InvalidArgument("octal escape above 255 at offset " + std::to_string(at));
          i += 2;
          out.push_back(static_cast<char>(v));
          break;
        }
        return Status::InvalidArgument("unknown escape \\" + std::string(1, e) + " at offset " + std::to_string(at));
    }
  }
  return out;
}

}  // namespace tsdb
