#include "block/querier.h"

#include <algorithm>
#include <bit>

#include "chunkenc/chunk.h"
#include "chunkenc/xor.h"

namespace tsdb::block {
namespace {

// The matching series of one block, in label (= series ref) order.
class BlockSeries {
 public:
  BlockSeries(const BlockReader* block, index::PostingsPtr postings) : block_(block), postings_(std::move(postings)) {}

  bool Next() {
    if (!postings_->Next()) {
      if (!postings_->status().ok()) status_ = postings_->status().WithContext(block_->dir() + "/index");
      return false;
    }
    ref_ = postings_->At();
    Status s = block_->index().Series(ref_, &labels_, &chunks_);
    if (!s.ok()) {
      status_ = s.WithContext(block_->dir() + "/index");
      return false;
    }
    return true;
  }

  const Labels& labels() const { return labels_; }
  const std::vector<index::ChunkMeta>& chunks() const { return chunks_; }
  const BlockReader* block() const { return block_; }
  index::SeriesRef ref() const { return ref_; }
  const Status& status() const { return status_; }

 private:
  const BlockReader* block_;
  index::PostingsPtr postings_;
  index::SeriesRef ref_ = 0;
  Labels labels_;
  std::vector<index::ChunkMeta> chunks_;
  Status status_;
};

bool StrictlyIncreasing(const std::vector<Sample>& samples) {
  for (size_t i = 1; i < samples.size(); ++i) {
    if (samples[i].t <= samples[i - 1].t) return false;
  }
  return true;
}

class MergedSeriesSet : public SeriesSet {
 public:
  MergedSeriesSet(std::vector<std::unique_ptr<BlockSeries>> sources, int64_t mint, int64_t maxt)
      : sources_(std::move(sources)), mint_(mint), maxt_(maxt) {
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (sources_[i]->Next()) {
        live_.push_back(i);
      } else if (!sources_[i]->status().ok()) {
        status_ = sources_[i]->status();
      }
    }
  }

  bool Next() override {
    while (status_.ok() && !live_.empty()) {
      // The smallest label set among the sources, and every source at it.
      const Labels* min = nullptr;
      for (size_t i : live_) {
        if (min == nullptr || sources_[i]->labels() < *min) min = &sources_[i]->labels();
      }
      labels_ = *min;
      samples_.clear();
      std::vector<size_t> still;
      for (size_t i : live_) {
        BlockSeries& s = *sources_[i];
        if (s.labels() == labels_) {
          if (Status st = Collect(s); !st.ok()) {
            status_ = st;
            return false;
          }
          if (!s.Next()) {
            if (!s.status().ok()) {
              status_ = s.status();
              return false;
            }
            continue;
          }
        }
        still.push_back(i);
      }
      live_ = std::move(still);
      if (sources_.size() > 1 && !StrictlyIncreasing(samples_)) {
        // Overlapping blocks: one sample per timestamp, the earlier block's.
        // (Blocks side by side in time, the usual case, are already in order.)
        std::stable_sort(samples_.begin(), samples_.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
        samples_.erase(std::unique(samples_.begin(), samples_.end(),
                                   [](const Sample& a, const Sample& b) { return a.t == b.t; }),
                       samples_.end());
      }
      if (!samples_.empty()) return true;
    }
    return false;
  }

  const Labels& labels() const override { return labels_; }
  const std::vector<Sample>& samples() const override { return samples_; }
  const Status& status() const override { return status_; }
  uint64_t skipped_non_float_chunks() const override { return skipped_; }

 private:
  Status Collect(const BlockSeries& s) {
    const Intervals* deleted = s.block()->tombstones().Get(s.ref());
    for (const index::ChunkMeta& cm : s.chunks()) {
      if (cm.max_time < mint_ || cm.min_time > maxt_) continue;
      auto bytes = s.block()->chunks().Chunk(cm.ref);
      if (!bytes.ok()) return bytes.status().WithContext(s.block()->dir() + " " + labels_.ToString());
      auto chunk = chunkenc::Chunk::Open(bytes->encoding, bytes->data);
      if (!chunk.ok()) return chunk.status().WithContext(s.block()->dir() + " " + labels_.ToString());
      if (!chunk->is_float()) {
        ++skipped_;
        continue;
      }
      auto it = chunk->FloatIterator();
      if (!it.ok()) return it.status().WithContext(s.block()->dir() + " " + labels_.ToString());
      chunkenc::XORIterator& x = *it;
      if (!x.Seek(mint_)) {
        if (!x.status().ok()) return x.status().WithContext(s.block()->dir() + " " + labels_.ToString());
        continue;
      }
      auto take = [&](int64_t t, uint64_t v_bits) {
        if (t > maxt_) return false;
        if (deleted == nullptr || !deleted->Contains(t)) samples_.push_back(Sample{t, std::bit_cast<double>(v_bits)});
        return true;
      };
      if (take(x.t(), x.v_bits())) x.ForEachRest(take);
      if (!x.status().ok()) return x.status().WithContext(s.block()->dir() + " " + labels_.ToString());
    }
    return Status::OK();
  }

  std::vector<std::unique_ptr<BlockSeries>> sources_;
  std::vector<size_t> live_;
  int64_t mint_, maxt_;
  Labels labels_;
  std::vector<Sample> samples_;
  Status status_;
  uint64_t skipped_ = 0;
};

}  // namespace

Result<std::unique_ptr<SeriesSet>> Select(const std::vector<const BlockReader*>& blocks,
                                          const std::vector<Matcher>& matchers, int64_t min_time, int64_t max_time) {
  std::vector<std::unique_ptr<BlockSeries>> sources;
  for (const BlockReader* b : blocks) {
    // Blocks are [min, max): skip those outside the closed query range.
    if (b->meta().max_time <= min_time || b->meta().min_time > max_time) continue;
    auto p = matchers.empty() ? b->index().AllPostings() : b->index().PostingsForMatchers(matchers);
    if (!p.ok()) return p.status().WithContext(b->dir() + "/index");
    sources.push_back(std::make_unique<BlockSeries>(b, std::move(p).value()));
  }
  return std::unique_ptr<SeriesSet>(new MergedSeriesSet(std::move(sources), min_time, max_time));
}

}  // namespace tsdb::block
