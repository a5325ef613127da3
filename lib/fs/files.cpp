#include "fs/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tsdb::fs {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAndSync(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating", path);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("writing", path);
      ::close(fd);
      return s;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno("syncing", path);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return Errno("closing", path);
  return Status::OK();
}

}  // namespace

static Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("opening folder", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("syncing folder", dir);
  return Status::OK();
}

Result<std::string> ReadWholeFile(const std::string& path, size_t max_bytes) {
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Errno("opening", path);
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("reading", path);
      if (fd != 0) ::close(fd);
      return s;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      if (fd != 0) ::close(fd);
      return Status::InvalidArgument(path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  if (fd != 0) ::close(fd);
  return out;
}

Status WriteFilesAtomically(const std::vector<std::pair<std::string, std::string>>& path_contents) {
  std::vector<std::string> written;
  auto cleanup = [&] {
    for (const auto& tmp : written) ::unlink(tmp.c_str());
  };
  for (const auto& [path, data] : path_contents) {
    std::string tmp = path + ".tmp";
    Status s = WriteAndSync(tmp, data);
    written.push_back(tmp);
    if (!s.ok()) {
      cleanup();
      return s;
    }
  }
  for (const auto& [path, data] : path_contents) {
    std::string tmp = path + ".tmp";
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      Status s = Errno("renaming into", path);
      cleanup();
      return s;
    }
  }
  std::vector<std::string> dirs;
  for (const auto& [path, data] : path_contents) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  for (const auto& dir : dirs) TSDB_RETURN_IF_ERROR(SyncDir(dir));
  return Status::OK();
}

}  // namespace tsdb::fs

namespace tsdb::fs {

Result<std::unique_ptr<AtomicFile>> AtomicFile::Create(const std::string& path) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("creating " + tmp + ": " + std::strerror(errno));
  return std::unique_ptr<AtomicFile>(new AtomicFile(path, fd));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink((path_ + ".tmp").c_str());
}

Status AtomicFile::Commit() {
  std::string tmp = path_ + ".tmp";
  if (::fsync(fd_) != 0) return Status::IOError("syncing " + tmp + ": " + std::strerror(errno));
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return Status::IOError("closing " + tmp + ": " + std::strerror(errno));
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    return Status::IOError("renaming " + tmp + " to " + path_ + ": " + std::strerror(errno));
  }
  committed_ = true;
  return SyncDir(std::filesystem::path(path_).parent_path().string());
}

}  // namespace tsdb::fs
