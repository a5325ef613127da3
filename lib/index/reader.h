// IndexReader reads a Prometheus index file, format v2, from a read-only
// mmap (or, for tests and fuzzing, from a caller's buffer).
//
// Open checks the header, the version, the TOC checksum, the bounds of every
// section the TOC names, the symbol table (checksum, every entry inside it)
// and the postings offset table (checksum, entries in strictly increasing
// (name, value) order, the all-postings entry first). It keeps in memory only
// every 32nd symbol offset and, per label name, every 32nd value's position
// in the postings offset table — as Prometheus does. Every other read checks
// the offset and length it is given against the file and the section, and
// each series entry and postings list against its CRC32C: a corrupt file
// gives a Corruption status naming the file and byte offset, never a crash
// or an allocation larger than the file.
//
// Version 1 indexes (early Prometheus 2.x: symbol refs are offsets, the
// postings offset table is unsorted) are recognised and refused with
// InvalidArgument; any other version is Corruption.
//
// Strings (symbols, names, values) are string_views into the mapping and
// Postings point into it: the reader must outlive them. A reader is
// immutable after Open: its const methods are safe to call from many
// threads (each Postings object belongs to one thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/format.h"
#include "index/postings.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/status.h"

namespace tsdb::index {

// One problem found by VerifyAll.
struct IndexProblem {
  std::string section;  // "symbols", "series", "label index", "label offset table", "postings", ...
  uint64_t offset = 0;  // byte offset in the file
  std::string message;
};

class IndexReader {
 public:
  static Result<std::unique_ptr<IndexReader>> Open(const std::string& path);
  // Reads `bytes`, which the caller keeps alive and unchanged while the
  // reader and everything it returned are in use. `name` is used in messages.
  static Result<std::unique_ptr<IndexReader>> OpenFromBuffer(std::string_view bytes,
                                                             std::string name = "<buffer>");
  ~IndexReader();
  IndexReader(const IndexReader&) = delete;
  IndexReader& operator=(const IndexReader&) = delete;

  int version() const { return version_; }
  const TOC& toc() const { return toc_; }
  uint64_t size() const { return size_; }
  const std::string& name() const { return name_; }

  // Iterates the symbol table in order.
  class SymbolIterator {
   public:
    bool Next();
    std::string_view At() const { return cur_; }
    const Status& status() const { return st_; }

   private:
    friend class IndexReader;
    const uint8_t* p_ = nullptr;
    size_t n_ = 0;
    uint32_t left_ = 0;
    std::string_view cur_;
    Status st_;
  };
  SymbolIterator Symbols() const;
  uint32_t NumSymbols() const { return num_symbols_; }
  // v2 symbol refs are indices into the symbol table (0 = the first symbol).
  Result<std::string_view> LookupSymbol(uint32_t ref) const;

  // Label names with at least one series, sorted.
  std::vector<std::string_view> LabelNames() const;
  // Sorted values of a label name; empty when the name is unknown.
  Result<std::vector<std::string_view>> LabelValues(std::string_view name) const;

  // Series with name=value for any of `values` (a union); empty when none.
  Result<PostingsPtr> Postings(std::string_view name, const std::vector<std::string_view>& values) const;
  Result<PostingsPtr> Postings(std::string_view name, std::string_view value) const;
  Result<PostingsPtr> AllPostings() const;
  // Series matching every matcher, with Prometheus's semantics: a matcher
  // that matches "" also selects series without the label ({a=""},
  // {a!="x"}, {a=~"x|"}, {a!~".+"}). No matchers: all series.
  Result<PostingsPtr> PostingsForMatchers(const std::vector<Matcher>& matchers) const;
  // Refs of a v2 index are in label-set order already.
  PostingsPtr SortedPostings(PostingsPtr p) const { return p; }
  uint64_t NumSeries() const { return num_series_; }

  // The labels and chunk metas of the series `ref` (chunks may be null).
  Status Series(SeriesRef ref, Labels* labels, std::vector<ChunkMeta>* chunks) const;
  // The same without copying: names and values point into the mapping.
  // The series' label symbol references (name, value, name, value, ...) without
  // resolving them, for callers that aggregate over many series and look up
  // only the symbols they print (LookupSymbol). CRC-checked like Series().
  Status SeriesRefs(SeriesRef ref, std::vector<uint32_t>* label_refs, std::vector<ChunkMeta>* chunks) const;
  Status SeriesView(SeriesRef ref, std::vector<std::pair<std::string_view, std::string_view>>* labels,
                    std::vector<ChunkMeta>* chunks) const;

  // Checks everything: every CRC, symbols sorted and unique, every series
  // decodable with symbol refs in range, labels sorted, series in order,
  // chunk metas ordered; label indices and the label offset table; every
  // postings list sorted and pointing at series starts; the all-postings
  // list equal to the series found. Calls `report` for each problem (may be
  // null) and returns Corruption naming the first one, or OK.
  Status VerifyAll(const std::function<void(const IndexProblem&)>& report) const;

 private:
  struct ValueSample {
    std::string_view value;
    uint64_t entry_off;  // absolute file offset of the entry
  };
  struct NameEntry {
    std::string_view name;
    uint64_t first_entry_off = 0;  // absolute offset of the name's first entry
    uint32_t num_values = 0;
    std::vector<ValueSample> samples;  // value 0, 32, 64, ...
  };
  struct OffsetEntry {  // one decoded postings offset table entry
    std::string_view name, value;
    uint64_t postings_off;
    uint64_t next;  // offset after the entry
  };
  struct Section {
    uint64_t body = 0;  // first byte after the 4-byte length
    uint64_t len = 0;   // bytes covered by the CRC
  };

  IndexReader() = default;
  Status Init();
  Status Corrupt(uint64_t off, const std::string& what) const;
  Result<Section> ReadSection(uint64_t off, const char* what, bool check_crc) const;
  Status ParseSymbols();
  Status ParsePostingsTable();
  Result<OffsetEntry> DecodeOffsetEntry(uint64_t off) const;
  const NameEntry* FindName(std::string_view name) const;
  Result<uint64_t> FindPostingsOffset(const NameEntry& n, std::string_view value, bool* found) const;
  // Calls fn(value, postings offset) for every value of n in order; fn
  // returns false to stop.
  Status ForEachValue(const NameEntry& n, const std::function<bool(std::string_view, uint64_t)>& fn) const;
  Result<PostingsPtr> PostingsAt(uint64_t off) const;
  Result<PostingsPtr> PostingsMatching(const NameEntry* n, const std::function<bool(std::string_view)>& match) const;
  Status SeriesBody(SeriesRef ref, const uint8_t** body, size_t* len, uint64_t* body_off) const;
  uint64_t SeriesEnd() const;

  std::string name_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t toc_off_ = 0;  // start of the TOC: the end of the data sections
  bool mapped_ = false;
  int version_ = 0;
  TOC toc_;

  uint32_t num_symbols_ = 0;
  Section symbols_;
  std::vector<uint64_t> symbol_samples_;  // absolute offsets of symbol 0, 32, 64, ...
  Section postings_table_;
  std::vector<NameEntry> names_;  // sorted by name; names_[0] is "" (all postings)
  uint64_t all_postings_off_ = 0;
  uint64_t num_series_ = 0;
};

}  // namespace tsdb::index
