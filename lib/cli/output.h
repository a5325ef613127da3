// Output: buffered writing of data to stdout or a file.
//
// Writes are buffered and flushed in large blocks. When the reader of a pipe
// goes away (EPIPE; SIGPIPE is ignored by App) the Output remembers it,
// drops further writes, and App exits 0 quietly: `cmd | head` is not an error.
// Any other write error is kept in status(). Not thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "model/status.h"

namespace tsdb::cli {

class Output {
 public:
  explicit Output(int fd = 1, std::string name = "stdout") : fd_(fd), name_(std::move(name)) {}
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void Write(std::string_view data);
  // The buffer to append to directly; call MaybeFlush() after appending.
  std::string* buffer() { return &buf_; }
  void MaybeFlush() {
    if (buf_.size() >= kFlushBytes) Flush();
  }
  Status Flush();

  bool broken_pipe() const { return broken_pipe_; }
  // False once writing failed or the pipe closed: producers may stop early.
  bool ok() const { return status_.ok() && !broken_pipe_; }
  const Status& status() const { return status_; }
  bool is_terminal() const;

 private:
  static constexpr size_t kFlushBytes = 1 << 16;
  int fd_;
  std::string name_;
  std::string buf_;
  bool broken_pipe_ = false;
  Status status_;
};

}  // namespace tsdb::cli
