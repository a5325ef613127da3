#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "shard/targets.h"

namespace tsdb::shard {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tsdb-shard-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    fs::create_directories(fs::path(p).parent_path());
    std::ofstream(p) << content;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(DetectTargetFormat, ByNameThenContent) {
  EXPECT_EQ(DetectTargetFormat("x.json", "a:1"), TargetFormat::kJson);
  EXPECT_EQ(DetectTargetFormat("x.yaml", ""), TargetFormat::kYaml);
  EXPECT_EQ(DetectTargetFormat("x.yml", ""), TargetFormat::kYaml);
  EXPECT_EQ(DetectTargetFormat("", "  \n[{\"targets\":[]}]"), TargetFormat::kJson);
  EXPECT_EQ(DetectTargetFormat("", "# nodes\n- targets: [a:1]\n"), TargetFormat::kYaml);
  EXPECT_EQ(DetectTargetFormat("", "# nodes\nhost-1:9100\n"), TargetFormat::kList);
  EXPECT_EQ(DetectTargetFormat("targets.txt", "-weird-host:1\n"), TargetFormat::kList);
}

TEST(ParseTargetList, SkipsBlanksAndCommentsAndTrims) {
  auto g = ParseTargetList("# fleet\n\n  a:1  \r\nb:2\n\t# indented comment\nc:3", "list");
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_EQ(g->size(), 1u);
  EXPECT_EQ((*g)[0].targets, (std::vector<std::string>{"a:1", "b:2", "c:3"}));
  EXPECT_TRUE((*g)[0].labels.empty());
}

TEST(ParseTargetList, TwoWordsOnALineIsAnErrorWithItsLine) {
  auto g = ParseTargetList("a:1\nb:2 c:3\n", "hosts.txt");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(), "hosts.txt: line 2: expected one target per line, got \"b:2 c:3\"");
}

TEST(ParseFileSD, JsonGroupsWithLabelsAndFilepath) {
  auto g = ParseFileSD(R"([{"targets": ["a:1", "b:2"], "labels": {"env": "prod", "team": "x"}},
                           {"targets": ["c:3"]}])",
                       TargetFormat::kJson, "sd/nodes.json");
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_EQ(g->size(), 2u);
  EXPECT_EQ((*g)[0].labels.ToString(), "{env=\"prod\", team=\"x\"}");
  EXPECT_EQ((*g)[0].Get("__meta_filepath", "a:1"), "sd/nodes.json");
  EXPECT_EQ((*g)[0].Get("__address__", "a:1"), "a:1");
  EXPECT_EQ((*g)[1].targets, std::vector<std::string>{"c:3"});
}

TEST(ParseFileSD, JsonErrorsNamePositionOrGroup) {
  auto syntax = ParseFileSD("[\n {\"targets\": [\"a:1\"] \"labels\": {}}]", TargetFormat::kJson, "f.json");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("f.json: line 2, column"), std::string::npos) << syntax.status().message();
  EXPECT_NE(syntax.status().message().find("invalid JSON"), std::string::npos);

  auto type = ParseFileSD(R"([{"targets": ["a:1", 5]}])", TargetFormat::kJson, "f.json");
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.status().message().find("target group 0: \"targets\" must be an array of strings"), std::string::npos);

  auto value = ParseFileSD(R"([{"targets": ["a:1"], "labels": {"env": true}}])", TargetFormat::kJson, "f.json");
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.status().message().find("label \"env\" must have a string value"), std::string::npos);

  auto top = ParseFileSD(R"({"targets": ["a:1"]})", TargetFormat::kJson, "f.json");
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.status().message().find("expected a JSON array"), std::string::npos);

  auto truncated = ParseFileSD(R"([{"targets": ["a:1")", TargetFormat::kJson, "f.json");
  EXPECT_FALSE(truncated.ok());
}

TEST(ParseFileSD, YamlGroupsAndStrictFields) {
  auto g = ParseFileSD("- targets: ['a:1', b:2]\n  labels:\n    env: prod\n", TargetFormat::kYaml, "n.yml");
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_EQ(g->size(), 1u);
  EXPECT_EQ((*g)[0].targets, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ((*g)[0].labels.Get("env"), "prod");

  auto typo = ParseFileSD("- targets: [a:1]\n  lables: {env: prod}\n", TargetFormat::kYaml, "n.yml");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().message(),
            "n.yml: line 2, column 3: unknown field \"lables\" in target group (want targets, labels)");

  auto broken = ParseFileSD("- targets: [a:1\n", TargetFormat::kYaml, "n.yml");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("n.yml: line"), std::string::npos);
  EXPECT_NE(broken.status().message().find("invalid YAML"), std::string::npos);
}

TEST(FileSDJson, RoundTripsThroughTheParser) {
  std::vector<TargetGroup> groups(2);
  groups[0].targets = {"a:1", "we\"ird:2"};
  groups[0].labels = Labels::FromStrings({"env", "prod", "note", "ünï\n"});
  groups[1].targets = {"c:3"};
  auto back = ParseFileSD(FileSDJson(groups), TargetFormat::kJson, "x");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].targets, groups[0].targets);
  EXPECT_EQ((*back)[0].labels, groups[0].labels);
  EXPECT_EQ((*back)[1].targets, groups[1].targets);

  auto yaml = ParseFileSD(FileSDYaml(groups), TargetFormat::kYaml, "x");
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  EXPECT_EQ((*yaml)[0].labels, groups[0].labels);
  EXPECT_EQ((*yaml)[0].targets, groups[0].targets);
}

TEST(LoadJobTargets, StaticAndFileSDWithImpliedLabels) {
  TempDir dir;
  dir.Write("sd/a.json", R"([{"targets": ["f:1"], "labels": {"src": "file"}}])");
  dir.Write("sd/b.yml", "- targets: [g:2]\n");
  std::string cfg = dir.Write("prometheus.yml", R"(
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: other
    static_configs: [{targets: ['x:1']}]
  - job_name: node
    scheme: https
    params:
      'match[]': ['{job="a"}']
    static_configs:
      - targets: ['s:1', 's:2']
        labels: {job: custom}
    file_sd_configs:
      - files: ['sd/*.json', 'sd/*.yml']
)");
  auto g = LoadJobTargets(cfg, "node");
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_EQ(g->size(), 3u);
  EXPECT_EQ((*g)[0].targets, (std::vector<std::string>{"s:1", "s:2"}));
  EXPECT_EQ((*g)[0].Get("job", "s:1"), "custom");  // the group's own job label wins
  EXPECT_EQ((*g)[1].Get("job", "f:1"), "node");
  EXPECT_EQ((*g)[1].Get("__scheme__", "f:1"), "https");
  EXPECT_EQ((*g)[1].Get("__metrics_path__", "f:1"), "/metrics");
  EXPECT_EQ((*g)[1].Get("__param_match[]", "f:1"), "{job=\"a\"}");
  EXPECT_EQ((*g)[1].Get("__meta_filepath", "f:1"), dir.path() + "/sd/a.json");
  EXPECT_EQ((*g)[2].targets, std::vector<std::string>{"g:2"});
  // Implied labels are never written back out.
  EXPECT_EQ(FileSDJson({(*g)[1]}).find("__scheme__"), std::string::npos);

  auto missing = LoadJobTargets(cfg, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no scrape job named \"nope\" (jobs: \"other\", \"node\")"),
            std::string::npos);
  EXPECT_EQ(LoadJobTargets(dir.path() + "/absent.yml", "node").status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace tsdb::shard

namespace tsdb::shard {
namespace {

TEST(ParseFileSD, RejectsInvalidUTF8InYamlTargetsAndLabels) {
  auto t = ParseFileSD("- targets: [\"a\xff:1\"]\n", TargetFormat::kYaml, "n.yml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("a target must be valid UTF-8"), std::string::npos) << t.status().message();
  auto l = ParseFileSD("- targets: [a:1]\n  labels: {env: \"\xfe\"}\n", TargetFormat::kYaml, "n.yml");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("label \"env\" has a value that is not valid UTF-8"), std::string::npos)
      << l.status().message();
}

}  // namespace
}  // namespace tsdb::shard

namespace tsdb::shard {
namespace {

TEST(ParseFileSD, JsonNumberOverflowIsAnErrorNotACrash) {
  auto g = ParseFileSD("[888880e08888]", TargetFormat::kJson, "f.json");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("f.json: invalid JSON"), std::string::npos) << g.status().message();
}

}  // namespace
}  // namespace tsdb::shard
