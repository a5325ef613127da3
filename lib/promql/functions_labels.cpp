// label_replace, label_join and the sort functions.
//
// label_replace's regex is Go's regexp (RE2 syntax) as Prometheus compiles
// it, ^(?s:regex)$, and its replacement is Go's Regexp.Expand template: the
// same pieces relabel_config uses (model/go_regexp.h).
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "model/go_regexp.h"
#include "model/names.h"
#include "model/utf8.h"
#include "promql/functions_internal.h"

namespace tsdb::promql::internal {
namespace {

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
  auto compiled = CompileGoRegex(regex);
  if (!compiled.ok()) return Status::Execution("invalid regular expression in label_replace(): " + std::string(regex));
  const re2::RE2& re = **compiled;
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
      builder.Set(dst, ExpandGoTemplate(repl, re, groups));
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
