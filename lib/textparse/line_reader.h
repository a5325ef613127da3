// LineReader: lines from a file, a pipe or a buffer, without copying them.
//
// Reads in large blocks and hands out each line as a string_view into its
// buffer, valid until the next call to Next(). A line longer than
// max_line_bytes is an error (a hostile or binary input cannot make us
// allocate without bound). "-" names standard input.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "model/status.h"

namespace tsdb::textparse {

class LineReader {
 public:
  static constexpr size_t kDefaultMaxLineBytes = 16 << 20;

  // Opens a file, or stdin for "-".
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path,
                                                  size_t max_line_bytes = kDefaultMaxLineBytes);
  // Reads from an fd it does not own; `name` is used in error messages.
  LineReader(int fd, std::string name, size_t max_line_bytes = kDefaultMaxLineBytes);
  // Reads from memory that must outlive the reader.
  LineReader(std::string_view buffer, std::string name, size_t max_line_bytes = kDefaultMaxLineBytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its '\n'; false at the end or on error.
  // The last line need not end in '\n'.
  bool Next(std::string_view* line);
  uint64_t line_number() const { return line_number_; }  // of the line last returned
  const Status& status() const { return status_; }
  const std::string& name() const { return name_; }

  // The first bytes of the input without consuming them (for DetectFormat).
  std::string_view Peek(size_t bytes);

 private:
  bool Fill();  // reads more into buf_; false at EOF or error

  int fd_ = -1;
  bool owns_fd_ = false;
  std::string name_;
  size_t max_line_bytes_;
  std::string storage_;        // owned buffer when reading an fd
  std::string_view external_;  // the buffer when reading memory
  const char* data_ = nullptr;
  size_t begin_ = 0, end_ = 0;  // unread bytes are data_[begin_, end_)
  bool eof_ = false;
  uint64_t line_number_ = 0;
  Status status_;
};

}  // namespace tsdb::textparse
