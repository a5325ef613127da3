#include "inspect/data_dir.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "block/ulid.h"

namespace tsdb::inspect {
namespace {

bool IsFolder(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string BaseName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

Result<DataDir> ScanDataDir(const std::string& path) {
  DataDir d;
  d.path = path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such directory");
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return Status::IOError(path + ": not a directory");

  if (block::Ulid::Parse(BaseName(path)).ok() &&
      (Exists(path + "/meta.json") || Exists(path + "/index") || Exists(path + "/chunks"))) {
    d.single_block = true;
    d.blocks.push_back(path);
    return d;
  }

  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return Status::IOError("opening " + path + ": " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) names.emplace_back(e->d_name);
  ::closedir(dir);
  std::sort(names.begin(), names.end());

  std::string base = path;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  for (const std::string& n : names) {
    std::string full = base + "/" + n;
    if (block::Ulid::Parse(n).ok()) {
      if (IsFolder(full)) {
        d.blocks.push_back(full);
      } else {
        d.not_folders.push_back(n);
      }
      continue;
    }
    for (std::string_view suffix : {".tmp-for-creation", ".tmp-for-deletion", ".tmp"}) {
      if (EndsWith(n, suffix) && block::Ulid::Parse(std::string_view(n).substr(0, n.size() - suffix.size())).ok()) {
        d.leftovers.push_back(n);
        break;
      }
    }
  }
  return d;
}

}  // namespace tsdb::inspect
