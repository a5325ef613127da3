// SampleSpill: the samples of an import, in bounded memory.
//
// Add() appends (series id, t, v) to an in-memory buffer. When the buffer
// reaches the memory limit it is sorted into a "run" — grouped by series id
// (a stable counting sort), each series' samples stably sorted by time, then
// cut at block window boundaries — and appended to one spill file. Only the
// small index of segments (window, series, run, where, how many) stays in
// memory. Seal() sorts the last buffer the same way but keeps it in memory as
// the last run, so an import that fits in memory never touches the disk.
//
// Order of arrival is kept among samples with the same series and timestamp:
// within a run by the stable sorts, across runs because segments of one
// (window, series) are read in run order. A caller that keeps the first of
// equal timestamps keeps the first one read.
//
// The spill file lives in `spill_dir`, created on the first spill and removed
// (with everything in it) when the SampleSpill is destroyed; the file itself
// is unlinked as soon as it is open, so even a crash leaves at most an empty
// folder. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "block/writer.h"
#include "model/status.h"

namespace tsdb::importer {

// floor(t / d) * d, also for negative t.
int64_t WindowStart(int64_t t, int64_t d);

struct Segment {
  int64_t window;   // start of the block window, ms
  uint32_t series;  // SeriesTable id
  uint32_t run;     // order of the run: earlier runs hold earlier input
  uint64_t offset;  // in samples: into the spill file, or into the last run's memory
  uint64_t count;
};

class SampleSpill {
 public:
  // Bytes of memory per buffered sample: the buffer entry and its sorted copy.
  static constexpr uint64_t kBytesPerSample = 24 + sizeof(block::Sample);

  SampleSpill(std::string spill_dir, uint64_t memory_limit_bytes, int64_t window_ms);
  ~SampleSpill();
  SampleSpill(const SampleSpill&) = delete;
  SampleSpill& operator=(const SampleSpill&) = delete;

  Status Add(uint32_t series, int64_t t, double v) {
    if (buffer_.size() == buffer_.capacity()) TSDB_RETURN_IF_ERROR(Grow());
    buffer_.push_back(Entry{series, t, v});
    return Status::OK();
  }
  // After the last Add: sorts the buffer into the last (in-memory) run.
  Status Seal();

  // Every segment, in no particular order (the caller sorts them).
  std::vector<Segment>& segments() { return segments_; }
  // Reads a segment's samples (time order, arrival order among equal times),
  // appending them to `out`.
  Status Read(const Segment& s, std::vector<block::Sample>* out) const;

  uint32_t runs() const { return runs_; }
  uint64_t spilled_bytes() const { return file_bytes_; }

 private:
  struct Entry {
    uint32_t series;
    int64_t t;
    double v;
  };
  Status Grow();                // spills when the buffer is at its limit
  Status SortRun(bool in_memory);
  Status OpenFile();

  std::string dir_;
  uint64_t capacity_;  // samples
  int64_t window_ms_;
  std::vector<Entry> buffer_;
  std::vector<block::Sample> sorted_;  // a run being written; the last run after Seal()
  std::vector<uint32_t> position_;     // per series id: counting sort cursor
  std::vector<Segment> segments_;
  uint32_t runs_ = 0;
  int fd_ = -1;
  bool dir_created_ = false;
  uint64_t file_bytes_ = 0;
  uint32_t memory_run_ = UINT32_MAX;
};

}  // namespace tsdb::importer
