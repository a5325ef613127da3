// label_replace, label_join and the sort functions.
//
// label_replace's regex is Go's regexp (RE2 syntax) as Prometheus compiles
// it, ^(?s:regex)$, and its replacement is Go's Regexp.Expand template. The
// same two pieces exist in lib/relabel/internal.h, which promql does not link;
// they belong in lib/model once a third user appears.
#include <locale.h>
#include <re2/re2.h>
#include <wctype.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "model/names.h"
#include "model/utf8.h"
#include "promql/functions_internal.h"

namespace tsdb::promql::internal {
namespace {

// Go accepts (?<name>re) as well as (?P<name>re); older RE2 only the latter.
// Rewrites the former outside escapes, \Q...\E and character classes.
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

locale_t Utf8Locale() {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return utf8;
}

// unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'.
bool IsWordRune(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_';
  if (r == 0xFFFD) return false;
  locale_t utf8 = Utf8Locale();
  if (utf8 == static_cast<locale_t>(nullptr)) return false;
  return iswalpha_l(static_cast<wint_t>(r), utf8) != 0;  // glibc's alpha holds letters and digits
}

// Go's extract(): a reference after '$' ("1", "name", "{name}"); false when
// malformed. num is the group number, or -1 for a name.
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
  if (i == 0) return false;
  *name = str.substr(0, i);
  if (brace) {
    if (i >= str.size() || str[i] != '}') return false;
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

// Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$; "$1x" names group "1x";
// unknown or unmatched groups expand to nothing, a malformed $ is text.
std::string Expand(std::string_view tmpl, const re2::RE2& re, const std::vector<re2::StringPiece>& groups) {
  std::string dst;
  auto append_group = [&](size_t index) {
    if (index < groups.size() && groups[index].data() != nullptr) dst.append(groups[index].data(), groups[index].size());
  };
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    dst.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      dst.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view name, rest;
    int num = 0;
    if (!Extract(tmpl, &name, &num, &rest)) {
      dst.push_back('$');
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

std::string_view StringArg(std::span<const ArgValue> args, size_t i) {
  return i < args.size() ? args[i].string : std::string_view();
}

const Vector& VectorArg(std::span<const ArgValue> args) {
  static const Vector kEmpty;
  return !args.empty() && args[0].vector ? *args[0].vector : kEmpty;
}

// Prometheus merges the series of label_replace/label_join that end up with
// one label set, and fails when two have a point at the same time: within a
// step, any two equal label sets.
Status CheckDistinct(const Vector& out, size_t from) {
  std::vector<const Labels*> sets;
  sets.reserve(out.size() - from);
  for (size_t i = from; i < out.size(); ++i) sets.push_back(&out[i].metric);
  std::sort(sets.begin(), sets.end(), [](const Labels* a, const Labels* b) { return *a < *b; });
  for (size_t i = 1; i < sets.size(); ++i) {
    if (*sets[i] == *sets[i - 1]) return Status::Execution("vector cannot contain metrics with the same labelset");
  }
  return Status::OK();
}

void WarnSortInRangeQuery(FunctionContext& ctx) {
  if (ctx.range_query) {
    AddWarning(ctx, "sort is ineffective for range queries since results are always ordered by labels", -1);
  }
}

// Float samples ordered by value (ascending or descending), NaN last in both.
Status SortByValue(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx, bool descending) {
  WarnSortInRangeQuery(ctx);
  size_t from = out.size();
  for (const Sample& s : VectorArg(args)) {
    if (s.histogram) continue;
    out.push_back(s);
    out.back().t = ctx.ts;
  }
  std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(), [&](const Sample& a, const Sample& b) {
    if (std::isnan(a.f) || std::isnan(b.f)) return !std::isnan(a.f) && std::isnan(b.f);
    return descending ? a.f > b.f : a.f < b.f;
  });
  return Status::OK();
}

// By the named labels' values in natural order, then by the whole label set.
Status SortByLabels(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx, bool descending) {
  WarnSortInRangeQuery(ctx);
  std::vector<std::string_view> names;
  for (size_t i = 1; i < args.size(); ++i) names.push_back(args[i].string);
  size_t from = out.size();
  for (const Sample& s : VectorArg(args)) {
    out.push_back(s);
    out.back().t = ctx.ts;
  }
  auto compare = [&](const Sample& a, const Sample& b) {
    for (std::string_view name : names) {
      std::string_view va = a.metric.Get(name), vb = b.metric.Get(name);
      if (va == vb) continue;
      // natsort sees "01" and "1" as equal; so do we, for a consistent order.
      if (NaturalLess(va, vb)) return -1;
      if (NaturalLess(vb, va)) return 1;
    }
    if (a.metric < b.metric) return -1;
    if (b.metric < a.metric) return 1;
    return 0;
  };
  std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(), [&](const Sample& a, const Sample& b) {
    int c = compare(a, b);
    return descending ? c > 0 : c < 0;
  });
  return Status::OK();
}

}  // namespace

Status LabelReplace(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  const std::string_view dst = StringArg(args, 1), repl = StringArg(args, 2), src = StringArg(args, 3),
                         regex = StringArg(args, 4);
  RE2::Options options;
  options.set_log_errors(false);
  re2::RE2 re("^(?s:" + RewriteNamedGroups(regex) + ")$", options);
  if (!re.ok()) return Status::Execution("invalid regular expression in label_replace(): " + std::string(regex));
  if (!IsValidLabelName(dst)) {
    return Status::Execution("invalid destination label name in label_replace(): " + std::string(dst));
  }
  std::vector<re2::StringPiece> groups(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
  size_t from = out.size();
  LabelsBuilder builder;
  for (const Sample& s : VectorArg(args)) {
    Sample o = s;
    o.t = ctx.ts;
    std::string_view value = s.metric.Get(src);
    re2::StringPiece input(value.data(), value.size());
    if (re.Match(input, 0, input.size(), RE2::ANCHOR_BOTH, groups.data(), static_cast<int>(groups.size()))) {
      builder.Reset(s.metric);
      builder.Set(dst, Expand(repl, re, groups));
      o.metric = builder.Build();
      // A name written by label_replace is the result's name, not the
      // input's to-be-dropped one.
      if (dst == kMetricNameLabel) o.drop_name = false;
    }
    out.push_back(std::move(o));
  }
  return CheckDistinct(out, from);
}

Status LabelJoin(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  const std::string_view dst = StringArg(args, 1), sep = StringArg(args, 2);
  std::vector<std::string_view> srcs;
  for (size_t i = 3; i < args.size(); ++i) {
    if (!IsValidLabelName(args[i].string)) {
      return Status::Execution("invalid source label name in label_join(): " + std::string(args[i].string));
    }
    srcs.push_back(args[i].string);
  }
  if (!IsValidLabelName(dst)) {
    return Status::Execution("invalid destination label name in label_join(): " + std::string(dst));
  }
  size_t from = out.size();
  LabelsBuilder builder;
  for (const Sample& s : VectorArg(args)) {
    std::string joined;
    for (size_t i = 0; i < srcs.size(); ++i) {
      if (i > 0) joined.append(sep);
      joined.append(s.metric.Get(srcs[i]));
    }
    Sample o = s;
    o.t = ctx.ts;
    builder.Reset(s.metric);
    builder.Set(dst, joined);
    o.metric = builder.Build();
    if (dst == kMetricNameLabel) o.drop_name = false;
    out.push_back(std::move(o));
  }
  return CheckDistinct(out, from);
}

Status Sort(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return SortByValue(args, out, ctx, false);
}

Status SortDesc(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return SortByValue(args, out, ctx, true);
}

Status SortByLabel(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return SortByLabels(args, out, ctx, false);
}

Status SortByLabelDesc(std::span<const ArgValue> args, Vector& out, FunctionContext& ctx) {
  return SortByLabels(args, out, ctx, true);
}

// facette/natsort.Compare: runs of digits compare as numbers (leading zeros
// skipped, then by length, then by digits), everything else byte by byte.
bool NaturalLess(std::string_view a, std::string_view b) {
  size_t pa = 0, pb = 0;
  const size_t la = a.size(), lb = b.size();
  for (;;) {
    if (la <= pa) return lb > pb;  // a ended: less unless b ended too
    if (lb <= pb) return false;
    char av = a[pa], bv = b[pb];
    if (av >= '0' && av <= '9' && bv >= '0' && bv <= '9') {
      size_t na = 1, nb = 1;
      while (pa + na < la) {
        char x = a[pa + na];
        if (av == '0') {
          ++pa;
          av = x;
          continue;
        }
        if (x >= '0' && x <= '9') {
          ++na;
        } else {
          break;
        }
      }
      while (pb + nb < lb) {
        char x = b[pb + nb];
        if (bv == '0') {
          ++pb;
          bv = x;
          continue;
        }
        if (x >= '0' && x <= '9') {
          ++nb;
        } else {
          break;
        }
      }
      if (nb > na) return true;
      if (na > nb) return false;
      int c = a.substr(pa, na).compare(b.substr(pb, nb));
      if (c != 0) return c < 0;
      pa += na;
      pb += nb;
      continue;
    }
    if (av == bv) {
      ++pa;
      ++pb;
      continue;
    }
    return static_cast<unsigned char>(av) < static_cast<unsigned char>(bv);
  }
}

}  // namespace tsdb::promql::internal
