#include "promql/window_sums.h"

#include <cmath>

namespace tsdb::promql {

namespace {

// Knuth's TwoSum: s + err == a + b exactly.
inline WindowSums::Pair TwoSum(double a, double b) {
  double s = a + b;
  double bb = s - a;
  double err = (a - (s - bb)) + (b - bb);
  return {s, err};
}

// (hi, lo) + (x, y), renormalised.
inline WindowSums::Pair Add(WindowSums::Pair p, double x, double y) {
  WindowSums::Pair s = TwoSum(p.hi, x);
  double e = s.lo + p.lo + y;
  double hi = s.hi + e;
  return {hi, e - (hi - s.hi)};
}

}  // namespace

WindowSums::WindowSums(std::span<const FPoint> points) {
  prefix_.reserve(points.size() + 1);
  prefix_.push_back({0, 0});
  double abs_total = 0;
  for (const FPoint& p : points) {
    if (!std::isfinite(p.f)) {
      usable_ = false;
      return;
    }
    abs_total += std::fabs(p.f);
    prefix_.push_back(Add(prefix_.back(), p.f, 0));
  }
  // Far from overflow, each addition errs by at most a few 2^-106 of the
  // running magnitude, bounded by the sum of magnitudes (with slack).
  if (!(abs_total < 1e290)) {
    usable_ = false;
    return;
  }
  error_bound_ = std::ldexp(abs_total * static_cast<double>(points.size() + 2), -100);
}

std::optional<WindowSums::Pair> WindowSums::Sum(size_t lo, size_t hi) const {
  if (!usable_) return std::nullopt;
  const Pair& a = prefix_[hi];
  const Pair& b = prefix_[lo];
  Pair d = Add(a, -b.hi, -b.lo);
  // The result must be good to far beyond a double's 53 bits, or the caller
  // sums directly (a window that cancels to nearly nothing).
  if (error_bound_ > std::ldexp(std::fabs(d.hi), -62)) {
    if (d.hi == 0 && error_bound_ == 0) return d;
    return std::nullopt;
  }
  return d;
}

}  // namespace tsdb::promql
