#include "query/api_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

namespace tsdb::query {
namespace {

// Go's spelling of the specials (strconv.FormatFloat).
bool AppendSpecial(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    return false;
  }
  return true;
}

void AppendChars(double v, std::chars_format fmt, std::string* out) {
  char buf[400];  // 'f' of DBL_MAX is 309 digits
  auto r = std::to_chars(buf, buf + sizeof buf, v, fmt);
  out->append(buf, r.ptr);
}

// strconv.FormatFloat(v, 'e', -1, 64): shortest digits, exponent with a sign
// and at least two digits ("1e-07", "1.5e+21"), which is to_chars' form too.
void AppendGoE(double v, std::string* out) { AppendChars(v, std::chars_format::scientific, out); }

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 when invalid.
size_t Utf8Len(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2, *cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, *cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, *cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b(i + k) & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string FormatFloatFixed(double v) {
  std::string out;
  if (!AppendSpecial(v, &out)) AppendChars(v, std::chars_format::fixed, &out);
  return out;
}

void AppendApiValue(double v, std::string* out) {
  out->push_back('"');
  if (!AppendSpecial(v, out)) {
    double a = std::fabs(v);
    if (a != 0 && (a < 1e-6 || a >= 1e21)) {
      AppendGoE(v, out);
    } else {
      AppendChars(v, std::chars_format::fixed, out);
    }
  }
  out->push_back('"');
}

void AppendApiTimestamp(int64_t ms, std::string* out) {
  // As jsonutil.MarshalTimestamp: sign, whole seconds, and the fraction in
  // three digits when not zero. (It negates t; INT64_MIN stays negative
  // there, and is written here as its true value.)
  uint64_t u = static_cast<uint64_t>(ms);
  if (ms < 0) {
    out->push_back('-');
    u = ~u + 1;
  }
  out->append(std::to_string(u / 1000));
  uint64_t frac = u % 1000;
  if (frac != 0) {
    out->push_back('.');
    if (frac < 100) out->push_back('0');
    if (frac < 10) out->push_back('0');
    out->append(std::to_string(frac));
  }
}

void AppendGoJsonNumber(double v, std::string* out) {
  // encoding/json's floatEncoder: 'f', or 'e' below 1e-6 and from 1e21
  // with a two-digit negative exponent cleaned up ("e-07" -> "e-7").
  if (AppendSpecial(v, out)) return;  // not valid JSON; encoding/json would fail
  double a = std::fabs(v);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    size_t start = out->size();
    AppendGoE(v, out);
    size_t n = out->size() - start;
    if (n >= 4 && (*out)[out->size() - 4] == 'e' && (*out)[out->size() - 3] == '-' &&
        (*out)[out->size() - 2] == '0') {
      out->erase(out->size() - 2, 1);
    }
  } else {
    AppendChars(v, std::chars_format::fixed, out);
  }
}

void AppendJsonString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '<':
        case '>':
        case '&':
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
          break;
        default:
          if (c < 0x20) {
            out->append("\\u00");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 0xF]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t n = Utf8Len(s, i, &cp);
    if (n == 0) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      out->append(cp == 0x2028 ? "\\u2028" : "\\u2029");
    } else {
      out->append(s.substr(i, n));
    }
    i += n;
  }
  out->push_back('"');
}

void AppendLabelsObject(const Labels& ls, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const Label& l : ls) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(l.name, out);
    out->push_back(':');
    AppendJsonString(l.value, out);
  }
  out->push_back('}');
}

void AppendSample(const promql::Sample& s, std::string* out) {
  out->append("{\"metric\":");
  AppendLabelsObject(s.metric, out);
  out->append(",\"value\":[");
  AppendApiTimestamp(s.t, out);
  out->push_back(',');
  AppendApiValue(s.f, out);
  out->append("]}");
}

void AppendSeries(const promql::Series& s, std::string* out) {
  out->append("{\"metric\":");
  AppendLabelsObject(s.metric, out);
  if (!s.floats.empty()) {
    out->append(",\"values\":[");
    for (size_t i = 0; i < s.floats.size(); ++i) {
      if (i) out->push_back(',');
      out->push_back('[');
      AppendApiTimestamp(s.floats[i].t, out);
      out->push_back(',');
      AppendApiValue(s.floats[i].f, out);
      out->push_back(']');
    }
    out->push_back(']');
  }
  out->push_back('}');
}

void AppendScalar(const promql::Scalar& s, std::string* out) {
  out->push_back('[');
  AppendGoJsonNumber(static_cast<double>(s.t) / 1000, out);
  out->append(",\"");
  out->append(FormatFloatFixed(s.v));
  out->append("\"]");
}

void AppendString(const promql::String& s, std::string* out) {
  out->push_back('[');
  AppendGoJsonNumber(static_cast<double>(s.t) / 1000, out);
  out->push_back(',');
  AppendJsonString(s.v, out);
  out->push_back(']');
}

void AppendQueryData(const promql::QueryResult& r, std::string* out) {
  out->append("{\"resultType\":\"");
  out->append(promql::ValueTypeApiName(r.type));
  out->append("\",\"result\":");
  switch (r.type) {
    case promql::ValueType::kVector:
      out->push_back('[');
      for (size_t i = 0; i < r.vector.size(); ++i) {
        if (i) out->push_back(',');
        AppendSample(r.vector[i], out);
      }
      out->push_back(']');
      break;
    case promql::ValueType::kMatrix:
      out->push_back('[');
      for (size_t i = 0; i < r.matrix.size(); ++i) {
        if (i) out->push_back(',');
        AppendSeries(r.matrix[i], out);
      }
      out->push_back(']');
      break;
    case promql::ValueType::kScalar: AppendScalar(r.scalar, out); break;
    case promql::ValueType::kString: AppendString(r.string, out); break;
    case promql::ValueType::kNone: out->append("null"); break;
  }
  out->push_back('}');
}

}  // namespace tsdb::query
