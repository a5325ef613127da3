#include "cli/output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>


namespace tsdb::cli {

Output::~Output() { Flush(); }

void Output::Write(std::string_view data) {
  buf_.append(data);
  MaybeFlush();
}

Status Output::Flush() {
  size_t off = 0;
  while (off < buf_.size() && ok()) {
    ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) {
        broken_pipe_ = true;
      } else {
        status_ = Status::IOError("writing " + name_ + ": " + std::strerror(errno));
      }
      break;
    }
    off += static_cast<size_t>(n);
  }
  buf_.clear();
  return status_;
}

bool Output::is_terminal() const { return ::isatty(fd_) == 1; }

}  // namespace tsdb::cli
