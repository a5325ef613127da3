// DbStore: several data directories read as one store (a series in more
// than one comes out once, samples merged, the first directory winning), the
// head rebuilt from a WAL without taking the lock, a block folder and a
// downsampled folder as sources, label listings from the block indexes.
// tsdb-test-links: compact
#include "store/db_store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "block_test_util.h"
#include "compact/aggr_chunk.h"
#include "compact/downsample.h"
#include "db/db.h"
#include "model/selector.h"

namespace tsdb::store {
namespace {

using tsdb::testing::MakeBlock;
using tsdb::testing::Ramp;
using tsdb::testing::SeriesSamples;
using tsdb::testing::TempDir;
namespace stdfs = std::filesystem;
constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kMin = INT64_MIN, kMax = INT64_MAX;

Labels L(std::initializer_list<std::string_view> nv) { return Labels::FromStrings(nv); }

std::vector<Matcher> Sel(const std::string& s) {
  auto m = ParseSelector(s);
  EXPECT_TRUE(m.ok()) << s << ": " << m.status().message();
  return m.ok() ? *m : std::vector<Matcher>{};
}

using Dump = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

Dump SelectAll(const Store& store, const std::vector<Matcher>& m, int64_t mint = kMin, int64_t maxt = kMax) {
  Dump out;
  auto set = store.Select(m, mint, maxt);
  EXPECT_TRUE(set.ok()) << set.status().message();
  if (!set.ok()) return out;
  std::string prev;
  while ((*set)->Next()) {
    std::string key = (*set)->labels().ToString();
    EXPECT_EQ(out.count(key), 0u) << key << " came out twice";
    EXPECT_LT(prev, key) << "series out of label order";
    prev = key;
    auto& v = out[key];
    for (const auto& s : (*set)->samples()) v.emplace_back(s.t, s.v);
  }
  EXPECT_TRUE((*set)->status().ok()) << (*set)->status().message();
  return out;
}

std::unique_ptr<DbStore> OpenStore(const std::vector<std::string>& dirs, DbStoreOptions o = {}) {
  o.quiet = true;
  auto s = DbStore::Open(dirs, o);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(DbStore, SeriesInTwoDirectoriesComeOutOnceWithSamplesMerged) {
  TempDir a, b;
  SeriesSamples sa, sb;
  sa[L({"__name__", "x", "job", "1"})] = {{0, 1}, {2000, 3}};
  sb[L({"__name__", "x", "job", "1"})] = {{1000, 2}, {2000, 99}, {3000, 4}};
  sb[L({"__name__", "y", "job", "2"})] = {{0, 7}};
  MakeBlock(a.path(), 0, 2 * kHour, sa);
  MakeBlock(b.path(), 0, 2 * kHour, sb);
  auto store = OpenStore({a.path(), b.path()});
  ASSERT_TRUE(store);
  Dump d = SelectAll(*store, {});
  ASSERT_EQ(d.size(), 2u);
  // The first directory's sample wins at t=2000.
  std::vector<std::pair<int64_t, double>> want{{0, 1}, {1000, 2}, {2000, 3}, {3000, 4}};
  EXPECT_EQ(d["{__name__=\"x\", job=\"1\"}"], want);
  EXPECT_EQ(SelectAll(*store, Sel("y")).size(), 1u);
  // The time range is closed at both ends.
  Dump in_range = SelectAll(*store, Sel("x"), 1000, 2000);
  std::vector<std::pair<int64_t, double>> want_range{{1000, 2}, {2000, 3}};
  EXPECT_EQ(in_range["{__name__=\"x\", job=\"1\"}"], want_range);
}

TEST(DbStore, ReadsTheHeadFromTheWalWithoutTakingTheLock) {
  TempDir dir;
  {
    db::Options o;
    o.quiet = true;
    auto db = db::DB::Open(dir.path(), o);
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto app = (*db)->NewAppender();
    for (int i = 0; i < 10; ++i) app->Add(L({"__name__", "up", "job", "w"}), 1000 * i, i);
    ASSERT_TRUE(app->Commit().ok());
    // Still open (holding DIR/lock) while the store reads the directory.
    auto store = OpenStore({dir.path()});
    ASSERT_TRUE(store);
    EXPECT_TRUE(store->has_head());
    Dump d = SelectAll(*store, Sel("up"));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d.begin()->second.size(), 10u);
    EXPECT_EQ(d.begin()->second.back(), (std::pair<int64_t, double>{9000, 9}));
    auto names = store->LabelNames({}, kMin, kMax);
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "job"}));
  }
  DbStoreOptions no_head;
  no_head.include_head = false;
  auto store = OpenStore({dir.path()}, no_head);
  ASSERT_TRUE(store);
  EXPECT_TRUE(SelectAll(*store, {}).empty());
}

TEST(DbStore, MissingDirectoryIsNotFoundNamingIt) {
  TempDir dir;
  auto s = DbStore::Open({dir.path(), dir.path() + "/nope"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kNotFound);
  EXPECT_NE(s.status().message().find(dir.path() + "/nope"), std::string::npos) << s.status().message();
  tsdb::testing::WriteFile(dir.path() + "/file", "x");
  auto f = DbStore::Open({dir.path() + "/file"});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("not a directory"), std::string::npos) << f.status().message();
}

TEST(DbStore, LabelListingsComeFromTheIndexesOfBlocksInRange) {
  TempDir dir;
  SeriesSamples early, late;
  early[L({"__name__", "x", "job", "a", "old", "1"})] = Ramp(0, 10, 1000);
  late[L({"__name__", "x", "job", "b"})] = Ramp(4 * kHour, 10, 1000);
  late[L({"__name__", "y", "job", "c", "zone", "z"})] = Ramp(4 * kHour, 10, 1000);
  MakeBlock(dir.path(), 0, 2 * kHour, early);
  MakeBlock(dir.path(), 4 * kHour, 6 * kHour, late);
  auto store = OpenStore({dir.path()});
  ASSERT_TRUE(store);

  auto all = store->LabelNames({}, kMin, kMax);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::vector<std::string>{"__name__", "job", "old", "zone"}));
  auto late_names = store->LabelNames({}, 3 * kHour, kMax);
  ASSERT_TRUE(late_names.ok());
  EXPECT_EQ(*late_names, (std::vector<std::string>{"__name__", "job", "zone"}));
  auto x_names = store->LabelNames({Sel("x")}, kMin, kMax);
  ASSERT_TRUE(x_names.ok());
  EXPECT_EQ(*x_names, (std::vector<std::string>{"__name__", "job", "old"}));

  auto jobs = store->LabelValues("job", {}, kMin, kMax);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(*jobs, (std::vector<std::string>{"a", "b", "c"}));
  auto x_jobs = store->LabelValues("job", {Sel("x")}, 3 * kHour, kMax);
  ASSERT_TRUE(x_jobs.ok());
  EXPECT_EQ(*x_jobs, (std::vector<std::string>{"b"}));
  auto none = store->LabelValues("nope", {}, kMin, kMax);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto series = store->Series({Sel("y"), Sel("{job=~\"a|c\"}")}, kMin, kMax);
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 2u);
  EXPECT_EQ((*series)[0], L({"__name__", "x", "job", "a", "old", "1"}));
  EXPECT_EQ((*series)[1], L({"__name__", "y", "job", "c", "zone", "z"}));

  // The default (scan) implementations agree with the index-based ones.
  const Store& base = *store;
  auto scanned = base.Store::LabelValues("job", {Sel("x")}, 3 * kHour, kMax);
  ASSERT_TRUE(scanned.ok());
  EXPECT_EQ(*scanned, *x_jobs);
  auto scanned_series = base.Store::Series({Sel("y"), Sel("{job=~\"a|c\"}")}, kMin, kMax);
  ASSERT_TRUE(scanned_series.ok());
  EXPECT_EQ(*scanned_series, *series);
}

TEST(DbStore, ABlockFolderIsASource) {
  TempDir dir;
  SeriesSamples s;
  s[L({"__name__", "x"})] = Ramp(0, 5, 1000);
  std::string block = MakeBlock(dir.path(), 0, 2 * kHour, s);
  auto store = OpenStore({block});
  ASSERT_TRUE(store);
  EXPECT_EQ(store->num_blocks(), 1u);
  EXPECT_EQ(SelectAll(*store, {}).begin()->second.size(), 5u);
}

class DbStoreDownsampled : public ::testing::Test {
 protected:
  void SetUp() override {
    SeriesSamples s;
    // A gauge 0, 1, 2, ... every 15 s for 4 h, and a counter with a reset.
    s[L({"__name__", "g"})] = Ramp(0, 960, 15000);
    std::vector<block::Sample> c = Ramp(0, 960, 15000, 100);
    for (size_t i = 480; i < c.size(); ++i) c[i].v = static_cast<double>(i - 480);
    s[L({"__name__", "c_total"})] = c;
    raw_ = MakeBlock(dir_.path() + "/raw", 0, 4 * kHour, s, 4 * kHour);
    auto in = block::BlockReader::Open(raw_);
    ASSERT_TRUE(in.ok()) << in.status().message();
    compact::DownsampleOptions o;
    o.dest_dir = dir_.path() + "/downsampled";
    stdfs::create_directories(o.dest_dir);
    o.resolution = compact::kRes5m;
    auto res = compact::DownsampleBlock(**in, o);
    ASSERT_TRUE(res.ok()) << res.status().message();
    ASSERT_TRUE(res->written);
  }
  TempDir dir_;
  std::string raw_;
};

TEST_F(DbStoreDownsampled, AverageIsSumOverCountPerWindow) {
  auto store = OpenStore({dir_.path() + "/downsampled"});
  ASSERT_TRUE(store);
  EXPECT_EQ(store->resolution(), compact::kRes5m);
  Dump d = SelectAll(*store, Sel("g"));
  ASSERT_EQ(d.size(), 1u);
  const auto& pts = d.begin()->second;
  ASSERT_EQ(pts.size(), 48u);  // 4 h of 5 m windows
  // The first window holds samples 0..19 (t = 0 .. 285 s): average 9.5.
  EXPECT_DOUBLE_EQ(pts[0].second, 9.5);
  EXPECT_DOUBLE_EQ(pts[1].second, 29.5);

  DbStoreOptions max;
  max.aggregate = DownsampledAggregate::kMax;
  auto by_max = OpenStore({dir_.path() + "/downsampled"}, max);
  ASSERT_TRUE(by_max);
  EXPECT_DOUBLE_EQ(SelectAll(*by_max, Sel("g")).begin()->second[0].second, 19);

  // The counter aggregate removes the reset: it only grows.
  DbStoreOptions counter;
  counter.aggregate = DownsampledAggregate::kCounter;
  auto by_counter = OpenStore({dir_.path() + "/downsampled"}, counter);
  ASSERT_TRUE(by_counter);
  const auto c = SelectAll(*by_counter, Sel("c_total")).begin()->second;
  ASSERT_GT(c.size(), 2u);
  for (size_t i = 1; i < c.size(); ++i) EXPECT_GE(c[i].second, c[i - 1].second) << i;
}

TEST_F(DbStoreDownsampled, RawDataWinsOverDownsampledBlocks) {
  auto store = OpenStore({dir_.path() + "/raw", dir_.path() + "/downsampled"});
  ASSERT_TRUE(store);
  EXPECT_EQ(store->resolution(), 0);
  EXPECT_EQ(store->num_blocks(), 1u);
  EXPECT_EQ(SelectAll(*store, Sel("g")).begin()->second.size(), 960u);
}

TEST(DownsampledAggregate, ParsesEveryName) {
  for (const char* n : {"avg", "count", "sum", "min", "max", "counter"}) {
    auto a = ParseDownsampledAggregate(n);
    ASSERT_TRUE(a.ok()) << n;
    EXPECT_STREQ(DownsampledAggregateName(*a), n);
  }
  EXPECT_FALSE(ParseDownsampledAggregate("median").ok());
}

}  // namespace
}  // namespace tsdb::store
