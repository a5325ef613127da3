// WindowSums must give what summing the window directly gives (to the last
// bit or one unit in the last place), and must refuse where it cannot.
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "promql/window_sums.h"

namespace tsdb::promql {
namespace {

double DirectKahan(const std::vector<FPoint>& p, size_t lo, size_t hi) {
  double sum = 0, c = 0;
  for (size_t i = lo; i < hi; i++) {
    double t = sum + p[i].f;
    if (std::fabs(sum) >= std::fabs(p[i].f)) {
      c += (sum - t) + p[i].f;
    } else {
      c += (p[i].f - t) + sum;
    }
    sum = t;
  }
  return sum + c;
}

TEST(WindowSums, AgreesWithKahanSummationOnEveryWindow) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> temp(55, 12);
  std::vector<FPoint> points;
  for (int i = 0; i < 3000; i++) points.push_back(FPoint{i * 15'000, temp(rng)});
  WindowSums sums(points);
  int exact = 0, windows = 0;
  for (size_t lo = 0; lo < points.size(); lo += 7) {
    for (size_t hi : {lo + 1, lo + 60, lo + 240, lo + 1000}) {
      if (hi > points.size()) continue;
      auto s = sums.Sum(lo, hi);
      ASSERT_TRUE(s.has_value());
      double want = DirectKahan(points, lo, hi);
      double got = s->hi + s->lo;
      EXPECT_LE(std::fabs(got - want), std::fabs(want) * 2.3e-16) << lo << ".." << hi;
      exact += got == want;
      windows++;
    }
  }
  // Nearly always bit for bit.
  EXPECT_GT(exact, windows * 95 / 100);
}

TEST(WindowSums, RefusesNonFiniteValuesAndHugeSums) {
  std::vector<FPoint> nan{{0, 1}, {1, std::numeric_limits<double>::quiet_NaN()}, {2, 3}};
  EXPECT_FALSE(WindowSums(nan).Sum(0, 1).has_value());
  std::vector<FPoint> inf{{0, 1}, {1, std::numeric_limits<double>::infinity()}};
  EXPECT_FALSE(WindowSums(inf).Sum(0, 1).has_value());
  std::vector<FPoint> huge{{0, 1e300}, {1, 1e300}};
  EXPECT_FALSE(WindowSums(huge).Sum(0, 2).has_value());
}

TEST(WindowSums, RefusesAWindowThatCancelsFarBelowItsMagnitudes) {
  // [0, 2) cancels to 0 from magnitudes of 1e20, and [2, 4) is tiny beside
  // the prefix sums' error bound: both are summed directly instead.
  std::vector<FPoint> p{{0, 1e20}, {1, -1e20}, {2, 1}, {3, 2}};
  WindowSums sums(p);
  EXPECT_FALSE(sums.Sum(0, 2).has_value());
  EXPECT_FALSE(sums.Sum(2, 4).has_value());
  // A window that does not cancel is answered.
  auto head = sums.Sum(0, 1);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->hi + head->lo, 1e20);
}

}  // namespace
}  // namespace tsdb::promql
