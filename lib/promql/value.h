// The values PromQL evaluates to: scalars, strings, instant vectors (one
// sample per series) and matrices (many points per series).
//
// A point carries a float. Native histograms will travel beside floats
// (Series::histograms, Sample::histogram) without changing the evaluator's
// shape; until they are stored, nothing fills those fields.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"

namespace tsdb::promql {

struct FloatHistogram;  // native histograms: not stored yet

struct FPoint {
  int64_t t;
  double f;
};

struct HPoint {
  int64_t t;
  std::shared_ptr<const FloatHistogram> h;
};

struct Series {
  Labels metric;
  std::vector<FPoint> floats;
  std::vector<HPoint> histograms;
  // Prometheus 3 drops __name__ late: functions and operators that drop it
  // set this flag, and the name goes when the result is finished (or before
  // an operation that needs the labels without it).
  bool drop_name = false;
};

struct Sample {
  Labels metric;
  int64_t t = 0;
  double f = 0;
  std::shared_ptr<const FloatHistogram> histogram;  // null for a float sample
  bool drop_name = false;
};

using Vector = std::vector<Sample>;
using Matrix = std::vector<Series>;

struct Scalar {
  int64_t t = 0;
  double v = 0;
};

struct String {
  int64_t t = 0;
  std::string v;
};

// Warnings and infos that travel with a result ("PromQL info: metric might
// not be a counter, ...") as Prometheus's annotations do: each once.
class Annotations {
 public:
  void AddWarning(std::string msg);
  void AddInfo(std::string msg);
  void Merge(const Annotations& o);
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::vector<std::string>& infos() const { return infos_; }
  bool empty() const { return warnings_.empty() && infos_.empty(); }

 private:
  std::vector<std::string> warnings_, infos_;
};

}  // namespace tsdb::promql
