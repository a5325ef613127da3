#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "shard/hashmod_shard.h"

namespace tsdb::shard {
namespace {

namespace fs = std::filesystem;

// Expected values computed independently:
// python3: int.from_bytes(hashlib.md5(s.encode()).digest()[8:], 'big') % m
TEST(ShardOfTarget, MatchesPrometheusHashmodVectors) {
  TargetGroup g;
  g.labels = Labels::FromStrings({"env", "prod"});
  std::string scratch;
  const std::vector<std::string> addr = {"__address__"};
  EXPECT_EQ(ShardOfTarget(g, "10.0.0.1:9100", addr, ";", 4, &scratch), 1u);
  EXPECT_EQ(ShardOfTarget(g, "node-17.example:9100", addr, ";", 7, &scratch), 6u);
  EXPECT_EQ(ShardOfTarget(g, "ünï:80", addr, ";", 1000003, &scratch), 668920u);
  EXPECT_EQ(ShardOfTarget(g, "a:1", {"__address__", "env"}, ";", 3, &scratch), 1u);
  EXPECT_EQ(ShardOfTarget(g, "a:1", {"__address__", "env"}, "|", 3, &scratch), 1u);
  EXPECT_EQ(ShardOfTarget(g, "a:1", {"missing"}, ";", 5, &scratch), 3u);  // md5("") mod 5
  EXPECT_EQ(ShardOfTarget(g, "a:1", addr, ";", 1, &scratch), 0u);
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tsdb-hashmod-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p) << content;
    return p;
  }
  // Runs with stdout captured through a pipe.
  Status Run(const HashmodShardOptions& o, std::string* stdout_text) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    Status s;
    {
      cli::Output out(fds[1], "pipe");
      s = RunHashmodShard(o, &out);
      out.Flush();
    }
    close(fds[1]);
    char buf[4096];
    ssize_t n;
    stdout_text->clear();
    while ((n = read(fds[0], buf, sizeof buf)) > 0) stdout_text->append(buf, static_cast<size_t>(n));
    close(fds[0]);
    return s;
  }
  std::string dir_;
};

TEST_F(RunTest, MisuseIsAUsageError) {
  std::string out;
  HashmodShardOptions o;
  o.quiet = true;
  EXPECT_EQ(Run(o, &out).code(), Status::Code::kUsage);  // modulus 0
  o.modulus = 4;
  o.shard = 4;
  Status s = Run(o, &out);
  EXPECT_EQ(s.code(), Status::Code::kUsage);
  EXPECT_NE(s.message().find("shards are 0..3"), std::string::npos);
  o.shard.reset();
  o.relabel_config = true;
  EXPECT_EQ(Run(o, &out).code(), Status::Code::kUsage);  // needs --shard
  o.relabel_config = false;
  o.split_out = "x-%d";
  EXPECT_EQ(Run(o, &out).code(), Status::Code::kUsage);  // needs --series
  o.split_out.clear();
  o.source_labels = {"bad\xff"};
  EXPECT_EQ(Run(o, &out).code(), Status::Code::kUsage);
}

TEST_F(RunTest, ListsEveryTargetWithItsShard) {
  HashmodShardOptions o;
  o.modulus = 4;
  o.inputs = {Write("t.txt", "10.0.0.1:9100\nnode-17.example:9100\n")};
  std::string out;
  ASSERT_TRUE(Run(o, &out).ok());
  // 10.0.0.1:9100 -> 1 (mod 4); node-17.example:9100 -> md5 mod 4 computed the same way
  EXPECT_EQ(out.substr(0, out.find('\n')), "10.0.0.1:9100\t1");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
}

TEST_F(RunTest, ShardKeepsTheInputFormat) {
  HashmodShardOptions o;
  o.modulus = 2;
  o.quiet = true;
  std::string json = Write("t.json", R"([{"targets": ["a:1", "b:2", "c:3", "d:4"], "labels": {"env": "x"}}])");
  o.inputs = {json};
  std::set<std::string> seen;
  size_t total = 0;
  for (uint64_t k = 0; k < 2; ++k) {
    o.shard = k;
    std::string text;
    ASSERT_TRUE(Run(o, &text).ok());
    auto groups = ParseFileSD(text, TargetFormat::kJson, "out");
    ASSERT_TRUE(groups.ok()) << text;
    for (const auto& g : *groups) {
      EXPECT_EQ(g.labels.Get("env"), "x");
      for (const auto& t : g.targets) {
        std::string scratch;
        EXPECT_EQ(ShardOfTarget(g, t, {"__address__"}, ";", 2, &scratch), k) << t;
        seen.insert(t);
        ++total;
      }
    }
  }
  // Together the shards hold every target exactly once.
  EXPECT_EQ(total, 4u);
  EXPECT_EQ(seen.size(), 4u);
}

TEST_F(RunTest, SplitWritesEveryShardOrNothing) {
  HashmodShardOptions o;
  o.modulus = 3;
  o.quiet = true;
  o.split_dir = dir_ + "/split";
  o.inputs = {Write("t.txt", "a:1\nb:2\nc:3\nd:4\ne:5\n")};
  std::string out;
  ASSERT_TRUE(Run(o, &out).ok());
  size_t targets = 0;
  for (int k = 0; k < 3; ++k) {
    std::ifstream f(o.split_dir + "/shard-" + std::to_string(k) + ".json");
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto groups = ParseFileSD(text, TargetFormat::kJson, "split");
    ASSERT_TRUE(groups.ok()) << text;
    for (const auto& g : *groups) targets += g.targets.size();
  }
  EXPECT_EQ(targets, 5u);

  // A malformed second input: nothing is written, not even the first shard.
  HashmodShardOptions bad = o;
  bad.split_dir = dir_ + "/bad";
  bad.inputs = {o.inputs[0], Write("broken.json", "[{\"targets\": [")};
  Status s = Run(bad, &out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_FALSE(fs::exists(bad.split_dir + "/shard-0.json"));
  EXPECT_FALSE(fs::exists(bad.split_dir + "/shard-0.json.tmp"));
}

TEST_F(RunTest, CompareModulusListsOnlyMovedTargets) {
  HashmodShardOptions o;
  o.modulus = 4;
  o.compare_modulus = 2;
  o.quiet = true;
  std::string list;
  for (int i = 0; i < 200; ++i) list += "host-" + std::to_string(i) + ":9100\n";
  o.inputs = {Write("t.txt", list)};
  std::string out;
  ASSERT_TRUE(Run(o, &out).ok());
  size_t moved = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
  // Going from 2 to 4 shards, a target keeps its shard iff (h mod 4) < 2 and equals h mod 2: about half move.
  EXPECT_GT(moved, 60u);
  EXPECT_LT(moved, 140u);
  std::string first = out.substr(0, out.find('\n'));
  auto tab1 = first.find('\t'), tab2 = first.rfind('\t');
  EXPECT_NE(first.substr(tab1 + 1, tab2 - tab1 - 1), first.substr(tab2 + 1));
}

TEST_F(RunTest, RelabelSnippetIsPrometheusYaml) {
  HashmodShardOptions o;
  o.modulus = 4;
  o.shard = 1;
  o.relabel_config = true;
  std::string out;
  ASSERT_TRUE(Run(o, &out).ok());
  EXPECT_NE(out.find("action: hashmod"), std::string::npos) << out;
  EXPECT_NE(out.find("modulus: 4"), std::string::npos);
  EXPECT_NE(out.find("action: keep"), std::string::npos);
  EXPECT_NE(out.find("^1$"), std::string::npos);
}

TEST_F(RunTest, SeriesShardingKeepsMetadataInEveryShard) {
  std::string text =
      "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n"
      "http_requests_total{instance=\"a\"} 1 1000\nhttp_requests_total{instance=\"b\"} 2 1000\n"
      "http_requests_total{instance=\"c\"} 3 1000\nhttp_requests_total{instance=\"d\"} 4 1000\n"
      "# TYPE up gauge\nup{instance=\"a\"} 1 1000\nup{instance=\"b\"} 1 1000\n";
  HashmodShardOptions o;
  o.series = true;
  o.modulus = 2;
  o.quiet = true;
  o.source_labels = {"instance"};
  o.inputs = {Write("m.prom", text)};
  o.split_out = dir_ + "/s-%d.prom";
  std::string out;
  ASSERT_TRUE(Run(o, &out).ok());
  size_t samples = 0;
  for (int k = 0; k < 2; ++k) {
    std::ifstream f(dir_ + "/s-" + std::to_string(k) + ".prom");
    std::string line, shard_text;
    bool saw_help_before_sample = false, saw_sample = false;
    while (std::getline(f, line)) {
      if (line.rfind("# HELP http_requests_total", 0) == 0 && !saw_sample) saw_help_before_sample = true;
      if (!line.empty() && line[0] != '#') {
        ++samples;
        saw_sample = true;
        if (line.rfind("http_requests_total", 0) == 0) {
          EXPECT_TRUE(saw_help_before_sample);
        }
      }
    }
  }
  EXPECT_EQ(samples, 6u);

  // An exposition syntax error names the line, and no shard file is left.
  HashmodShardOptions bad = o;
  bad.inputs = {Write("bad.prom", "up 1\nup{a=\"b\" 2\n")};
  bad.split_out = dir_ + "/bad-%d.prom";
  Status s = Run(bad, &out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(dir_ + "/bad-0.prom"));
  EXPECT_FALSE(fs::exists(dir_ + "/bad-0.prom.tmp"));
}

}  // namespace
}  // namespace tsdb::shard
