// Helpers shared by the index_*_test.cpp files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "index/reader.h"
#include "index/writer.h"
#include "model/labels.h"

namespace tsdb::index::testing {

struct TestSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;
};

// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tsdb-index-test-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Sorts `series` and writes them with every symbol they use.
inline Status WriteIndex(const std::string& path, std::vector<TestSeries> series) {
  std::sort(series.begin(), series.end(), [](const TestSeries& a, const TestSeries& b) { return a.labels < b.labels; });
  std::set<std::string> symbols;
  for (const auto& s : series) {
    for (const Label& l : s.labels) {
      symbols.insert(l.name);
      symbols.insert(l.value);
    }
  }
  TSDB_ASSIGN_OR_RETURN(auto w, IndexWriter::Create(path));
  for (const auto& s : symbols) TSDB_RETURN_IF_ERROR(w->AddSymbol(s));
  for (const auto& s : series) {
    auto r = w->AddSeries(s.labels, s.chunks);
    if (!r.ok()) return r.status();
  }
  return w->Finish();
}

// Random series: metric names m0..m4, labels from a small vocabulary, some
// labels missing, and one to three chunks each with increasing refs.
inline std::vector<TestSeries> RandomSeries(unsigned seed, size_t n) {
  std::srand(seed);
  std::set<Labels, std::less<>> seen;
  std::vector<TestSeries> out;
  size_t attempts = 0;
  while (out.size() < n && attempts++ < n * 20) {
    std::vector<Label> pairs;
    pairs.push_back({"__name__", "m" + std::to_string(std::rand() % 5)});
    if (std::rand() % 4 != 0) pairs.push_back({"job", "job" + std::to_string(std::rand() % 3)});
    if (std::rand() % 2 == 0) pairs.push_back({"instance", "host-" + std::to_string(std::rand() % 40)});
    if (std::rand() % 5 == 0) pairs.push_back({"zone", std::rand() % 2 ? "eu" : "us"});
    if (std::rand() % 7 == 0) pairs.push_back({"path", "/a\"b\\c\n" + std::to_string(std::rand() % 3) + "é"});
    auto l = Labels::FromPairs(pairs);
    if (!l.ok() || seen.count(*l)) continue;
    seen.insert(*l);
    out.push_back({*l, {}});
  }
  std::sort(out.begin(), out.end(), [](const TestSeries& a, const TestSeries& b) { return a.labels < b.labels; });
  uint64_t ref = 8;
  for (auto& s : out) {
    int64_t t = (std::rand() % 1000) - 500;
    int k = 1 + std::rand() % 3;
    for (int i = 0; i < k; ++i) {
      int64_t mint = t + 1 + std::rand() % 100;
      int64_t maxt = mint + std::rand() % 7200000;
      s.chunks.push_back({mint, maxt, ref});
      ref += 1 + static_cast<uint64_t>(std::rand() % 5000);
      if (std::rand() % 50 == 0) ref = ChunkRef(static_cast<uint32_t>(ref >> 32) + 1, 8);
      t = maxt;
    }
  }
  return out;
}

}  // namespace tsdb::index::testing
