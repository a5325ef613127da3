// IndexWriter writes a Prometheus index file, format v2, byte for byte as
// Prometheus 2.x's index.Writer lays it out (reference/tsdb-format/index.md):
// header, symbol table, series (16-byte aligned), one label index per label
// name, postings (the all-postings list under the empty name and value
// first, then one list per label pair in sorted order), the label offset
// table, the postings offset table and the TOC.
//
// Use it in three phases, as Prometheus's two-pass API:
//   1. AddSymbol for every string of every label set, sorted and unique;
//   2. AddSeries for every series in label-set order, with its chunk metas;
//   3. Finish, which writes the rest, fsyncs and closes the file.
// Calls out of order, unsorted symbols, series not in strictly increasing
// label order, labels that are not symbols, chunks with decreasing refs or
// overlapping time ranges give InvalidArgument and leave the writer usable.
// An I/O error is sticky: every later call returns it.
//
// Memory: series are written to the file as they come; nothing per series
// is kept. At Finish the writer maps the file and re-reads the series section
// to build postings, one batch of label names at a time, each batch holding
// at most one (name, value, ref) triple of 12 bytes per series — so a
// postings batch needs about 12 bytes x number of series (12 MB for 1M
// series), whatever the number of labels. The postings are written to a
// temporary file `<path>_tmp_p` next to the index (as Prometheus does) and
// copied into the index after the label indices; the postings offset table
// is kept as 16 bytes per label pair. Symbol lookups use the mapped symbol
// table with every 32nd offset sampled in memory.
//
// The file is written at `path` directly (the caller works in a temporary
// block directory). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/format.h"
#include "index/postings.h"
#include "model/labels.h"
#include "model/status.h"

namespace tsdb::index {

class IndexWriter {
 public:
  // Creates (or truncates) `path` and writes the header.
  static Result<std::unique_ptr<IndexWriter>> Create(const std::string& path);
  ~IndexWriter();  // closes the file if Finish was not called; removes the temporary file
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  Status AddSymbol(std::string_view symbol);
  // Returns the series' ref (its offset / 16), which the postings will use.
  Result<SeriesRef> AddSeries(const Labels& labels, std::span<const ChunkMeta> chunks);
  Status Finish();

  const std::string& path() const { return path_; }

 private:
  enum class Stage { kNone, kSymbols, kSeries, kDone };
  struct NameInfo {
    uint32_t index = 0;            // symbol index of the name
    uint64_t uses = 0;             // series carrying this name
    std::string last_value;        // a one-entry cache of value -> index
    uint32_t last_value_index = 0;
    bool has_last = false;
  };
  struct PostingEntry {  // one postings list in the temporary file
    uint32_t name;       // symbol index, kAllName for the all-postings list
    uint32_t value;
    uint64_t offset;     // in the temporary file
  };
  static constexpr uint32_t kAllName = UINT32_MAX;

  IndexWriter(std::string path, int fd);
  Status EnsureStage(Stage s);
  Status StartSymbols();
  Status FinishSymbols();
  Status FinishAll();
  Status Write(std::string_view b);
  Status WriteAt(std::string_view b, uint64_t pos);
  Status Flush();
  Status AddPadding(size_t align);
  Status Fail(Status st);
  Result<uint32_t> ReverseLookup(std::string_view sym) const;
  std::string_view SymbolAt(uint32_t index) const;
  Status WritePostingsToTmp(std::vector<PostingEntry>* entries, SeriesRef* num_series);
  Status WriteLabelIndices(const std::vector<PostingEntry>& entries,
                           std::vector<std::pair<uint32_t, uint64_t>>* label_index_offsets);
  Status CopyTmpPostings();
  Status WritePostingsOffsetTable(const std::vector<PostingEntry>& entries);

  std::string path_;
  int fd_ = -1;
  std::string tmp_path_;
  int tmp_fd_ = -1;
  uint64_t tmp_pos_ = 0;
  uint64_t pos_ = 0;  // logical file position including buffered bytes
  std::string buf_;   // bytes not yet written
  Stage stage_ = Stage::kNone;
  Status failed_;
  TOC toc_;
  uint64_t postings_start_ = 0;

  uint32_t num_symbols_ = 0;
  std::string last_symbol_;
  MappedRegion map_;                    // the file as written so far (symbols, later series)
  std::vector<uint64_t> symbol_samples_;  // offset of symbol 0, 32, 64, ...
  std::unordered_map<std::string, NameInfo> names_;

  Labels last_series_;
  bool have_last_series_ = false;
  uint64_t last_chunk_ref_ = 0;
  uint64_t num_series_ = 0;
};

}  // namespace tsdb::index
