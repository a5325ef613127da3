// MappedFile: a whole file mapped read-only, for the block readers.
//
// Readers hand out string_views and spans into the mapping, so it must
// outlive everything read from it. An empty file maps to an empty view.
// Movable, not copyable; thread-safe to read.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "model/status.h"

namespace tsdb::fs {

class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size) : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_;
  size_t size_;
};

}  // namespace tsdb::fs
