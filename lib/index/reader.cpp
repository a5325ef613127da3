#include "index/reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "encoding/crc32c.h"
#include "encoding/encoding.h"

namespace tsdb::index {
namespace {

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out.append(b);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

std::string Hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

IndexReader::~IndexReader() {
  if (mapped_ && data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
}

Result<std::unique_ptr<IndexReader>> IndexReader::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    std::string msg = path + ": open: " + std::strerror(e);
    return e == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    std::string msg = path + ": stat: " + std::strerror(errno);
    ::close(fd);
    return Status::IOError(msg);
  }
  std::unique_ptr<IndexReader> r(new IndexReader());
  r->name_ = path;
  r->size_ = static_cast<uint64_t>(st.st_size);
  if (r->size_ > 0) {
    void* p = mmap(nullptr, r->size_, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      std::string msg = path + ": mmap: " + std::strerror(errno);
      ::close(fd);
      return Status::IOError(msg);
    }
    r->data_ = static_cast<const uint8_t*>(p);
    r->mapped_ = true;
  }
  ::close(fd);
  TSDB_RETURN_IF_ERROR(r->Init());
  return r;
}

Result<std::unique_ptr<IndexReader>> IndexReader::OpenFromBuffer(std::string_view bytes, std::string name) {
  std::unique_ptr<IndexReader> r(new IndexReader());
  r->name_ = std::move(name);
  r->data_ = reinterpret_cast<const uint8_t*>(bytes.data());
  r->size_ = bytes.size();
  TSDB_RETURN_IF_ERROR(r->Init());
  return r;
}

Status IndexReader::Corrupt(uint64_t off, const std::string& what) const {
  return Status::Corruption(name_ + ": offset " + std::to_string(off) + ": " + what);
}

Status IndexReader::Init() {
  if (size_ < kHeaderLen + kTocLen) {
    return Status::Corruption(name_ + ": offset 0: file too short for an index (" + std::to_string(size_) +
                              " bytes)");
  }
  uint32_t magic = encoding::BE32(data_);
  if (magic != kMagicIndex) return Corrupt(0, "bad magic number " + Hex(magic) + " (want 0xbaaad700)");
  version_ = data_[4];
  if (version_ == kFormatV1) {
    return Status::InvalidArgument(name_ + ": index format version 1 (early Prometheus 2.x) is not supported; "
                                   "only version 2 is read");
  }
  if (version_ != kFormatV2) return Corrupt(4, "unknown index format version " + std::to_string(version_));

  toc_off_ = size_ - kTocLen;
  const uint8_t* t = data_ + toc_off_;
  uint32_t want = encoding::BE32(t + kTocLen - 4);
  uint32_t got = encoding::Crc32c(t, kTocLen - 4);
  if (want != got) {
    return Corrupt(toc_off_, "TOC checksum mismatch (stored " + Hex(want) + ", computed " + Hex(got) + ")");
  }
  uint64_t* fields[] = {&toc_.symbols, &toc_.series, &toc_.label_indices, &toc_.label_indices_table,
                        &toc_.postings, &toc_.postings_table};
  static const char* kFieldNames[] = {"symbols", "series", "label indices", "label offset table", "postings",
                                      "postings offset table"};
  for (int i = 0; i < 6; ++i) {
    *fields[i] = encoding::BE64(t + 8 * i);
    if (*fields[i] != 0 && (*fields[i] < kHeaderLen || *fields[i] > toc_off_)) {
      return Corrupt(toc_off_ + 8 * i, std::string("TOC: ") + kFieldNames[i] + " offset " +
                                           std::to_string(*fields[i]) + " outside the file's sections [5, " +
                                           std::to_string(toc_off_) + "]");
    }
  }
  if (toc_.symbols == 0) return Corrupt(toc_off_, "TOC: no symbol table");
  if (toc_.postings_table == 0) return Corrupt(toc_off_ + 40, "TOC: no postings offset table");
  TSDB_RETURN_IF_ERROR(ParseSymbols());
  TSDB_RETURN_IF_ERROR(ParsePostingsTable());
  return Status::OK();
}

Result<IndexReader::Section> IndexReader::ReadSection(uint64_t off, const char* what, bool check_crc) const {
  if (off < kHeaderLen || off > toc_off_ || toc_off_ - off < 8) {
    return Corrupt(off, std::string(what) + ": section offset outside the file");
  }
  uint64_t len = encoding::BE32(data_ + off);
  if (len > toc_off_ - off - 8) {
    return Corrupt(off, std::string(what) + ": length " + std::to_string(len) + " runs past the end of the data (" +
                            std::to_string(toc_off_) + ")");
  }
  Section s{off + 4, len};
  if (check_crc) {
    uint32_t want = encoding::BE32(data_ + s.body + len);
    uint32_t got = encoding::Crc32c(data_ + s.body, len);
    if (want != got) {
      return Corrupt(off, std::string(what) + ": checksum mismatch (stored " + Hex(want) + ", computed " + Hex(got) +
                              ")");
    }
  }
  return s;
}

Status IndexReader::ParseSymbols() {
  TSDB_ASSIGN_OR_RETURN(symbols_, ReadSection(toc_.symbols, "symbol table", true));
  if (symbols_.len < 4) return Corrupt(toc_.symbols, "symbol table: shorter than its count");
  num_symbols_ = encoding::BE32(data_ + symbols_.body);
  encoding::Decbuf d(data_ + symbols_.body + 4, symbols_.len - 4);
  if (num_symbols_ > d.remaining()) {
    return Corrupt(symbols_.body, "symbol table: " + std::to_string(num_symbols_) + " symbols cannot fit in " +
                                      std::to_string(symbols_.len) + " bytes");
  }
  symbol_samples_.reserve(num_symbols_ / kSymbolFactor + 1);
  for (uint32_t i = 0; i < num_symbols_; ++i) {
    uint64_t at = symbols_.body + 4 + d.consumed();
    if (i % kSymbolFactor == 0) symbol_samples_.push_back(at);
    d.UvarintStr();
    if (!d.ok()) return Corrupt(at, std::string("symbol table: symbol ") + std::to_string(i) + ": " + d.err());
  }
  return Status::OK();
}

bool IndexReader::SymbolIterator::Next() {
  if (left_ == 0 || !st_.ok()) return false;
  encoding::Decbuf d(p_, n_);
  cur_ = d.UvarintStr();
  if (!d.ok()) {
    st_ = Status::Corruption(std::string("symbol table: ") + d.err());
    left_ = 0;
    return false;
  }
  p_ += d.consumed();
  n_ -= d.consumed();
  --left_;
  return true;
}

IndexReader::SymbolIterator IndexReader::Symbols() const {
  SymbolIterator it;
  it.p_ = data_ + symbols_.body + 4;
  it.n_ = symbols_.len - 4;
  it.left_ = num_symbols_;
  return it;
}

Result<std::string_view> IndexReader::LookupSymbol(uint32_t ref) const {
  if (ref >= num_symbols_) {
    return Status::Corruption(name_ + ": symbol ref " + std::to_string(ref) + " out of range (" +
                              std::to_string(num_symbols_) + " symbols)");
  }
  uint64_t off = symbol_samples_[ref / kSymbolFactor];
  encoding::Decbuf d(data_ + off, symbols_.body + symbols_.len - off);
  for (uint32_t i = ref % kSymbolFactor; i > 0; --i) d.UvarintStr();
  std::string_view s = d.UvarintStr();
  if (!d.ok()) return Corrupt(off, std::string("symbol table: ") + d.err());
  return s;
}

Result<IndexReader::OffsetEntry> IndexReader::DecodeOffsetEntry(uint64_t off) const {
  const uint64_t end = postings_table_.body + postings_table_.len;
  if (off >= end) return Corrupt(off, "postings offset table: entry past the end of the table");
  encoding::Decbuf d(data_ + off, end - off);
  uint64_t keys = d.Uvarint();
  OffsetEntry e;
  e.name = d.UvarintStr();
  e.value = d.UvarintStr();
  e.postings_off = d.Uvarint();
  if (!d.ok()) return Corrupt(off + d.consumed(), std::string("postings offset table: ") + d.err());
  if (keys != 2) return Corrupt(off, "postings offset table: entry with " + std::to_string(keys) + " keys (want 2)");
  e.next = off + d.consumed();
  return e;
}

Status IndexReader::ParsePostingsTable() {
  TSDB_ASSIGN_OR_RETURN(postings_table_, ReadSection(toc_.postings_table, "postings offset table", true));
  if (postings_table_.len < 4) return Corrupt(toc_.postings_table, "postings offset table: shorter than its count");
  uint32_t count = encoding::BE32(data_ + postings_table_.body);
  uint64_t off = postings_table_.body + 4;
  const uint64_t end = postings_table_.body + postings_table_.len;
  std::string_view last_name, last_value;
  NameEntry* cur = nullptr;
  for (uint32_t i = 0; i < count; ++i) {
    if (off >= end) {
      return Corrupt(off, "postings offset table: " + std::to_string(count) + " entries announced, " +
                              std::to_string(i) + " found");
    }
    TSDB_ASSIGN_OR_RETURN(OffsetEntry e, DecodeOffsetEntry(off));
    if (e.postings_off < kHeaderLen || e.postings_off > toc_off_ || toc_off_ - e.postings_off < 12) {
      return Corrupt(off, "postings offset table: postings offset " + std::to_string(e.postings_off) +
                              " outside the file");
    }
    if (i == 0) {
      if (!e.name.empty() || !e.value.empty()) {
        return Corrupt(off, "postings offset table: first entry is " + Quote(e.name) + "=" + Quote(e.value) +
                                ", not the all-postings entry");
      }
      all_postings_off_ = e.postings_off;
    } else {
      if (e.name.empty() || e.name < last_name || (e.name == last_name && e.value <= last_value)) {
        return Corrupt(off, "postings offset table: entry " + Quote(e.name) + "=" + Quote(e.value) +
                                " out of order after " + Quote(last_name) + "=" + Quote(last_value));
      }
      if (cur == nullptr || cur->name != e.name) {
        names_.push_back(NameEntry{e.name, off, 0, {}});
        cur = &names_.back();
      }
      if (cur->num_values % kSymbolFactor == 0) cur->samples.push_back({e.value, off});
      ++cur->num_values;
    }
    last_name = e.name;
    last_value = e.value;
    off = e.next;
  }
  if (count == 0) return Corrupt(postings_table_.body, "postings offset table: empty (no all-postings entry)");
  // The all-postings list's header gives the number of series.
  uint64_t p = all_postings_off_;
  uint64_t len = encoding::BE32(data_ + p);
  uint64_t n = encoding::BE32(data_ + p + 4);
  if (len != 4 + 4 * n || len > toc_off_ - p - 8) {
    return Corrupt(p, "all-postings list: length " + std::to_string(len) + " does not hold " + std::to_string(n) +
                          " series refs inside the file");
  }
  num_series_ = n;
  return Status::OK();
}

std::vector<std::string_view> IndexReader::LabelNames() const {
  std::vector<std::string_view> out;
  out.reserve(names_.size());
  for (const NameEntry& n : names_) out.push_back(n.name);
  return out;
}

const IndexReader::NameEntry* IndexReader::FindName(std::string_view name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name,
                             [](const NameEntry& e, std::string_view n) { return e.name < n; });
  if (it == names_.end() || it->name != name) return nullptr;
  return &*it;
}

Status IndexReader::ForEachValue(const NameEntry& n, const std::function<bool(std::string_view, uint64_t)>& fn) const {
  uint64_t off = n.first_entry_off;
  for (uint32_t i = 0; i < n.num_values; ++i) {
    // Entries were all decoded at Open, so this cannot fail on an unchanged file.
    TSDB_ASSIGN_OR_RETURN(OffsetEntry e, DecodeOffsetEntry(off));
    if (!fn(e.value, e.postings_off)) break;
    off = e.next;
  }
  return Status::OK();
}

Result<std::vector<std::string_view>> IndexReader::LabelValues(std::string_view name) const {
  std::vector<std::string_view> out;
  const NameEntry* n = FindName(name);
  if (n == nullptr) return out;
  out.reserve(n->num_values);
  TSDB_RETURN_IF_ERROR(ForEachValue(*n, [&](std::string_view v, uint64_t) {
    out.push_back(v);
    return true;
  }));
  return out;
}

Result<uint64_t> IndexReader::FindPostingsOffset(const NameEntry& n, std::string_view value, bool* found) const {
  *found = false;
  auto it = std::upper_bound(n.samples.begin(), n.samples.end(), value,
                             [](std::string_view v, const ValueSample& s) { return v < s.value; });
  if (it == n.samples.begin()) return uint64_t{0};  // before the first value
  --it;
  size_t sample = static_cast<size_t>(it - n.samples.begin());
  uint64_t off = it->entry_off;
  uint64_t left = std::min<uint64_t>(kSymbolFactor, n.num_values - sample * kSymbolFactor);
  for (uint64_t i = 0; i < left; ++i) {
    TSDB_ASSIGN_OR_RETURN(OffsetEntry e, DecodeOffsetEntry(off));
    if (e.value == value) {
      *found = true;
      return e.postings_off;
    }
    if (e.value > value) break;
    off = e.next;
  }
  return uint64_t{0};
}

Result<PostingsPtr> IndexReader::PostingsAt(uint64_t off) const {
  TSDB_ASSIGN_OR_RETURN(Section s, ReadSection(off, "postings list", true));
  if (s.len < 4) return Corrupt(off, "postings list: shorter than its count");
  uint64_t n = encoding::BE32(data_ + s.body);
  if (s.len != 4 + 4 * n) {
    return Corrupt(off, "postings list: length " + std::to_string(s.len) + " does not match " + std::to_string(n) +
                            " entries");
  }
  return NewBigEndianPostings(data_ + s.body + 4, n, s.body + 4);
}

Result<PostingsPtr> IndexReader::AllPostings() const { return PostingsAt(all_postings_off_); }

Result<PostingsPtr> IndexReader::Postings(std::string_view name, std::string_view value) const {
  const NameEntry* n = FindName(name);
  if (n == nullptr) return EmptyPostings();
  bool found = false;
  TSDB_ASSIGN_OR_RETURN(uint64_t off, FindPostingsOffset(*n, value, &found));
  if (!found) return EmptyPostings();
  return PostingsAt(off);
}

Result<PostingsPtr> IndexReader::Postings(std::string_view name, const std::vector<std::string_view>& values) const {
  std::vector<PostingsPtr> lists;
  for (std::string_view v : values) {
    TSDB_ASSIGN_OR_RETURN(PostingsPtr p, Postings(name, v));
    lists.push_back(std::move(p));
  }
  return Merge(std::move(lists));
}

Result<PostingsPtr> IndexReader::PostingsMatching(const NameEntry* n,
                                                  const std::function<bool(std::string_view)>& match) const {
  if (n == nullptr) return EmptyPostings();
  std::vector<PostingsPtr> lists;
  Status err;
  TSDB_RETURN_IF_ERROR(ForEachValue(*n, [&](std::string_view v, uint64_t off) {
    if (!match(v)) return true;
    Result<PostingsPtr> p = PostingsAt(off);
    if (!p.ok()) {
      err = p.status();
      return false;
    }
    lists.push_back(std::move(p).value());
    return true;
  }));
  if (!err.ok()) return err;
  return Merge(std::move(lists));
}

Result<PostingsPtr> IndexReader::PostingsForMatchers(const std::vector<Matcher>& matchers) const {
  std::vector<PostingsPtr> its, drops;
  for (const Matcher& m : matchers) {
    const NameEntry* n = FindName(m.name());
    if (m.Matches("")) {
      // Selects series without the label too: drop those whose value does not match.
      if (m.type() == Matcher::Type::kNotEqual) {
        TSDB_ASSIGN_OR_RETURN(PostingsPtr p, Postings(m.name(), m.value()));
        drops.push_back(std::move(p));
      } else {
        TSDB_ASSIGN_OR_RETURN(PostingsPtr p, PostingsMatching(n, [&](std::string_view v) { return !m.Matches(v); }));
        drops.push_back(std::move(p));
      }
    } else if (m.type() == Matcher::Type::kEqual) {
      TSDB_ASSIGN_OR_RETURN(PostingsPtr p, Postings(m.name(), m.value()));
      its.push_back(std::move(p));
    } else {
      TSDB_ASSIGN_OR_RETURN(PostingsPtr p, PostingsMatching(n, [&](std::string_view v) { return m.Matches(v); }));
      its.push_back(std::move(p));
    }
  }
  if (its.empty()) {
    TSDB_ASSIGN_OR_RETURN(PostingsPtr all, AllPostings());
    its.push_back(std::move(all));
  }
  PostingsPtr out = Intersect(std::move(its));
  if (!drops.empty()) out = Without(std::move(out), Merge(std::move(drops)));
  return out;
}

uint64_t IndexReader::SeriesEnd() const {
  uint64_t end = toc_off_;
  for (uint64_t v : {toc_.symbols, toc_.label_indices, toc_.label_indices_table, toc_.postings,
                     toc_.postings_table}) {
    if (v != 0 && v >= toc_.series && v < end) end = v;  // an empty series section ends where it starts
  }
  return end;
}

Status IndexReader::SeriesBody(SeriesRef ref, const uint8_t** body, size_t* len, uint64_t* body_off) const {
  const uint64_t end = SeriesEnd();
  if (ref > UINT64_MAX / kSeriesAlign || toc_.series == 0 || ref * kSeriesAlign < toc_.series ||
      ref * kSeriesAlign >= end) {
    return Status::NotFound(name_ + ": series ref " + std::to_string(ref) + " (offset " +
                            std::to_string(ref * kSeriesAlign) + ") outside the series section [" +
                            std::to_string(toc_.series) + ", " + std::to_string(end) + ")");
  }
  uint64_t off = ref * kSeriesAlign;
  uint64_t l = 0;
  size_t k = encoding::GetUvarint(data_ + off, end - off, &l);
  if (k == 0 || k == SIZE_MAX) return Corrupt(off, "series: bad length varint");
  if (l > end - off - k || end - off - k - l < 4) {
    return Corrupt(off, "series: length " + std::to_string(l) + " runs past the series section");
  }
  const uint8_t* b = data_ + off + k;
  uint32_t want = encoding::BE32(b + l);
  uint32_t got = encoding::Crc32c(b, l);
  if (want != got) {
    return Corrupt(off, "series: checksum mismatch (stored " + Hex(want) + ", computed " + Hex(got) + ")");
  }
  *body = b;
  *len = l;
  *body_off = off + k;
  return Status::OK();
}

Status IndexReader::SeriesRefs(SeriesRef ref, std::vector<uint32_t>* label_refs, std::vector<ChunkMeta>* chunks) const {
  const uint8_t* body;
  size_t len;
  uint64_t body_off;
  TSDB_RETURN_IF_ERROR(SeriesBody(ref, &body, &len, &body_off));
  SeriesEntry e;
  TSDB_RETURN_IF_ERROR(DecodeSeries(body, len, body_off, chunks != nullptr, &e).WithContext(name_));
  label_refs->assign(e.label_refs.begin(), e.label_refs.end());
  if (chunks != nullptr) *chunks = std::move(e.chunks);
  return Status::OK();
}

Status IndexReader::SeriesView(SeriesRef ref, std::vector<std::pair<std::string_view, std::string_view>>* labels,
                               std::vector<ChunkMeta>* chunks) const {
  thread_local std::vector<uint32_t> refs;
  TSDB_RETURN_IF_ERROR(SeriesRefs(ref, &refs, chunks));
  labels->clear();
  for (size_t i = 0; i + 1 < refs.size(); i += 2) {
    auto n = LookupSymbol(refs[i]);
    auto v = LookupSymbol(refs[i + 1]);
    if (!n.ok() || !v.ok()) {
      return Corrupt(ref * kSeriesAlign, "series " + std::to_string(ref) + ": " + (n.ok() ? v.status() : n.status()).message());
    }
    if (!labels->empty() && *n <= labels->back().first) {
      return Corrupt(ref * kSeriesAlign, "series " + std::to_string(ref) + ": label names not sorted (" + Quote(*n) + " after " +
                                   Quote(labels->back().first) + ")");
    }
    labels->emplace_back(*n, *v);
  }
  return Status::OK();
}

Status IndexReader::Series(SeriesRef ref, Labels* labels, std::vector<ChunkMeta>* chunks) const {
  std::vector<std::pair<std::string_view, std::string_view>> view;
  TSDB_RETURN_IF_ERROR(SeriesView(ref, &view, chunks));
  std::vector<Label> pairs;
  pairs.reserve(view.size());
  for (const auto& [n, v] : view) pairs.push_back(Label{std::string(n), std::string(v)});
  auto l = Labels::FromPairs(std::move(pairs));
  if (!l.ok()) return Corrupt(ref * kSeriesAlign, "series: " + l.status().message());
  *labels = std::move(l).value();
  return Status::OK();
}

Status IndexReader::VerifyAll(const std::function<void(const IndexProblem&)>& report) const {
  size_t problems = 0;
  IndexProblem first;
  auto problem = [&](const char* section, uint64_t off, std::string msg) {
    IndexProblem p{section, off, std::move(msg)};
    if (report) report(p);
    if (problems++ == 0) first = std::move(p);
  };
  auto problem_from = [&](const char* section, uint64_t off, const Status& st) { problem(section, off, st.message()); };
  // Byte ranges that structures cover; what lies between them must be zero padding.
  std::vector<std::pair<uint64_t, uint64_t>> covered = {
      {0, kHeaderLen},
      {toc_.symbols, symbols_.body + symbols_.len + 4},
      {toc_.postings_table, postings_table_.body + postings_table_.len + 4},
      {toc_off_, size_}};

  // Symbols: sorted and unique.
  {
    encoding::Decbuf d(data_ + symbols_.body + 4, symbols_.len - 4);
    std::string_view prev;
    for (uint32_t i = 0; i < num_symbols_; ++i) {
      uint64_t at = symbols_.body + 4 + d.consumed();
      std::string_view s = d.UvarintStr();
      if (i > 0 && s <= prev) problem("symbols", at, "symbol " + Quote(s) + " not after " + Quote(prev));
      prev = s;
    }
    if (d.remaining() != 0) {
      problem("symbols", symbols_.body + 4 + d.consumed(),
              std::to_string(d.remaining()) + " bytes after the last symbol");
    }
  }

  // Series: walk the section.
  std::vector<SeriesRef> series;
  {
    const uint64_t end = SeriesEnd();
    uint64_t off = toc_.series;
    std::vector<std::pair<std::string_view, std::string_view>> labels, prev;
    std::vector<ChunkMeta> chunks;
    uint64_t last_chunk_ref = 0;
    while (toc_.series != 0 && off < end) {
      if (data_[off] == 0) {
        ++off;
        continue;
      }
      if (off % kSeriesAlign != 0) {
        problem("series", off, "series entry not 16-byte aligned");
        break;
      }
      SeriesRef ref = off / kSeriesAlign;
      const uint8_t* body;
      size_t len;
      uint64_t body_off;
      Status st = SeriesBody(ref, &body, &len, &body_off);
      if (!st.ok()) {
        problem_from("series", off, st);
        uint64_t l = 0;
        size_t k = encoding::GetUvarint(data_ + off, end - off, &l);
        if (k == 0 || k == SIZE_MAX || l > end - off - k || end - off - k - l < 4) break;  // cannot find the next
        off += k + l + 4;
        series.push_back(ref);
        continue;
      }
      series.push_back(ref);
      covered.emplace_back(off, body_off + len + 4);
      st = SeriesView(ref, &labels, &chunks);
      if (!st.ok()) {
        problem_from("series", off, st);
      } else {
        if (!prev.empty() && !(prev < labels)) problem("series", off, "series not after the previous one in label order");
        for (size_t i = 0; i < chunks.size(); ++i) {
          const ChunkMeta& c = chunks[i];
          if (c.max_time < c.min_time) problem("series", off, "chunk " + std::to_string(i) + ": max time before min time");
          if (i > 0 && c.min_time <= chunks[i - 1].max_time) {
            problem("series", off, "chunk " + std::to_string(i) + ": overlaps the previous chunk");
          }
          if (c.ref < last_chunk_ref) problem("series", off, "chunk " + std::to_string(i) + ": chunk ref decreases");
          last_chunk_ref = c.ref;
        }
        prev.swap(labels);
      }
      off = body_off + len + 4;
    }
  }

  // Label offset table and label indices (no longer read by Prometheus, still written).
  if (toc_.label_indices_table != 0) {
    auto s = ReadSection(toc_.label_indices_table, "label offset table", true);
    if (!s.ok()) {
      problem_from("label offset table", toc_.label_indices_table, s.status());
    } else if (s->len < 4) {
      problem("label offset table", s->body, "shorter than its count");
    } else {
      covered.emplace_back(toc_.label_indices_table, s->body + s->len + 4);
      uint32_t count = encoding::BE32(data_ + s->body);
      encoding::Decbuf d(data_ + s->body + 4, s->len - 4);
      for (uint32_t i = 0; i < count && d.ok(); ++i) {
        uint64_t at = s->body + 4 + d.consumed();
        uint64_t keys = d.Uvarint();
        std::string_view name = d.UvarintStr();
        uint64_t off = d.Uvarint();
        if (!d.ok()) {
          problem("label offset table", at, d.err());
          break;
        }
        if (keys != 1) problem("label offset table", at, "entry with " + std::to_string(keys) + " keys (want 1)");
        auto li = ReadSection(off, "label index", true);
        if (!li.ok()) {
          problem_from("label index", off, li.status());
          continue;
        }
        if (li->len < 8 || encoding::BE32(data_ + li->body) != 1 ||
            li->len != 8 + 4 * uint64_t{encoding::BE32(data_ + li->body + 4)}) {
          problem("label index", off, "label index for " + Quote(name) + ": bad header");
          continue;
        }
        covered.emplace_back(off, li->body + li->len + 4);
        uint32_t n = encoding::BE32(data_ + li->body + 4);
        for (uint32_t k = 0; k < n; ++k) {
          uint32_t v = encoding::BE32(data_ + li->body + 8 + 4 * k);
          if (v >= num_symbols_) {
            problem("label index", li->body + 8 + 4 * k, "symbol ref " + std::to_string(v) + " out of range");
          }
        }
      }
    }
  }

  // Postings: every list checksummed, sorted, pointing at series.
  {
    uint32_t count = encoding::BE32(data_ + postings_table_.body);
    uint64_t off = postings_table_.body + 4;
    for (uint32_t i = 0; i < count; ++i) {
      auto e = DecodeOffsetEntry(off);
      if (!e.ok()) break;  // cannot happen: checked at Open
      auto p = PostingsAt(e->postings_off);
      if (!p.ok()) {
        problem_from("postings", e->postings_off, p.status());
      } else {
        covered.emplace_back(e->postings_off, e->postings_off + 8 + 4 * uint64_t{encoding::BE32(data_ + e->postings_off + 4)} + 4);
        std::vector<SeriesRef> got;
        bool bad_ref = false;
        while ((*p)->Next()) {
          SeriesRef r = (*p)->At();
          if (!bad_ref && !std::binary_search(series.begin(), series.end(), r)) {
            problem("postings", e->postings_off,
                    "list for " + Quote(e->name) + "=" + Quote(e->value) + ": series ref " + std::to_string(r) +
                        " is not a series");
            bad_ref = true;
          }
          if (i == 0) got.push_back(r);
        }
        if (!(*p)->status().ok()) problem_from("postings", e->postings_off, (*p)->status());
        if (i == 0 && (*p)->status().ok() && got != series) {
          problem("postings", e->postings_off,
                  "all-postings list holds " + std::to_string(got.size()) + " refs, the series section " +
                      std::to_string(series.size()) + " series");
        }
      }
      off = e->next;
    }
  }

  // Padding: every byte no structure covers must be zero.
  std::sort(covered.begin(), covered.end());
  uint64_t at = 0;
  for (const auto& [b, e] : covered) {
    for (uint64_t i = at; i < b && i < size_; ++i) {
      if (data_[i] != 0) {
        problem("padding", i, "non-zero byte between sections");
        break;
      }
    }
    at = std::max(at, e);
  }

  if (problems == 0) return Status::OK();
  return Status::Corruption(name_ + ": " + std::to_string(problems) + " problem(s); first: " + first.section +
                            " at offset " + std::to_string(first.offset) + ": " + first.message);
}

}  // namespace tsdb::index
