#include "block/reader.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tsdb::block {
namespace {

uint64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<std::unique_ptr<BlockReader>> BlockReader::Open(const std::string& dir) {
  auto r = std::unique_ptr<BlockReader>(new BlockReader());
  r->dir_ = dir;
  TSDB_ASSIGN_OR_RETURN(r->meta_, ReadMeta(dir));
  auto index = index::IndexReader::Open(dir + "/index");
  if (!index.ok()) return index.status().WithContext(dir);
  r->index_ = std::move(index).value();
  auto chunks = ChunkReader::Open(dir + "/chunks");
  if (!chunks.ok()) return chunks.status().WithContext(dir);
  r->chunks_ = std::move(chunks).value();
  TSDB_ASSIGN_OR_RETURN(r->tombstones_, ReadTombstones(dir));
  return r;
}

uint64_t BlockReader::size_bytes() const {
  return index_->size() + chunks_->size_bytes() + FileSize(dir_ + "/meta.json") + FileSize(dir_ + "/tombstones");
}

Result<std::vector<std::string>> ListBlockDirs(const std::string& data_dir, std::vector<std::string>* leftovers) {
  DIR* d = ::opendir(data_dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::NotFound(data_dir + ": no such directory");
    if (errno == ENOTDIR) return Status::InvalidArgument(data_dir + ": not a directory");
    return Status::IOError("opening " + data_dir + ": " + std::strerror(errno));
  }
  std::vector<std::string> blocks;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string path = data_dir + "/" + n;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (Ulid::Parse(n).ok()) {
      blocks.push_back(path);
    } else if (leftovers && (EndsWith(n, ".tmp-for-creation") || EndsWith(n, ".tmp-for-deletion") || EndsWith(n, ".tmp"))) {
      leftovers->push_back(path);
    }
  }
  ::closedir(d);
  std::sort(blocks.begin(), blocks.end());
  if (leftovers) std::sort(leftovers->begin(), leftovers->end());
  return blocks;
}

}  // namespace tsdb::block
