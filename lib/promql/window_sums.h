// WindowSums: the sum of any run of a series' points in O(1), so that
// sum_over_time and avg_over_time cost one subtraction per step instead of
// a pass over every point of every window (a 1h window at a 1m step reads
// each point 60 times).
//
// Prefix sums are kept in double-double arithmetic (about 106 bits), so a
// window's sum is within a few units in the 107th bit of the exact sum:
// what Prometheus's Kahan summation approximates too; the two agree to the
// last bit or one unit in the last place. Where that cannot be promised (a
// NaN or infinity in the series, sums near overflow, or a window whose sum
// cancels to far below the magnitudes in it) Sum() says so and the caller
// sums the window directly, as Prometheus does.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "promql/value.h"

namespace tsdb::promql {

class WindowSums {
 public:
  explicit WindowSums(std::span<const FPoint> points);

  // The sum of points [lo, hi) as an unevaluated pair hi + lo (|lo| at most
  // half an ulp of hi), or nothing when the window must be summed directly.
  struct Pair {
    double hi, lo;
  };
  std::optional<Pair> Sum(size_t lo, size_t hi) const;

 private:
  bool usable_ = true;
  std::vector<Pair> prefix_;  // prefix_[i]: the sum of the first i points
  double error_bound_ = 0;    // absolute error bound of any prefix difference
};

}  // namespace tsdb::promql
