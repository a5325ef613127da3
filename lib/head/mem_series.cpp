#include "head/mem_series.h"

#include <bit>

namespace tsdb::head {

void MemSeries::Append(int64_t t, double v) {
  if (cutter_.Append(t, open_.size_bytes()) && open_.num_samples() > 0) {
    closed_.push_back({open_min_, open_max_, std::vector<uint8_t>(open_.bytes().begin(), open_.bytes().end())});
    open_.Reset();
  }
  if (open_.num_samples() == 0) open_min_ = t;
  open_.Append(t, v);
  open_max_ = t;
  has_last_ = true;
  last_t_ = t;
  last_v_bits_ = std::bit_cast<uint64_t>(v);
}

bool MemSeries::Deleted(int64_t t) const {
  for (const auto& iv : tombstones_) {
    if (t >= iv.min_time && t <= iv.max_time) return true;
  }
  return false;
}

void MemSeries::Samples(int64_t min_time, int64_t max_time, std::vector<block::Sample>* out) const {
  auto walk = [&](std::span<const uint8_t> bytes, int64_t cmin, int64_t cmax) {
    if (cmax < min_time || cmin > max_time) return;
    chunkenc::XORIterator it(bytes);
    if (!it.Seek(min_time)) return;
    auto take = [&](int64_t t, uint64_t v_bits) {
      if (t > max_time) return false;
      if (tombstones_.empty() || !Deleted(t)) out->push_back({t, std::bit_cast<double>(v_bits)});
      return true;
    };
    if (take(it.t(), it.v_bits())) it.ForEachRest(take);
  };
  for (const auto& c : closed_) walk(c.bytes, c.min_time, c.max_time);
  if (open_.num_samples() > 0) walk(open_.bytes(), open_min_, open_max_);
}

int64_t MemSeries::min_time() const {
  if (!closed_.empty()) return closed_.front().min_time;
  if (open_.num_samples() > 0) return open_min_;
  return std::numeric_limits<int64_t>::max();
}

uint64_t MemSeries::TruncateBefore(int64_t t) {
  uint64_t dropped = 0;
  size_t keep_from = 0;
  while (keep_from < closed_.size() && closed_[keep_from].max_time < t) {
    dropped += chunkenc::XORIterator(closed_[keep_from].bytes).num_samples();
    ++keep_from;
  }
  closed_.erase(closed_.begin(), closed_.begin() + static_cast<std::ptrdiff_t>(keep_from));
  if (closed_.empty() && open_.num_samples() > 0 && open_max_ < t) {
    dropped += static_cast<uint64_t>(open_.num_samples());
    open_.Reset();
    cutter_.Reset();
  }
  // Tombstones wholly before the new start no longer cover anything.
  std::erase_if(tombstones_, [t](const Interval& iv) { return iv.max_time < t; });
  return dropped;
}

uint64_t MemSeries::num_samples() const {
  uint64_t n = static_cast<uint64_t>(open_.num_samples());
  for (const auto& c : closed_) n += chunkenc::XORIterator(c.bytes).num_samples();
  return n;
}

uint64_t MemSeries::chunk_bytes() const {
  uint64_t n = open_.size_bytes();
  for (const auto& c : closed_) n += c.bytes.size();
  return n;
}

}  // namespace tsdb::head
