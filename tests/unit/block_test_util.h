// Helpers for tests that need files and blocks: temporary folders removed
// on destruction, whole-file reads, writes and byte edits, and blocks written
// with BlockWriter from a map of series. Shared by the block and inspect tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "block/meta.h"
#include "block/writer.h"
#include "model/labels.h"

namespace tsdb::testing {

namespace stdfs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tsdb-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { stdfs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string ReadFile(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
inline void WriteFile(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

inline void FlipByte(const std::string& path, uint64_t offset) {
  std::string s = ReadFile(path);
  ASSERT_LT(offset, s.size()) << path;
  s[offset] = static_cast<char>(s[offset] ^ 0x5a);
  WriteFile(path, s);
}

using SeriesSamples = std::map<Labels, std::vector<block::Sample>>;  // ordered as blocks want them

// Writes one block of `series` into `parent` and returns its folder path.
inline std::string MakeBlock(const std::string& parent, int64_t min_time, int64_t max_time,
                             const SeriesSamples& series, int64_t chunk_range_ms = 2 * 3600 * 1000) {
  block::BlockWriterOptions o;
  o.chunk_range_ms = chunk_range_ms;
  o.parent_dir = parent;
  o.min_time = min_time;
  o.max_time = max_time;
  auto w = block::BlockWriter::Create(o);
  EXPECT_TRUE(w.ok()) << w.status().message();
  if (!w.ok()) return "";
  std::set<std::string> symbols;
  for (const auto& [labels, samples] : series) {
    for (const Label& l : labels) {
      symbols.insert(l.name);
      symbols.insert(l.value);
    }
  }
  for (const auto& s : symbols) EXPECT_TRUE((*w)->AddSymbol(s).ok());
  for (const auto& [labels, samples] : series) {
    Status st = (*w)->AddSeries(labels, samples);
    EXPECT_TRUE(st.ok()) << st.message();
  }
  auto meta = (*w)->Finish();
  EXPECT_TRUE(meta.ok()) << meta.status().message();
  if (!meta.ok()) return "";
  return parent + "/" + meta->ulid.ToString();
}

// `n` samples every `step_ms` from `start`, values start, start+1, ...
inline std::vector<block::Sample> Ramp(int64_t start, int n, int64_t step_ms, double first = 0) {
  std::vector<block::Sample> v;
  for (int i = 0; i < n; ++i) v.push_back({start + i * step_ms, first + i});
  return v;
}

}  // namespace tsdb::testing
