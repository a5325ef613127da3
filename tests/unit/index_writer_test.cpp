// Index writer and reader: round trips, the writer's API contract, and
// PostingsForMatchers against a brute-force evaluation.
#include <gtest/gtest.h>

#include <map>

#include "encoding/encoding.h"
#include "index/reader.h"
#include "index/writer.h"
#include "index_test_util.h"
#include "model/matcher.h"

namespace tsdb::index {
namespace {

using testing::RandomSeries;
using testing::TempDir;
using testing::TestSeries;
using testing::WriteIndex;

std::vector<SeriesRef> Expand(Result<PostingsPtr> p) {
  EXPECT_TRUE(p.ok()) << p.status().message();
  if (!p.ok()) return {};
  auto v = ExpandPostings(**p);
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? *v : std::vector<SeriesRef>{};
}

// Reads every series of the index in ref order.
std::vector<std::pair<SeriesRef, TestSeries>> ReadAll(const IndexReader& r) {
  std::vector<std::pair<SeriesRef, TestSeries>> out;
  for (SeriesRef ref : Expand(r.AllPostings())) {
    TestSeries s;
    Status st = r.Series(ref, &s.labels, &s.chunks);
    EXPECT_TRUE(st.ok()) << st.message();
    out.emplace_back(ref, std::move(s));
  }
  return out;
}

TEST(IndexWriter, RoundTripsSymbolsSeriesLabelsAndPostings) {
  TempDir dir;
  auto series = RandomSeries(1, 300);
  ASSERT_EQ(series.size(), 300u);
  ASSERT_TRUE(WriteIndex(dir.File("index"), series).ok());

  auto r = IndexReader::Open(dir.File("index"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const IndexReader& ir = **r;
  EXPECT_EQ(ir.version(), 2);
  EXPECT_EQ(ir.NumSeries(), series.size());

  // Symbols: every name and value, sorted, unique; LookupSymbol agrees.
  std::set<std::string> want_symbols;
  std::map<std::string, std::set<std::string>> want_values;
  for (const auto& s : series) {
    for (const Label& l : s.labels) {
      want_symbols.insert(l.name);
      want_symbols.insert(l.value);
      want_values[l.name].insert(l.value);
    }
  }
  std::vector<std::string> got_symbols;
  auto it = ir.Symbols();
  while (it.Next()) got_symbols.emplace_back(it.At());
  ASSERT_TRUE(it.status().ok());
  EXPECT_EQ(got_symbols, std::vector<std::string>(want_symbols.begin(), want_symbols.end()));
  ASSERT_EQ(ir.NumSymbols(), got_symbols.size());
  for (uint32_t i = 0; i < ir.NumSymbols(); ++i) {
    auto s = ir.LookupSymbol(i);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(*s, got_symbols[i]) << i;
  }
  EXPECT_FALSE(ir.LookupSymbol(ir.NumSymbols()).ok());

  // Series in label order, with their chunks.
  auto all = ReadAll(ir);
  ASSERT_EQ(all.size(), series.size());
  for (size_t i = 0; i < series.size(); ++i) {
    EXPECT_EQ(all[i].second.labels, series[i].labels) << i;
    EXPECT_EQ(all[i].second.chunks, series[i].chunks) << i;
  }

  // Label names and values.
  std::vector<std::string> names;
  for (auto n : ir.LabelNames()) names.emplace_back(n);
  std::vector<std::string> want_names;
  for (const auto& [n, _] : want_values) want_names.push_back(n);
  EXPECT_EQ(names, want_names);
  for (const auto& [n, vals] : want_values) {
    auto v = ir.LabelValues(n);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(std::vector<std::string>(v->begin(), v->end()), std::vector<std::string>(vals.begin(), vals.end()));
  }
  EXPECT_TRUE(ir.LabelValues("nope")->empty());

  // Postings for every label pair equal the series that carry it.
  std::map<std::pair<std::string, std::string>, std::vector<SeriesRef>> want_postings;
  for (const auto& [ref, s] : all) {
    for (const Label& l : s.labels) want_postings[{l.name, l.value}].push_back(ref);
  }
  for (const auto& [kv, refs] : want_postings) {
    EXPECT_EQ(Expand(ir.Postings(kv.first, kv.second)), refs) << kv.first << "=" << kv.second;
  }
  EXPECT_TRUE(Expand(ir.Postings("job", "nope")).empty());
  EXPECT_TRUE(Expand(ir.Postings("nope", "x")).empty());
  // Several values: the union.
  auto u = Expand(ir.Postings("job", {"job0", "job2", "nope"}));
  std::vector<SeriesRef> want_u = want_postings[{"job", "job0"}];
  want_u.insert(want_u.end(), want_postings[{"job", "job2"}].begin(), want_postings[{"job", "job2"}].end());
  std::sort(want_u.begin(), want_u.end());
  EXPECT_EQ(u, want_u);

  EXPECT_TRUE(ir.VerifyAll(nullptr).ok());
}

TEST(IndexWriter, ManyValuesPerNameExerciseSampledLookups) {
  TempDir dir;
  std::vector<TestSeries> series;
  for (int i = 0; i < 1000; ++i) {
    series.push_back({Labels::FromStrings({"__name__", "x", "id", std::to_string(i * 7919 % 100000)}), {}});
  }
  ASSERT_TRUE(WriteIndex(dir.File("index"), series).ok());
  auto r = IndexReader::Open(dir.File("index"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto vals = (*r)->LabelValues("id");
  ASSERT_EQ(vals->size(), 1000u);
  for (auto v : *vals) {
    auto refs = Expand((*r)->Postings("id", v));
    ASSERT_EQ(refs.size(), 1u) << v;
    Labels l;
    ASSERT_TRUE((*r)->Series(refs[0], &l, nullptr).ok());
    EXPECT_EQ(l.Get("id"), v);
  }
  EXPECT_TRUE(Expand((*r)->Postings("id", "0000")).empty());
  EXPECT_TRUE(Expand((*r)->Postings("id", "99999999")).empty());
  EXPECT_TRUE(Expand((*r)->Postings("id", "")).empty());
}

TEST(IndexWriter, EmptyIndexHasNoSeries) {
  TempDir dir;
  auto w = IndexWriter::Create(dir.File("index"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto r = IndexReader::Open(dir.File("index"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->NumSeries(), 0u);
  EXPECT_TRUE((*r)->LabelNames().empty());
  EXPECT_TRUE(Expand((*r)->AllPostings()).empty());
  Status v = (*r)->VerifyAll(nullptr);
  EXPECT_TRUE(v.ok()) << v.message();
}

TEST(IndexWriter, LayoutFollowsTheFormat) {
  TempDir dir;
  ASSERT_TRUE(WriteIndex(dir.File("index"), {{Labels::FromStrings({"a", "1"}), {{0, 10, 8}}},
                                             {Labels::FromStrings({"a", "2", "b", "x"}), {}}})
                  .ok());
  std::string f = testing::ReadFile(dir.File("index"));
  auto u8 = [&](size_t i) { return reinterpret_cast<const uint8_t*>(f.data()) + i; };
  EXPECT_EQ(encoding::BE32(u8(0)), 0xBAAAD700u);
  EXPECT_EQ(f[4], 2);
  // Symbols at 5: "1" "2" "a" "b" "x" -> 5 entries of 2 bytes.
  EXPECT_EQ(encoding::BE32(u8(5)), 4u + 10u);
  EXPECT_EQ(encoding::BE32(u8(9)), 5u);
  auto r = IndexReader::Open(dir.File("index"));
  ASSERT_TRUE(r.ok());
  const TOC& toc = (*r)->toc();
  EXPECT_EQ(toc.symbols, 5u);
  EXPECT_EQ(toc.series, 5u + 4 + 14 + 4);
  auto refs = Expand((*r)->AllPostings());
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0], 32u / 16);  // the first 16-byte boundary after the symbols
  EXPECT_GT(toc.label_indices, toc.series);
  EXPECT_GE(toc.postings, toc.label_indices);
  EXPECT_GT(toc.label_indices_table, toc.postings);
  EXPECT_GT(toc.postings_table, toc.label_indices_table);
  EXPECT_EQ(toc.postings_table + 4 + encoding::BE32(u8(toc.postings_table)) + 4, f.size() - kTocLen);
}

TEST(IndexWriter, RejectsSymbolsOutOfOrderOrRepeated) {
  TempDir dir;
  auto w = IndexWriter::Create(dir.File("index"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddSymbol("b").ok());
  EXPECT_EQ((*w)->AddSymbol("a").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ((*w)->AddSymbol("b").code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE((*w)->AddSymbol("c").ok());
}

TEST(IndexWriter, RejectsSeriesOutOfOrderAndUnknownSymbols) {
  TempDir dir;
  auto w = IndexWriter::Create(dir.File("index"));
  ASSERT_TRUE(w.ok());
  for (const char* s : {"1", "2", "a", "b"}) ASSERT_TRUE((*w)->AddSymbol(s).ok());
  EXPECT_EQ((*w)->AddSeries(Labels(), {}).status().code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE((*w)->AddSeries(Labels::FromStrings({"a", "2"}), {}).ok());
  EXPECT_EQ((*w)->AddSeries(Labels::FromStrings({"a", "2"}), {}).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ((*w)->AddSeries(Labels::FromStrings({"a", "1"}), {}).status().code(), Status::Code::kInvalidArgument);
  auto unknown = (*w)->AddSeries(Labels::FromStrings({"b", "zzz"}), {});
  EXPECT_EQ(unknown.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("zzz"), std::string::npos);
  // Symbols after series: too late.
  EXPECT_EQ((*w)->AddSymbol("z").code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE((*w)->AddSeries(Labels::FromStrings({"b", "1"}), {}).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto r = IndexReader::Open(dir.File("index"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->NumSeries(), 2u);  // the rejected series left no trace
  EXPECT_TRUE((*r)->VerifyAll(nullptr).ok());
}

TEST(IndexWriter, RejectsUnorderedChunkMetas) {
  TempDir dir;
  auto w = IndexWriter::Create(dir.File("index"));
  ASSERT_TRUE(w.ok());
  for (const char* s : {"1", "2", "3", "a"}) ASSERT_TRUE((*w)->AddSymbol(s).ok());
  std::vector<ChunkMeta> overlapping = {{0, 10, 8}, {10, 20, 30}};
  std::vector<ChunkMeta> backwards_ref = {{0, 10, 30}, {11, 20, 8}};
  std::vector<ChunkMeta> inverted = {{10, 0, 8}};
  EXPECT_EQ((*w)->AddSeries(Labels::FromStrings({"a", "1"}), overlapping).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ((*w)->AddSeries(Labels::FromStrings({"a", "1"}), backwards_ref).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ((*w)->AddSeries(Labels::FromStrings({"a", "1"}), inverted).status().code(),
            Status::Code::kInvalidArgument);
  std::vector<ChunkMeta> good = {{-5, 10, 100}, {11, 20, 200}};
  ASSERT_TRUE((*w)->AddSeries(Labels::FromStrings({"a", "1"}), good).ok());
  // Chunk refs must not go back across series either.
  std::vector<ChunkMeta> earlier = {{0, 1, 50}};
  EXPECT_EQ((*w)->AddSeries(Labels::FromStrings({"a", "2"}), earlier).status().code(),
            Status::Code::kInvalidArgument);
  std::vector<ChunkMeta> later = {{0, 1, 200}};
  ASSERT_TRUE((*w)->AddSeries(Labels::FromStrings({"a", "3"}), later).ok());
  ASSERT_TRUE((*w)->Finish().ok());
}

TEST(IndexWriter, ReportsIOErrorForAnUnwritablePath) {
  auto w = IndexWriter::Create("/nonexistent-dir/index");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Status::Code::kIOError);
}

TEST(IndexReader, OpenOfAMissingFileIsNotFound) {
  auto r = IndexReader::Open("/nonexistent-dir/index");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

// PostingsForMatchers against a brute-force evaluation over every series.
class MatchersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    series_ = RandomSeries(7, 400);
    ASSERT_TRUE(WriteIndex(dir_.File("index"), series_).ok());
    auto r = IndexReader::Open(dir_.File("index"));
    ASSERT_TRUE(r.ok());
    reader_ = std::move(r).value();
    all_ = ReadAll(*reader_);
  }
  void Check(const std::vector<std::tuple<Matcher::Type, std::string, std::string>>& spec) {
    std::vector<Matcher> ms;
    std::string desc;
    for (const auto& [t, n, v] : spec) {
      auto m = Matcher::Make(t, n, v);
      ASSERT_TRUE(m.ok()) << m.status().message();
      desc += m->ToString() + " ";
      ms.push_back(*m);
    }
    std::vector<SeriesRef> want;
    for (const auto& [ref, s] : all_) {
      if (MatchesAll(ms, s.labels)) want.push_back(ref);
    }
    EXPECT_EQ(Expand(reader_->PostingsForMatchers(ms)), want) << desc;
  }
  TempDir dir_;
  std::vector<TestSeries> series_;
  std::unique_ptr<IndexReader> reader_;
  std::vector<std::pair<SeriesRef, TestSeries>> all_;
};

using T = Matcher::Type;

TEST_F(MatchersTest, EqualAndNotEqual) {
  Check({{T::kEqual, "__name__", "m1"}});
  Check({{T::kEqual, "__name__", "m1"}, {T::kEqual, "job", "job2"}});
  Check({{T::kEqual, "__name__", "m1"}, {T::kNotEqual, "job", "job2"}});
  Check({{T::kEqual, "job", "nope"}});
  Check({{T::kNotEqual, "job", "job0"}});
  Check({{T::kEqual, "nolabel", "x"}});
}

TEST_F(MatchersTest, EmptyValueSelectsSeriesWithoutTheLabel) {
  Check({{T::kEqual, "zone", ""}});
  Check({{T::kEqual, "__name__", "m2"}, {T::kEqual, "zone", ""}});
  Check({{T::kNotEqual, "zone", ""}});
  Check({{T::kEqual, "nolabel", ""}});
  Check({{T::kNotEqual, "nolabel", ""}});
  Check({{T::kEqual, "job", ""}, {T::kEqual, "instance", ""}});
}

TEST_F(MatchersTest, Regexes) {
  Check({{T::kRegexMatch, "__name__", "m[12]"}});
  Check({{T::kRegexMatch, "instance", "host-1.*"}});
  Check({{T::kRegexMatch, "instance", ".*"}});
  Check({{T::kRegexMatch, "instance", ".+"}});
  Check({{T::kRegexMatch, "zone", "eu|"}});
  Check({{T::kRegexNoMatch, "zone", "eu"}});
  Check({{T::kRegexNoMatch, "zone", ".+"}});
  Check({{T::kRegexNoMatch, "zone", ".*"}});
  Check({{T::kRegexMatch, "path", ".*\n.*"}});
  Check({{T::kRegexMatch, "__name__", "m.*"}, {T::kRegexNoMatch, "job", "job[01]"}, {T::kNotEqual, "zone", "us"}});
}

TEST_F(MatchersTest, NoMatchersSelectAllSeries) { Check({}); }

}  // namespace
}  // namespace tsdb::index
