#include "index/postings.h"

#include <algorithm>
#include <string>

#include "encoding/encoding.h"

namespace tsdb::index {
namespace {

const Status& OkStatus() {
  static const Status ok;
  return ok;
}

class EmptyList final : public Postings {
 public:
  explicit EmptyList(Status st = Status::OK()) : st_(std::move(st)) {}
  bool Next() override { return false; }
  bool Seek(SeriesRef) override { return false; }
  SeriesRef At() const override { return 0; }
  const Status& status() const override { return st_; }

 private:
  Status st_;
};

// Galloping search: the first index i in [lo, n) with get(i) >= v, probing
// lo+1, lo+2, lo+4, ... before a binary search in the last gap.
template <typename Get>
size_t Gallop(size_t lo, size_t n, SeriesRef v, Get get) {
  if (lo >= n || get(lo) >= v) return lo;
  size_t step = 1;
  size_t prev = lo;  // get(prev) < v
  size_t hi = lo + 1;
  while (hi < n && get(hi) < v) {
    prev = hi;
    step <<= 1;
    hi = lo + step;
  }
  if (hi > n) hi = n;
  // get(prev) < v, and hi == n or get(hi) >= v.
  size_t a = prev + 1, b = hi;
  while (a < b) {
    size_t mid = a + (b - a) / 2;
    if (get(mid) < v) {
      a = mid + 1;
    } else {
      b = mid;
    }
  }
  return a;
}

class VectorList final : public Postings {
 public:
  explicit VectorList(std::vector<SeriesRef> refs) : refs_(std::move(refs)) {}
  bool Next() override {
    if (started_) {
      if (i_ < refs_.size()) ++i_;
    } else {
      started_ = true;
    }
    return i_ < refs_.size();
  }
  bool Seek(SeriesRef v) override {
    started_ = true;
    i_ = Gallop(i_, refs_.size(), v, [this](size_t k) { return refs_[k]; });
    return i_ < refs_.size();
  }
  SeriesRef At() const override { return i_ < refs_.size() ? refs_[i_] : 0; }
  const Status& status() const override { return OkStatus(); }

 private:
  std::vector<SeriesRef> refs_;
  size_t i_ = 0;
  bool started_ = false;
};

class BigEndianList final : public Postings {
 public:
  BigEndianList(const uint8_t* data, size_t count, uint64_t file_offset)
      : data_(data), n_(count), file_offset_(file_offset) {}
  bool Next() override {
    if (!st_.ok()) return false;
    if (started_) {
      if (i_ < n_) ++i_;
    } else {
      started_ = true;
    }
    if (i_ >= n_) return false;
    if (i_ > 0 && Get(i_) <= Get(i_ - 1)) {
      st_ = Status::Corruption("postings list at offset " + std::to_string(file_offset_ + 4 * i_) +
                               ": series ref " + std::to_string(Get(i_)) + " not greater than previous " +
                               std::to_string(Get(i_ - 1)));
      i_ = n_;
      return false;
    }
    return true;
  }
  bool Seek(SeriesRef v) override {
    if (!st_.ok()) return false;
    started_ = true;
    i_ = Gallop(i_, n_, v, [this](size_t k) { return Get(k); });
    return i_ < n_;
  }
  SeriesRef At() const override { return i_ < n_ ? Get(i_) : 0; }
  const Status& status() const override { return st_; }

 private:
  SeriesRef Get(size_t k) const { return encoding::BE32(data_ + 4 * k); }
  const uint8_t* data_;
  size_t n_;
  uint64_t file_offset_;
  size_t i_ = 0;
  bool started_ = false;
  Status st_;
};

class IntersectList final : public Postings {
 public:
  explicit IntersectList(std::vector<PostingsPtr> lists) : lists_(std::move(lists)) {}
  bool Next() override {
    if (done_) return false;
    if (!lists_[0]->Next()) return Finish();
    return Align(lists_[0]->At());
  }
  bool Seek(SeriesRef v) override {
    if (done_) return false;
    if (cur_valid_ && cur_ >= v) return true;
    if (!lists_[0]->Seek(v)) return Finish();
    return Align(lists_[0]->At());
  }
  SeriesRef At() const override { return cur_; }
  const Status& status() const override {
    for (const auto& l : lists_) {
      if (!l->status().ok()) return l->status();
    }
    return OkStatus();
  }

 private:
  // Seeks every list to a common ref >= target.
  bool Align(SeriesRef target) {
    for (;;) {
      bool agreed = true;
      for (auto& l : lists_) {
        if (!l->Seek(target)) return Finish();
        if (l->At() != target) {
          target = l->At();  // larger: restart the round with it
          agreed = false;
          break;
        }
      }
      if (agreed) {
        cur_ = target;
        cur_valid_ = true;
        return true;
      }
    }
  }
  bool Finish() {
    done_ = true;
    cur_valid_ = false;
    return false;
  }
  std::vector<PostingsPtr> lists_;
  SeriesRef cur_ = 0;
  bool cur_valid_ = false;
  bool done_ = false;
};

// k-way union with a binary min-heap of the lists that still have a value.
class MergeList final : public Postings {
 public:
  explicit MergeList(std::vector<PostingsPtr> lists) : lists_(std::move(lists)) {}
  bool Next() override {
    if (done_) return false;
    if (!started_) {
      started_ = true;
      for (auto& l : lists_) {
        if (l->Next()) heap_.push_back(l.get());
        else if (!l->status().ok()) return Fail(l->status());
      }
      std::make_heap(heap_.begin(), heap_.end(), Greater);
    } else {
      // Advance every list that sits on the current value.
      while (!heap_.empty() && heap_.front()->At() == cur_) {
        std::pop_heap(heap_.begin(), heap_.end(), Greater);
        Postings* p = heap_.back();
        if (p->Next()) {
          std::push_heap(heap_.begin(), heap_.end(), Greater);
        } else {
          heap_.pop_back();
          if (!p->status().ok()) return Fail(p->status());
        }
      }
    }
    return Take();
  }
  bool Seek(SeriesRef v) override {
    if (done_) return false;
    if (started_ && cur_valid_ && cur_ >= v) return true;
    std::vector<Postings*> next;
    const bool fresh = !started_;
    started_ = true;
    if (fresh) {
      for (auto& l : lists_) next.push_back(l.get());
    } else {
      next.swap(heap_);
    }
    heap_.clear();
    for (Postings* p : next) {
      if (p->Seek(v)) heap_.push_back(p);
      else if (!p->status().ok()) return Fail(p->status());
    }
    std::make_heap(heap_.begin(), heap_.end(), Greater);
    return Take();
  }
  SeriesRef At() const override { return cur_; }
  const Status& status() const override { return st_; }

 private:
  static bool Greater(const Postings* a, const Postings* b) { return a->At() > b->At(); }
  bool Take() {
    if (heap_.empty()) {
      done_ = true;
      cur_valid_ = false;
      return false;
    }
    cur_ = heap_.front()->At();
    cur_valid_ = true;
    return true;
  }
  bool Fail(const Status& st) {
    st_ = st;
    done_ = true;
    cur_valid_ = false;
    heap_.clear();
    return false;
  }
  std::vector<PostingsPtr> lists_;
  std::vector<Postings*> heap_;
  SeriesRef cur_ = 0;
  bool cur_valid_ = false;
  bool started_ = false;
  bool done_ = false;
  Status st_;
};

class WithoutList final : public Postings {
 public:
  WithoutList(PostingsPtr full, PostingsPtr drop) : full_(std::move(full)), drop_(std::move(drop)) {}
  bool Next() override {
    if (done_) return false;
    if (!full_->Next()) return Finish();
    return Skip();
  }
  bool Seek(SeriesRef v) override {
    if (done_) return false;
    if (!full_->Seek(v)) return Finish();
    return Skip();
  }
  SeriesRef At() const override { return full_->At(); }
  const Status& status() const override {
    if (!full_->status().ok()) return full_->status();
    return drop_->status();
  }

 private:
  // Moves full_ past refs that drop_ holds.
  bool Skip() {
    for (;;) {
      SeriesRef v = full_->At();
      if (!drop_ok_) return true;
      if (!drop_->Seek(v)) {
        drop_ok_ = false;
        if (!drop_->status().ok()) return Finish();
        return true;
      }
      if (drop_->At() != v) return true;
      if (!full_->Next()) return Finish();
    }
  }
  bool Finish() {
    done_ = true;
    return false;
  }
  PostingsPtr full_, drop_;
  bool drop_ok_ = true;
  bool done_ = false;
};

}  // namespace

PostingsPtr EmptyPostings() { return std::make_unique<EmptyList>(); }
PostingsPtr ErrPostings(Status status) { return std::make_unique<EmptyList>(std::move(status)); }
PostingsPtr NewListPostings(std::vector<SeriesRef> refs) { return std::make_unique<VectorList>(std::move(refs)); }
PostingsPtr NewBigEndianPostings(const uint8_t* data, size_t count, uint64_t file_offset) {
  return std::make_unique<BigEndianList>(data, count, file_offset);
}

PostingsPtr Intersect(std::vector<PostingsPtr> lists) {
  if (lists.empty()) return EmptyPostings();
  if (lists.size() == 1) return std::move(lists[0]);
  return std::make_unique<IntersectList>(std::move(lists));
}

PostingsPtr Merge(std::vector<PostingsPtr> lists) {
  if (lists.empty()) return EmptyPostings();
  if (lists.size() == 1) return std::move(lists[0]);
  return std::make_unique<MergeList>(std::move(lists));
}

PostingsPtr Without(PostingsPtr full, PostingsPtr drop) {
  return std::make_unique<WithoutList>(std::move(full), std::move(drop));
}

Result<std::vector<SeriesRef>> ExpandPostings(Postings& p) {
  std::vector<SeriesRef> out;
  while (p.Next()) out.push_back(p.At());
  if (!p.status().ok()) return p.status();
  return out;
}

}  // namespace tsdb::index
