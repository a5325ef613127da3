#include "importer/sample_spill.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tsdb::importer {

int64_t WindowStart(int64_t t, int64_t d) {
  int64_t q = t / d;
  if (t % d != 0 && t < 0) --q;
  return q * d;
}

SampleSpill::SampleSpill(std::string spill_dir, uint64_t memory_limit_bytes, int64_t window_ms)
    : dir_(std::move(spill_dir)),
      capacity_(std::clamp<uint64_t>(memory_limit_bytes / kBytesPerSample, 16, UINT32_MAX - 1)),
      window_ms_(window_ms) {}

SampleSpill::~SampleSpill() {
  if (fd_ >= 0) ::close(fd_);
  if (dir_created_) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

Status SampleSpill::Grow() {
  if (buffer_.capacity() < capacity_) {
    buffer_.reserve(std::min<uint64_t>(capacity_, std::max<uint64_t>(4096, buffer_.capacity() * 2)));
    return Status::OK();
  }
  return SortRun(/*in_memory=*/false);
}

Status SampleSpill::Seal() { return SortRun(/*in_memory=*/true); }

Status SampleSpill::OpenFile() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IOError("creating " + dir_ + ": " + ec.message());
  dir_created_ = true;
  std::string path = dir_ + "/samples";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) return Status::IOError("creating " + path + ": " + std::strerror(errno));
  // Nobody else needs the name: without it a crash cannot leave samples behind.
  ::unlink(path.c_str());
  return Status::OK();
}

Status SampleSpill::SortRun(bool in_memory) {
  const size_t n = buffer_.size();
  if (n == 0) return Status::OK();
  // Stable counting sort by series id into sorted_.
  for (const Entry& e : buffer_) {
    if (e.series >= position_.size()) position_.resize(e.series + 1, 0);
    position_[e.series]++;
  }
  uint32_t sum = 0;
  for (uint32_t& p : position_) {
    uint32_t c = p;
    p = sum;
    sum += c;
  }
  sorted_.resize(n);
  for (const Entry& e : buffer_) sorted_[position_[e.series]++] = block::Sample{e.t, e.v};
  // position_[id] is now the end of series id's range; ranges follow in id order.
  uint64_t base = 0;
  if (!in_memory) {
    if (fd_ < 0) TSDB_RETURN_IF_ERROR(OpenFile());
    base = file_bytes_ / sizeof(block::Sample);
  }
  auto by_time = [](const block::Sample& a, const block::Sample& b) { return a.t < b.t; };
  uint32_t begin = 0;
  for (uint32_t id = 0; id < position_.size(); ++id) {
    uint32_t end = position_[id];
    position_[id] = 0;
    if (end == begin) continue;
    block::Sample* first = sorted_.data() + begin;
    block::Sample* last = sorted_.data() + end;
    if (!std::is_sorted(first, last, by_time)) std::stable_sort(first, last, by_time);
    // Cut at window boundaries: one segment per block window.
    for (block::Sample* p = first; p != last;) {
      int64_t window = WindowStart(p->t, window_ms_);
      int64_t window_end = window + window_ms_;
      block::Sample* q = p;
      while (q != last && q->t < window_end) ++q;
      segments_.push_back(Segment{window, id, runs_, base + static_cast<uint64_t>(p - sorted_.data()),
                                  static_cast<uint64_t>(q - p)});
      p = q;
    }
    begin = end;
  }
  if (in_memory) {
    memory_run_ = runs_;
    buffer_.clear();
    buffer_.shrink_to_fit();
  } else {
    const char* data = reinterpret_cast<const char*>(sorted_.data());
    size_t left = n * sizeof(block::Sample);
    while (left > 0) {
      ssize_t w = ::pwrite(fd_, data, left, static_cast<off_t>(file_bytes_));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Status::IOError("writing " + dir_ + "/samples: " + std::strerror(errno));
      data += w;
      left -= static_cast<size_t>(w);
      file_bytes_ += static_cast<uint64_t>(w);
    }
    buffer_.clear();
  }
  runs_++;
  return Status::OK();
}

Status SampleSpill::Read(const Segment& s, std::vector<block::Sample>* out) const {
  size_t at = out->size();
  if (s.run == memory_run_) {
    out->insert(out->end(), sorted_.begin() + static_cast<ptrdiff_t>(s.offset),
                sorted_.begin() + static_cast<ptrdiff_t>(s.offset + s.count));
    return Status::OK();
  }
  out->resize(at + s.count);
  char* data = reinterpret_cast<char*>(out->data() + at);
  size_t left = s.count * sizeof(block::Sample);
  off_t pos = static_cast<off_t>(s.offset * sizeof(block::Sample));
  while (left > 0) {
    ssize_t r = ::pread(fd_, data, left, pos);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      return Status::IOError("reading " + dir_ + "/samples at byte " + std::to_string(pos) + ": " +
                             (r == 0 ? std::string("unexpected end of file") : std::strerror(errno)));
    }
    data += r;
    left -= static_cast<size_t>(r);
    pos += r;
  }
  return Status::OK();
}

}  // namespace tsdb::importer
