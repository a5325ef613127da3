#include "store/memory_store.h"

#include <algorithm>
#include <utility>

namespace tsdb::store {
namespace {

struct Match {
  const Labels* labels;
  const MemoryStore::Samples* samples;
  size_t begin, end;  // the samples in range: [begin, end)
};

// Reads the matched series in place; a series whose samples all fall in
// the range is handed out without a copy.
class MemorySeriesSet : public block::SeriesSet {
 public:
  explicit MemorySeriesSet(std::vector<Match> matches) : matches_(std::move(matches)) {}

  bool Next() override {
    if (next_ >= matches_.size()) return false;
    const Match& m = matches_[next_++];
    labels_ = m.labels;
    if (m.begin == 0 && m.end == m.samples->size()) {
      current_ = m.samples;
    } else {
      buffer_.assign(m.samples->begin() + static_cast<ptrdiff_t>(m.begin),
                     m.samples->begin() + static_cast<ptrdiff_t>(m.end));
      current_ = &buffer_;
    }
    return true;
  }
  const Labels& labels() const override { return *labels_; }
  const std::vector<block::Sample>& samples() const override { return *current_; }
  const Status& status() const override { return status_; }
  uint64_t skipped_non_float_chunks() const override { return 0; }

 private:
  std::vector<Match> matches_;
  size_t next_ = 0;
  const Labels* labels_ = nullptr;
  const MemoryStore::Samples* current_ = &buffer_;
  MemoryStore::Samples buffer_;
  Status status_;
};

bool Before(const block::Sample& s, int64_t t) { return s.t < t; }
bool After(int64_t t, const block::Sample& s) { return t < s.t; }

}  // namespace

void MemoryStore::Add(const Labels& labels, int64_t t_ms, double v) {
  NameSeries& series = by_name_[std::string(labels.MetricName())];
  auto it = series.find(labels);
  if (it == series.end()) {
    it = series.emplace(labels, Samples{}).first;
    ++num_series_;
  }
  Samples& samples = it->second;
  if (samples.empty() || samples.back().t < t_ms) {
    samples.push_back({t_ms, v});
    ++num_samples_;
    return;
  }
  auto pos = std::lower_bound(samples.begin(), samples.end(), t_ms, Before);
  if (pos != samples.end() && pos->t == t_ms) {
    pos->v = v;
    return;
  }
  samples.insert(pos, {t_ms, v});
  ++num_samples_;
}

void MemoryStore::Clear() {
  by_name_.clear();
  num_series_ = 0;
  num_samples_ = 0;
}

Result<std::unique_ptr<block::SeriesSet>> MemoryStore::Select(const std::vector<Matcher>& matchers, int64_t min_time,
                                                              int64_t max_time) const {
  std::vector<Match> matches;
  auto consider = [&](const NameSeries& series) {
    for (const auto& [labels, samples] : series) {
      if (!MatchesAll(matchers, labels)) continue;
      auto begin = std::lower_bound(samples.begin(), samples.end(), min_time, Before);
      auto end = std::upper_bound(begin, samples.end(), max_time, After);
      if (begin == end) continue;
      matches.push_back({&labels, &samples, static_cast<size_t>(begin - samples.begin()),
                         static_cast<size_t>(end - samples.begin())});
    }
  };

  const Matcher* name_equal = nullptr;
  for (const Matcher& m : matchers) {
    if (m.name() == kMetricNameLabel && m.type() == Matcher::Type::kEqual) {
      name_equal = &m;
      break;
    }
  }
  if (name_equal != nullptr) {
    // One name's series are already in label order.
    auto it = by_name_.find(name_equal->value());
    if (it != by_name_.end()) consider(it->second);
  } else {
    int names = 0;
    for (const auto& [name, series] : by_name_) {
      bool name_ok = true;
      for (const Matcher& m : matchers) {
        if (m.name() == kMetricNameLabel && !m.Matches(name)) {
          name_ok = false;
          break;
        }
      }
      if (!name_ok) continue;
      size_t before = matches.size();
      consider(series);
      if (matches.size() > before) ++names;
    }
    if (names > 1) {
      std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) { return *a.labels < *b.labels; });
    }
  }
  return std::unique_ptr<block::SeriesSet>(new MemorySeriesSet(std::move(matches)));
}

}  // namespace tsdb::store
