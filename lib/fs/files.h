// Whole-file reads and crash-safe writes: the one place storage code touches
// files for small whole-file jobs (meta.json, shard files), so that fault
// injection can later wrap it.
//
// WriteFilesAtomically writes every file to "<path>.tmp", fsyncs it, and only
// when all are written renames them into place and fsyncs their folders: a
// failure part-way leaves no new file behind, and a crash leaves either the
// old or the new content, never half of it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/status.h"

namespace tsdb::fs {

// Reads a file, or stdin for "-", refusing more than max_bytes.
Result<std::string> ReadWholeFile(const std::string& path, size_t max_bytes);

Status WriteFilesAtomically(const std::vector<std::pair<std::string, std::string>>& path_contents);

}  // namespace tsdb::fs

namespace tsdb::fs {

// AtomicFile streams into "<path>.tmp"; Commit() fsyncs and renames it into
// place, and destruction without Commit() removes the temporary file, so a
// failed run never leaves a half-written file under the final name.
class AtomicFile {
 public:
  static Result<std::unique_ptr<AtomicFile>> Create(const std::string& path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  Status Commit();  // the caller has flushed everything it wrote to fd()

 private:
  AtomicFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
  bool committed_ = false;
};

}  // namespace tsdb::fs
