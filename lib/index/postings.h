// Postings: sorted lists of series references and their set operations.
//
// A postings list is an iterator over strictly increasing SeriesRefs (in an
// index v2 file a series ref is the series' byte offset / 16, so sorted refs
// are series sorted by label set). Lists compose: Intersect (AND), Merge
// (OR, de-duplicated) and Without (AND NOT) take ownership of their inputs and
// are themselves lazy Postings, so a query never materializes more than it
// has to. Seek uses galloping (exponential then binary) search on lists, so
// intersecting a short list with a long one costs O(short * log(long)).
//
// Contract, as Prometheus's index.Postings:
//   Next()   advances; false at the end or on error (then status() says why).
//   Seek(v)  advances to the first ref >= v; never moves backwards: if the
//            current ref is already >= v it stays. False when exhausted.
//            Seek before the first Next() is allowed.
//   At()     the current ref; only valid after Next()/Seek() returned true.
// Postings that read an mmapped index (ListPostings over BigEndian bytes) do
// not own those bytes: the IndexReader must outlive them. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "model/status.h"

namespace tsdb::index {

using SeriesRef = uint64_t;

class Postings {
 public:
  virtual ~Postings() = default;
  virtual bool Next() = 0;
  virtual bool Seek(SeriesRef v) = 0;
  virtual SeriesRef At() const = 0;
  virtual const Status& status() const = 0;
};

using PostingsPtr = std::unique_ptr<Postings>;

// A list that is always empty.
PostingsPtr EmptyPostings();
// A list that is empty and whose status() is `status` (for errors found while
// building a list lazily).
PostingsPtr ErrPostings(Status status);
// A list over refs it owns; refs must be strictly increasing.
PostingsPtr NewListPostings(std::vector<SeriesRef> refs);
// A list over `count` big-endian uint32 refs at `data` (typically a postings
// section in an mmapped index); no copy. Next() reports Corruption (naming
// the entry's byte offset, counted from `file_offset`) when a ref is not
// greater than the one before it; Seek() trusts the order (VerifyAll checks
// it fully).
PostingsPtr NewBigEndianPostings(const uint8_t* data, size_t count, uint64_t file_offset = 0);

// Refs in every list. No inputs: empty.
PostingsPtr Intersect(std::vector<PostingsPtr> lists);
// Refs in any list, each once. No inputs: empty.
PostingsPtr Merge(std::vector<PostingsPtr> lists);
// Refs in `full` that are not in `drop`.
PostingsPtr Without(PostingsPtr full, PostingsPtr drop);

// Drains p into a vector (the status of p if it failed).
Result<std::vector<SeriesRef>> ExpandPostings(Postings& p);

}  // namespace tsdb::index
