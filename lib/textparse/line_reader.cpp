#include "textparse/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tsdb::textparse {
namespace {

constexpr size_t kBlockBytes = 1 << 20;

std::string TooLong(const std::string& name, uint64_t line, size_t max) {
  return name + ": line " + std::to_string(line) + ", column " + std::to_string(max + 1) + ": expected a line of at most " +
         std::to_string(max) + " bytes, got a longer one";
}

}  // namespace

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path, size_t max_line_bytes) {
  if (path == "-") return std::make_unique<LineReader>(0, std::string("<stdin>"), max_line_bytes);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(msg);
    return Status::IOError(msg);
  }
  auto reader = std::make_unique<LineReader>(fd, path, max_line_bytes);
  reader->owns_fd_ = true;
  return reader;
}

LineReader::LineReader(int fd, std::string name, size_t max_line_bytes)
    : fd_(fd), name_(std::move(name)), max_line_bytes_(max_line_bytes == 0 ? 1 : max_line_bytes) {}

LineReader::LineReader(std::string_view buffer, std::string name, size_t max_line_bytes)
    : name_(std::move(name)),
      max_line_bytes_(max_line_bytes == 0 ? 1 : max_line_bytes),
      external_(buffer),
      data_(buffer.data()),
      end_(buffer.size()),
      eof_(true) {}

LineReader::~LineReader() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

bool LineReader::Fill() {
  if (eof_ || !status_.ok()) return false;
  // Move the unread bytes to the front, then grow only when the buffer is
  // full of one unfinished line (bounded by max_line_bytes_).
  if (begin_ > 0) {
    std::memmove(storage_.data(), storage_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (storage_.empty()) storage_.resize(std::min(kBlockBytes, max_line_bytes_ + 1));
  if (end_ == storage_.size()) {
    size_t limit = std::max(kBlockBytes, max_line_bytes_ + 1);
    if (storage_.size() >= limit) return false;  // caller reports the long line
    storage_.resize(std::min(limit, storage_.size() * 2));
  }
  data_ = storage_.data();
  for (;;) {
    ssize_t n = ::read(fd_, storage_.data() + end_, storage_.size() - end_);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    status_ = Status::IOError(name_ + ": read: " + std::strerror(errno));
    return false;
  }
}

bool LineReader::Next(std::string_view* line) {
  if (!status_.ok()) return false;
  size_t scanned = begin_;  // bytes before this hold no '\n'
  for (;;) {
    const char* nl = scanned < end_ ? static_cast<const char*>(std::memchr(data_ + scanned, '\n', end_ - scanned))
                                    : nullptr;
    if (nl != nullptr) {
      size_t pos = static_cast<size_t>(nl - data_);
      if (pos - begin_ > max_line_bytes_) break;
      *line = std::string_view(data_ + begin_, pos - begin_);
      begin_ = pos + 1;
      ++line_number_;
      return true;
    }
    if (end_ - begin_ > max_line_bytes_) break;
    size_t offset = end_ - begin_;  // Fill moves the unread bytes to the front
    if (!Fill()) {
      if (!status_.ok()) return false;
      if (!eof_) break;  // the buffer is at its limit: the line is too long
      if (begin_ == end_) return false;
      *line = std::string_view(data_ + begin_, end_ - begin_);
      begin_ = end_;
      ++line_number_;
      return true;
    }
    scanned = begin_ + offset;
  }
  status_ = Status::InvalidArgument(TooLong(name_, line_number_ + 1, max_line_bytes_));
  return false;
}

std::string_view LineReader::Peek(size_t bytes) {
  while (end_ - begin_ < bytes && status_.ok() && !eof_) {
    if (begin_ == 0 && end_ == storage_.size() && storage_.size() >= std::max(kBlockBytes, max_line_bytes_ + 1)) {
      break;
    }
    if (!Fill()) break;
  }
  return std::string_view(data_ == nullptr ? "" : data_ + begin_, std::min(bytes, end_ - begin_));
}

}  // namespace tsdb::textparse
