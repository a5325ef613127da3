// Interop with the real Prometheus: tests/data/promtool_index/ holds an index
// written by promtool 2.42 (tests/data/make_promtool_index.sh). We read it,
// and writing the same series and chunk metas gives the same bytes.
#include <gtest/gtest.h>

#include <map>

#include "index/reader.h"
#include "index/writer.h"
#include "index_test_util.h"

namespace tsdb::index {
namespace {

const std::string kDir = std::string(TSDB_SOURCE_DIR) + "/tests/data/promtool_index";

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char c = s[++i];
      out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The input series of the script, sorted.
std::vector<Labels> InputSeries() {
  std::vector<Labels> out;
  std::istringstream in(testing::ReadFile(kDir + "/series.txt"));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == '\t') {
        f.push_back(Unescape(line.substr(start, i - start)));
        start = i + 1;
      }
    }
    std::vector<Label> pairs;
    for (size_t i = 0; i + 1 < f.size(); i += 2) pairs.push_back({f[i], f[i + 1]});
    auto l = Labels::FromPairs(pairs);
    EXPECT_TRUE(l.ok());
    out.push_back(*l);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SeriesRef> Expand(Result<PostingsPtr> p) {
  EXPECT_TRUE(p.ok()) << p.status().message();
  if (!p.ok()) return {};
  auto v = ExpandPostings(**p);
  EXPECT_TRUE(v.ok());
  return v.ok() ? *v : std::vector<SeriesRef>{};
}

TEST(IndexPromtool, ReadsIndexWrittenByPromtool) {
  auto want = InputSeries();
  ASSERT_EQ(want.size(), 30u);
  auto r = IndexReader::Open(kDir + "/index");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const IndexReader& ir = **r;
  EXPECT_EQ(ir.NumSeries(), 30u);

  std::vector<Labels> got;
  std::map<std::pair<std::string, std::string>, std::vector<SeriesRef>> pairs;
  size_t chunks = 0;
  for (SeriesRef ref : Expand(ir.AllPostings())) {
    Labels l;
    std::vector<ChunkMeta> c;
    ASSERT_TRUE(ir.Series(ref, &l, &c).ok());
    chunks += c.size();
    for (const ChunkMeta& m : c) EXPECT_LE(m.min_time, m.max_time);
    for (const Label& p : l) pairs[{p.name, p.value}].push_back(ref);
    got.push_back(l);
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(chunks, 32u);  // meta.json: numChunks

  for (const auto& [kv, refs] : pairs) {
    EXPECT_EQ(Expand(ir.Postings(kv.first, kv.second)), refs) << kv.first << "=" << kv.second;
  }
  auto quoted = ir.PostingsForMatchers({*Matcher::Make(Matcher::Type::kRegexMatch, "path", ".*\n.*")});
  EXPECT_EQ(Expand(std::move(quoted)).size(), 2u);  // "new\nline" and "mixed \"\\\n\""
  auto utf8 = ir.Postings("room", "東京");
  EXPECT_EQ(Expand(std::move(utf8)).size(), 1u);

  Status v = ir.VerifyAll(nullptr);
  EXPECT_TRUE(v.ok()) << v.message();
}

TEST(IndexPromtool, WritesTheSameBytesAsPromtool) {
  std::string theirs = testing::ReadFile(kDir + "/index");
  auto r = IndexReader::Open(kDir + "/index");
  ASSERT_TRUE(r.ok()) << r.status().message();
  testing::TempDir dir;
  auto w = IndexWriter::Create(dir.File("index"));
  ASSERT_TRUE(w.ok());
  auto syms = (*r)->Symbols();
  while (syms.Next()) ASSERT_TRUE((*w)->AddSymbol(syms.At()).ok());
  for (SeriesRef ref : Expand((*r)->AllPostings())) {
    Labels l;
    std::vector<ChunkMeta> c;
    ASSERT_TRUE((*r)->Series(ref, &l, &c).ok());
    auto ours = (*w)->AddSeries(l, c);
    ASSERT_TRUE(ours.ok()) << ours.status().message();
    EXPECT_EQ(*ours, ref);
  }
  ASSERT_TRUE((*w)->Finish().ok());
  std::string mine = testing::ReadFile(dir.File("index"));
  ASSERT_EQ(mine.size(), theirs.size());
  size_t diff = 0;
  while (diff < mine.size() && mine[diff] == theirs[diff]) ++diff;
  EXPECT_EQ(diff, mine.size()) << "first differing byte at offset " << diff;
  EXPECT_FALSE(std::filesystem::exists(dir.File("index_tmp_p")));
}

}  // namespace
}  // namespace tsdb::index
