// Status and Result<T>: errors as values.
//
// The storage core and every parser return a Status (or a Result<T> holding a
// value or a Status) instead of throwing. A Status carries a kind, which the
// command line maps to an exit status (lib/cli/app.h), and a message that
// names where and what ("targets.json: line 3, column 7: expected ','").
// Exceptions are used only at the edges (flag parsing).
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace tsdb {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // the caller's input is malformed (bad flag value, bad selector)
    kNotFound,         // a named file, block or series does not exist
    kCorruption,       // stored or received bytes violate their format
    kIOError,          // the operating system refused (open, write, fsync, ...)
    kUsage,            // command-line misuse: exit status 2
    kExecution,        // a query failed while evaluating (many-to-many matching, too many samples)
    kTimeout,          // the work ran past its deadline
    kCanceled,         // the caller gave up (client went away, signal)
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Usage(std::string msg) { return Status(Code::kUsage, std::move(msg)); }
  static Status Execution(std::string msg) { return Status(Code::kExecution, std::move(msg)); }
  static Status Timeout(std::string msg) { return Status(Code::kTimeout, std::move(msg)); }
  static Status Canceled(std::string msg) { return Status(Code::kCanceled, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // A copy whose message is "<context>: <message>", for adding the file name
  // or the position as an error travels up.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace tsdb

#define TSDB_CONCAT_INNER_(a, b) a##b
#define TSDB_CONCAT_(a, b) TSDB_CONCAT_INNER_(a, b)

#define TSDB_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::tsdb::Status tsdb_status_ = (expr);   \
    if (!tsdb_status_.ok()) return tsdb_status_; \
  } while (0)

#define TSDB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#define TSDB_ASSIGN_OR_RETURN(lhs, expr) \
  TSDB_ASSIGN_OR_RETURN_IMPL_(TSDB_CONCAT_(tsdb_result_, __LINE__), lhs, expr)
