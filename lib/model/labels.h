// Labels: an immutable label set, the identity of a series.
//
// A Labels holds unique names sorted in byte order, as Prometheus keeps them;
// "__name__" is just a label. A label whose value is empty is the same as no
// label at all (Prometheus semantics), so builders drop empty values. Cheap to
// move; copying copies the strings. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace tsdb {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label& o) const { return name == o.name && value == o.value; }
};

class Labels {
 public:
  Labels() = default;

  // Sorts the pairs, drops empty values, and rejects a name given twice.
  static Result<Labels> FromPairs(std::vector<Label> pairs);
  // For literals in code and tests: {"a","1","b","2"}; duplicates are a bug.
  static Labels FromStrings(std::initializer_list<std::string_view> name_value);

  std::string_view Get(std::string_view name) const;  // "" when absent
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricNameLabel); }

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  std::vector<Label>::const_iterator begin() const { return labels_.begin(); }
  std::vector<Label>::const_iterator end() const { return labels_.end(); }
  const Label& operator[](size_t i) const { return labels_[i]; }

  // Prometheus's String(): {__name__="up", job="node"} with Go string quoting.
  std::string ToString() const;
  // Stable 64-bit hash of names and values (xxhash-like; not Prometheus's).
  uint64_t Hash() const;

  bool operator==(const Labels& o) const { return labels_ == o.labels_; }
  bool operator!=(const Labels& o) const { return !(*this == o); }
  bool operator<(const Labels& o) const;  // Prometheus's labels.Compare order

 private:
  friend class LabelsBuilder;
  std::vector<Label> labels_;
};

// LabelsBuilder edits a label set: Set with an empty value deletes.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base);

  void Reset(const Labels& base);
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  LabelsBuilder& Del(std::string_view name);
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Calls fn(name, value) for every current label in name order.
  template <typename Fn>
  void Range(Fn fn) const {
    for (const Label& l : labels_) fn(l.name, l.value);
  }
  Labels Build() const;

 private:
  std::vector<Label> labels_;  // kept sorted and unique
};

}  // namespace tsdb
