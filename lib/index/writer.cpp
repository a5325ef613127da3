#include "index/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "encoding/crc32c.h"
#include "encoding/encoding.h"

namespace tsdb::index {
namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr uint64_t kMaxFileSize = 16ull * UINT32_MAX;  // series refs are 32-bit multiples of 16

Status Errno(const std::string& path, const char* what) {
  return Status::IOError(path + ": " + what + ": " + std::strerror(errno));
}

Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t k = ::write(fd, p, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      return Errno(path, "write");
    }
    p += k;
    n -= static_cast<size_t>(k);
  }
  return Status::OK();
}

Status PwriteAll(int fd, const char* p, size_t n, uint64_t off, const std::string& path) {
  while (n > 0) {
    ssize_t k = ::pwrite(fd, p, n, static_cast<off_t>(off));
    if (k < 0) {
      if (errno == EINTR) continue;
      return Errno(path, "pwrite");
    }
    p += k;
    n -= static_cast<size_t>(k);
    off += static_cast<uint64_t>(k);
  }
  return Status::OK();
}

void AppendCrc(std::string* b, size_t from) {
  encoding::PutBE32(b, encoding::Crc32c(b->data() + from, b->size() - from));
}

}  // namespace

IndexWriter::IndexWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

IndexWriter::~IndexWriter() {
  map_.Unmap();
  if (tmp_fd_ >= 0) {
    ::close(tmp_fd_);
    ::unlink(tmp_path_.c_str());
  }
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<IndexWriter>> IndexWriter::Create(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(path, "open");
  std::unique_ptr<IndexWriter> w(new IndexWriter(path, fd));
  std::string h;
  encoding::PutBE32(&h, kMagicIndex);
  h.push_back(static_cast<char>(kFormatV2));
  TSDB_RETURN_IF_ERROR(w->Write(h));
  return w;
}

Status IndexWriter::Fail(Status st) {
  if (failed_.ok()) failed_ = st;
  return st;
}

Status IndexWriter::Write(std::string_view b) {
  buf_.append(b);
  pos_ += b.size();
  if (pos_ > kMaxFileSize) return Fail(Status::InvalidArgument(path_ + ": index exceeds the 64 GiB limit of format v2"));
  if (buf_.size() >= kFlushBytes) return Flush();
  return Status::OK();
}

Status IndexWriter::Flush() {
  if (buf_.empty()) return Status::OK();
  Status st = WriteAll(fd_, buf_.data(), buf_.size(), path_);
  buf_.clear();
  if (!st.ok()) return Fail(st);
  return Status::OK();
}

Status IndexWriter::WriteAt(std::string_view b, uint64_t pos) {
  TSDB_RETURN_IF_ERROR(Flush());
  Status st = PwriteAll(fd_, b.data(), b.size(), pos, path_);
  if (!st.ok()) return Fail(st);
  return Status::OK();
}

Status IndexWriter::AddPadding(size_t align) {
  size_t r = pos_ % align;
  if (r == 0) return Status::OK();
  return Write(std::string(align - r, '\0'));
}

Status IndexWriter::EnsureStage(Stage s) {
  if (!failed_.ok()) return failed_;
  if (stage_ == s) return Status::OK();
  if (stage_ > s) {
    static const char* kNames[] = {"none", "symbols", "series", "done"};
    return Status::InvalidArgument(path_ + ": index writer: cannot go back to stage " + kNames[int(s)] +
                                   " from " + kNames[int(stage_)]);
  }
  while (stage_ < s) {
    Stage next = static_cast<Stage>(static_cast<int>(stage_) + 1);
    switch (next) {
      case Stage::kSymbols:
        TSDB_RETURN_IF_ERROR(StartSymbols());
        break;
      case Stage::kSeries:
        TSDB_RETURN_IF_ERROR(FinishSymbols());
        break;
      case Stage::kDone:
        TSDB_RETURN_IF_ERROR(FinishAll());
        break;
      case Stage::kNone:
        break;
    }
    stage_ = next;
  }
  return Status::OK();
}

Status IndexWriter::StartSymbols() {
  toc_.symbols = pos_;
  return Write(std::string_view("alenblen", 8));  // length and count, filled in by FinishSymbols
}

Status IndexWriter::AddSymbol(std::string_view symbol) {
  TSDB_RETURN_IF_ERROR(EnsureStage(Stage::kSymbols));
  if (num_symbols_ != 0 && symbol <= last_symbol_) {
    return Status::InvalidArgument(path_ + ": symbol \"" + std::string(symbol) + "\" out of order (after \"" +
                                   last_symbol_ + "\")");
  }
  if (num_symbols_ == UINT32_MAX) return Status::InvalidArgument(path_ + ": too many symbols");
  last_symbol_.assign(symbol);
  ++num_symbols_;
  std::string b;
  encoding::PutUvarint(&b, symbol.size());
  b.append(symbol);
  return Write(b);
}

Status IndexWriter::FinishSymbols() {
  uint64_t size = pos_ - toc_.symbols - 4;
  if (size > UINT32_MAX) return Fail(Status::InvalidArgument(path_ + ": symbol table exceeds 4 GiB"));
  std::string head;
  encoding::PutBE32(&head, static_cast<uint32_t>(size));
  encoding::PutBE32(&head, num_symbols_);
  TSDB_RETURN_IF_ERROR(WriteAt(head, toc_.symbols));  // flushes: the file now holds every symbol
  uint64_t hash_pos = pos_;
  TSDB_RETURN_IF_ERROR(Write(std::string_view("hash", 4)));
  TSDB_RETURN_IF_ERROR(Flush());
  if (Status st = map_.Map(fd_, hash_pos, path_); !st.ok()) return Fail(st);
  const uint8_t* m = map_.data();
  std::string crc;
  encoding::PutBE32(&crc, encoding::Crc32c(m + toc_.symbols + 4, hash_pos - toc_.symbols - 4));
  TSDB_RETURN_IF_ERROR(WriteAt(crc, hash_pos));
  // Sample every 32nd symbol's offset for lookups while adding series.
  encoding::Decbuf d(m + toc_.symbols + 8, hash_pos - toc_.symbols - 8);
  for (uint32_t i = 0; i < num_symbols_; ++i) {
    if (i % kSymbolFactor == 0) symbol_samples_.push_back(toc_.symbols + 8 + d.consumed());
    d.UvarintStr();
  }
  if (!d.ok()) return Fail(Status::IOError(path_ + ": symbol table reads back differently than written"));
  toc_.series = pos_;
  return Status::OK();
}

std::string_view IndexWriter::SymbolAt(uint32_t index) const {
  uint64_t off = symbol_samples_[index / kSymbolFactor];
  encoding::Decbuf d(map_.data() + off, map_.size() - off);
  for (uint32_t i = index % kSymbolFactor; i > 0; --i) d.UvarintStr();
  return d.UvarintStr();
}

Result<uint32_t> IndexWriter::ReverseLookup(std::string_view sym) const {
  auto first_at = [&](size_t sample) {
    encoding::Decbuf d(map_.data() + symbol_samples_[sample], map_.size() - symbol_samples_[sample]);
    return d.UvarintStr();
  };
  // The last sample whose symbol is <= sym.
  size_t lo = 0, hi = symbol_samples_.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (first_at(mid) <= sym) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo > 0) {
    size_t s = lo - 1;
    uint64_t off = symbol_samples_[s];
    encoding::Decbuf d(map_.data() + off, map_.size() - off);
    uint32_t index = static_cast<uint32_t>(s * kSymbolFactor);
    for (; index < num_symbols_ && index < (s + 1) * kSymbolFactor; ++index) {
      std::string_view v = d.UvarintStr();
      if (v == sym) return index;
      if (v > sym) break;
    }
  }
  return Status::InvalidArgument(path_ + ": \"" + std::string(sym) + "\" was not added as a symbol");
}

Result<SeriesRef> IndexWriter::AddSeries(const Labels& labels, std::span<const ChunkMeta> chunks) {
  TSDB_RETURN_IF_ERROR(EnsureStage(Stage::kSeries));
  if (have_last_series_ ? !(last_series_ < labels) : labels.empty()) {
    return Status::InvalidArgument(path_ + ": out-of-order series " + labels.ToString() +
                                   (have_last_series_ ? " after " + last_series_.ToString() : ""));
  }
  uint64_t last_ref = last_chunk_ref_;
  int64_t last_maxt = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ChunkMeta& c = chunks[i];
    if (c.ref < last_ref) {
      return Status::InvalidArgument(path_ + ": series " + labels.ToString() + ": unsorted chunk reference " +
                                     std::to_string(c.ref) + ", previous " + std::to_string(last_ref));
    }
    last_ref = c.ref;
    if (i > 0 && c.min_time <= last_maxt) {
      return Status::InvalidArgument(path_ + ": series " + labels.ToString() + ": chunk min time " +
                                     std::to_string(c.min_time) + " not after previous max time " +
                                     std::to_string(last_maxt));
    }
    if (c.max_time < c.min_time) {
      return Status::InvalidArgument(path_ + ": series " + labels.ToString() + ": chunk max time " +
                                     std::to_string(c.max_time) + " before min time " + std::to_string(c.min_time));
    }
    last_maxt = c.max_time;
  }

  // Encode before writing anything, so a missing symbol leaves the file as it was.
  std::string body;
  encoding::PutUvarint(&body, labels.size());
  std::vector<NameInfo*> used;
  used.reserve(labels.size());
  for (const Label& l : labels) {
    auto it = names_.find(l.name);
    if (it == names_.end()) {
      TSDB_ASSIGN_OR_RETURN(uint32_t ni, ReverseLookup(l.name));
      it = names_.emplace(l.name, NameInfo{ni, 0, {}, 0, false}).first;
    }
    NameInfo& info = it->second;
    uint32_t vi = info.last_value_index;
    if (!info.has_last || info.last_value != l.value) {
      TSDB_ASSIGN_OR_RETURN(vi, ReverseLookup(l.value));
      info.last_value = l.value;
      info.last_value_index = vi;
      info.has_last = true;
    }
    encoding::PutUvarint(&body, info.index);
    encoding::PutUvarint(&body, vi);
    used.push_back(&info);
  }
  encoding::PutUvarint(&body, chunks.size());
  if (!chunks.empty()) {
    const ChunkMeta& c0 = chunks[0];
    encoding::PutVarint(&body, c0.min_time);
    encoding::PutUvarint(&body, static_cast<uint64_t>(c0.max_time) - static_cast<uint64_t>(c0.min_time));
    encoding::PutUvarint(&body, c0.ref);
    uint64_t t0 = static_cast<uint64_t>(c0.max_time);
    uint64_t ref0 = c0.ref;
    for (size_t i = 1; i < chunks.size(); ++i) {
      const ChunkMeta& c = chunks[i];
      encoding::PutUvarint(&body, static_cast<uint64_t>(c.min_time) - t0);
      encoding::PutUvarint(&body, static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
      t0 = static_cast<uint64_t>(c.max_time);
      encoding::PutVarint(&body, static_cast<int64_t>(c.ref - ref0));
      ref0 = c.ref;
    }
  }

  TSDB_RETURN_IF_ERROR(AddPadding(kSeriesAlign));
  SeriesRef ref = pos_ / kSeriesAlign;
  if (ref > UINT32_MAX) return Fail(Status::InvalidArgument(path_ + ": series section exceeds 64 GiB"));
  std::string entry;
  encoding::PutUvarint(&entry, body.size());
  entry.append(body);
  encoding::PutBE32(&entry, encoding::Crc32c(body));
  TSDB_RETURN_IF_ERROR(Write(entry));

  for (NameInfo* n : used) ++n->uses;
  last_series_ = labels;
  have_last_series_ = true;
  last_chunk_ref_ = last_ref;
  ++num_series_;
  return ref;
}

Status IndexWriter::Finish() {
  Status st = EnsureStage(Stage::kDone);
  map_.Unmap();
  if (tmp_fd_ >= 0) {
    ::close(tmp_fd_);
    ::unlink(tmp_path_.c_str());
    tmp_fd_ = -1;
  }
  if (fd_ >= 0) {
    if (st.ok()) st = Flush();
    if (st.ok() && ::fsync(fd_) != 0) st = Errno(path_, "fsync");
    if (::close(fd_) != 0 && st.ok()) st = Errno(path_, "close");
    fd_ = -1;
  }
  if (!st.ok()) Fail(st);
  return st;
}

Status IndexWriter::FinishAll() {
  TSDB_RETURN_IF_ERROR(Flush());
  toc_.label_indices = pos_;
  tmp_path_ = path_ + "_tmp_p";
  tmp_fd_ = ::open(tmp_path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (tmp_fd_ < 0) return Fail(Errno(tmp_path_, "open"));

  std::vector<PostingEntry> entries;
  SeriesRef n = 0;
  TSDB_RETURN_IF_ERROR(WritePostingsToTmp(&entries, &n));
  std::vector<std::pair<uint32_t, uint64_t>> label_index_offsets;
  TSDB_RETURN_IF_ERROR(WriteLabelIndices(entries, &label_index_offsets));

  toc_.postings = pos_;
  TSDB_RETURN_IF_ERROR(CopyTmpPostings());

  // Label offset table: one entry per label name.
  toc_.label_indices_table = pos_;
  std::string t;
  encoding::PutBE32(&t, 0);  // length, set below
  encoding::PutBE32(&t, static_cast<uint32_t>(label_index_offsets.size()));
  for (const auto& [name, off] : label_index_offsets) {
    encoding::PutUvarint(&t, 1);
    std::string_view s = SymbolAt(name);
    encoding::PutUvarint(&t, s.size());
    t.append(s);
    encoding::PutUvarint(&t, off);
  }
  if (t.size() - 4 > UINT32_MAX) return Fail(Status::InvalidArgument(path_ + ": label offset table exceeds 4 GiB"));
  uint32_t len = static_cast<uint32_t>(t.size() - 4);
  for (int i = 0; i < 4; ++i) t[i] = static_cast<char>(len >> (24 - 8 * i));
  AppendCrc(&t, 4);
  TSDB_RETURN_IF_ERROR(Write(t));

  toc_.postings_table = pos_;
  TSDB_RETURN_IF_ERROR(WritePostingsOffsetTable(entries));

  std::string toc;
  for (uint64_t v : {toc_.symbols, toc_.series, toc_.label_indices, toc_.label_indices_table, toc_.postings,
                     toc_.postings_table}) {
    encoding::PutBE64(&toc, v);
  }
  AppendCrc(&toc, 0);
  return Write(toc);
}

Status IndexWriter::WritePostingsToTmp(std::vector<PostingEntry>* entries, SeriesRef* num_series) {
  const uint64_t series_end = toc_.label_indices;
  if (Status st = map_.Map(fd_, series_end, path_); !st.ok()) return Fail(st);
  const uint8_t* m = map_.data();

  std::string out;  // buffered bytes for the temporary file
  auto flush_tmp = [&]() -> Status {
    Status st = WriteAll(tmp_fd_, out.data(), out.size(), tmp_path_);
    out.clear();
    return st.ok() ? st : Fail(st);
  };
  auto write_posting = [&](uint32_t name, uint32_t value, const std::vector<uint32_t>& refs) -> Status {
    const size_t count = refs.size();
    // Lists are 4-byte aligned in the file; every list is a multiple of 4 bytes long.
    entries->push_back({name, value, tmp_pos_});
    size_t start = out.size();
    encoding::PutBE32(&out, static_cast<uint32_t>(4 + 4 * count));
    encoding::PutBE32(&out, static_cast<uint32_t>(count));
    for (uint32_t r : refs) encoding::PutBE32(&out, r);
    out.append(4, '\0');
    uint32_t crc = encoding::Crc32c(out.data() + start + 4, out.size() - start - 8);
    for (int i = 0; i < 4; ++i) out[out.size() - 4 + i] = static_cast<char>(crc >> (24 - 8 * i));
    tmp_pos_ += out.size() - start;
    if (out.size() >= kFlushBytes) return flush_tmp();
    return Status::OK();
  };

  // Walks the series section: fn(ref, body, size) for each series.
  auto for_each_series = [&](auto fn) -> Status {
    uint64_t off = toc_.series;
    while (off < series_end) {
      if (m[off] == 0) {  // padding
        ++off;
        continue;
      }
      uint64_t len = 0;
      size_t k = encoding::GetUvarint(m + off, series_end - off, &len);
      if (k == 0 || k == SIZE_MAX || len + 4 > series_end - off - k) {
        return Fail(Status::IOError(path_ + ": series section reads back differently than written at offset " +
                                    std::to_string(off)));
      }
      TSDB_RETURN_IF_ERROR(fn(off / kSeriesAlign, m + off + k, len));
      off += k + len + 4;
    }
    return Status::OK();
  };

  std::vector<uint32_t> all;
  all.reserve(num_series_);
  TSDB_RETURN_IF_ERROR(for_each_series([&](SeriesRef ref, const uint8_t*, uint64_t) {
    all.push_back(static_cast<uint32_t>(ref));
    return Status::OK();
  }));
  TSDB_RETURN_IF_ERROR(write_posting(kAllName, kAllName, all));
  *num_series = all.size();
  const uint64_t max_postings = all.size();
  all = {};

  std::vector<const NameInfo*> names;
  for (const auto& [_, info] : names_) names.push_back(&info);
  std::sort(names.begin(), names.end(), [](const NameInfo* a, const NameInfo* b) { return a->index < b->index; });

  struct Triple {
    uint32_t name, value, ref;
  };
  std::vector<Triple> triples;
  SeriesEntry se;
  size_t next = 0;
  while (next < names.size()) {
    // As Prometheus: batch names while their uses fit in one list's worth of refs.
    std::vector<uint32_t> batch;
    uint64_t c = 0;
    while (next < names.size() && (c == 0 || names[next]->uses + c <= max_postings)) {
      batch.push_back(names[next]->index);
      c += names[next]->uses;
      ++next;
    }
    triples.clear();
    triples.reserve(c);
    TSDB_RETURN_IF_ERROR(for_each_series([&](SeriesRef ref, const uint8_t* body, uint64_t size) {
      Status st = DecodeSeries(body, size, 0, false, &se);
      if (!st.ok()) return Fail(Status::IOError(path_ + ": series reads back differently than written"));
      for (size_t i = 0; i + 1 < se.label_refs.size(); i += 2) {
        if (std::binary_search(batch.begin(), batch.end(), se.label_refs[i])) {
          triples.push_back({se.label_refs[i], se.label_refs[i + 1], static_cast<uint32_t>(ref)});
        }
      }
      return Status::OK();
    }));
    // Stable: refs stay in series order within a (name, value).
    std::stable_sort(triples.begin(), triples.end(), [](const Triple& a, const Triple& b) {
      return a.name != b.name ? a.name < b.name : a.value < b.value;
    });
    std::vector<uint32_t> refs;
    for (size_t i = 0; i < triples.size();) {
      refs.clear();
      size_t j = i;
      for (; j < triples.size() && triples[j].name == triples[i].name && triples[j].value == triples[i].value; ++j) {
        refs.push_back(triples[j].ref);
      }
      TSDB_RETURN_IF_ERROR(write_posting(triples[i].name, triples[i].value, refs));
      i = j;
    }
  }
  triples = {};
  return flush_tmp();
}

Status IndexWriter::WriteLabelIndices(const std::vector<PostingEntry>& entries,
                                      std::vector<std::pair<uint32_t, uint64_t>>* offsets) {
  for (size_t i = 0; i < entries.size();) {
    if (entries[i].name == kAllName) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < entries.size() && entries[j].name == entries[i].name) ++j;
    TSDB_RETURN_IF_ERROR(AddPadding(4));
    offsets->emplace_back(entries[i].name, pos_);
    std::string b;
    encoding::PutBE32(&b, static_cast<uint32_t>(8 + 4 * (j - i)));
    encoding::PutBE32(&b, 1);  // number of names
    encoding::PutBE32(&b, static_cast<uint32_t>(j - i));
    for (size_t k = i; k < j; ++k) encoding::PutBE32(&b, entries[k].value);
    AppendCrc(&b, 4);
    TSDB_RETURN_IF_ERROR(Write(b));
    i = j;
  }
  return Status::OK();
}

Status IndexWriter::CopyTmpPostings() {
  TSDB_RETURN_IF_ERROR(AddPadding(4));
  postings_start_ = pos_;
  TSDB_RETURN_IF_ERROR(Flush());
  std::string chunk(kFlushBytes, '\0');
  uint64_t copied = 0;
  while (copied < tmp_pos_) {
    ssize_t k = ::pread(tmp_fd_, chunk.data(), chunk.size(), static_cast<off_t>(copied));
    if (k < 0) {
      if (errno == EINTR) continue;
      return Fail(Errno(tmp_path_, "read"));
    }
    if (k == 0) return Fail(Status::IOError(tmp_path_ + ": shorter than written"));
    TSDB_RETURN_IF_ERROR(Write(std::string_view(chunk.data(), static_cast<size_t>(k))));
    copied += static_cast<uint64_t>(k);
  }
  ::close(tmp_fd_);
  tmp_fd_ = -1;
  ::unlink(tmp_path_.c_str());
  return Status::OK();
}

Status IndexWriter::WritePostingsOffsetTable(const std::vector<PostingEntry>& entries) {
  const uint64_t start = pos_;
  std::string b;
  encoding::PutBE32(&b, 0);  // length, written at the end
  encoding::PutBE32(&b, static_cast<uint32_t>(entries.size()));
  uint32_t crc = encoding::Crc32cExtend(0, b.data() + 4, 4);
  TSDB_RETURN_IF_ERROR(Write(b));
  std::string_view name_str;
  uint32_t name_idx = kAllName - 1;
  for (const PostingEntry& e : entries) {
    b.clear();
    encoding::PutUvarint(&b, 2);
    if (e.name != name_idx) {
      name_idx = e.name;
      name_str = e.name == kAllName ? std::string_view() : SymbolAt(e.name);
    }
    std::string_view value = e.value == kAllName ? std::string_view() : SymbolAt(e.value);
    encoding::PutUvarint(&b, name_str.size());
    b.append(name_str);
    encoding::PutUvarint(&b, value.size());
    b.append(value);
    encoding::PutUvarint(&b, e.offset + postings_start_);
    crc = encoding::Crc32cExtend(crc, b.data(), b.size());
    TSDB_RETURN_IF_ERROR(Write(b));
  }
  uint64_t len = pos_ - start - 4;
  if (len > UINT32_MAX) return Fail(Status::InvalidArgument(path_ + ": postings offset table exceeds 4 GiB"));
  b.clear();
  encoding::PutBE32(&b, static_cast<uint32_t>(len));
  TSDB_RETURN_IF_ERROR(WriteAt(b, start));
  b.clear();
  encoding::PutBE32(&b, crc);
  return Write(b);
}

}  // namespace tsdb::index
