#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>

#include "cli/exit_status.h"
#include "cli/log.h"
#include "cli/output.h"
#include "cli/records.h"

namespace tsdb::cli {
namespace {

// Captures what an Output writes, through a real pipe.
class Capture {
 public:
  Capture() {
    EXPECT_EQ(pipe(fds_), 0);
    out_ = std::make_unique<Output>(fds_[1], "pipe");
  }
  ~Capture() {
    if (fds_[0] >= 0) close(fds_[0]);
  }
  Output* out() { return out_.get(); }
  std::string Text() {
    out_->Flush();
    out_.reset();
    close(fds_[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds_[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    return text;
  }

 private:
  int fds_[2] = {-1, -1};
  std::unique_ptr<Output> out_;
};

TEST(ExitStatus, UsageIsTwoEverythingElseOne) {
  EXPECT_EQ(ExitStatusFor(Status::OK()), 0);
  EXPECT_EQ(ExitStatusFor(Status::Usage("x")), 2);
  EXPECT_EQ(ExitStatusFor(Status::InvalidArgument("x")), 1);
  EXPECT_EQ(ExitStatusFor(Status::Corruption("x")), 1);
  EXPECT_EQ(ExitStatusFor(Status::IOError("x")), 1);
  EXPECT_EQ(ExitStatusFor(Status::NotFound("x")), 1);
}

TEST(Output, ClosedPipeIsRememberedNotAnError) {
  std::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  Output out(fds[1], "pipe");
  out.Write("hello\n");
  Status s = out.Flush();
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(out.broken_pipe());
  EXPECT_FALSE(out.ok());
  close(fds[1]);
}

TEST(Output, OtherWriteErrorsAreKept) {
  Output out(-1, "nowhere");
  out.Write("x");
  Status s = out.Flush();
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find("writing nowhere"), std::string::npos);
}

TEST(RecordWriter, TsvCsvJsonJsonl) {
  const std::vector<std::string> cols = {"target", "shard"};
  {
    Capture c;
    RecordWriter w(RecordFormat::kTsv, cols, c.out());
    w.Add({"a:1", 3});
    w.Finish();
    EXPECT_EQ(c.Text(), "a:1\t3\n");
  }
  {
    Capture c;
    RecordWriter w(RecordFormat::kCsv, cols, c.out());
    w.Add({"has,comma \"q\"", 0});
    w.Finish();
    EXPECT_EQ(c.Text(), "target,shard\n\"has,comma \"\"q\"\"\",0\n");
  }
  {
    Capture c;
    RecordWriter w(RecordFormat::kJson, cols, c.out());
    w.Add({"a:1", 1});
    w.Add({"b:2", 2});
    w.Finish();
    auto j = nlohmann::json::parse(c.Text());
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[1]["shard"], 2);
    EXPECT_EQ(j[0]["target"], "a:1");
  }
  {
    Capture c;
    RecordWriter w(RecordFormat::kJson, cols, c.out());
    w.Finish();
    EXPECT_EQ(c.Text(), "[]\n");
  }
  {
    Capture c;
    RecordWriter w(RecordFormat::kJsonl, cols, c.out());
    w.Add({"a:1", 1});
    w.Finish();
    EXPECT_EQ(c.Text(), "{\"target\":\"a:1\",\"shard\":1}\n");
  }
}

TEST(RecordWriter, TableAlignsColumns) {
  Capture c;
  RecordWriter w(RecordFormat::kTable, {"target", "shard"}, c.out());
  w.Add({"a-long-target:1", 1});
  w.Add({"b:2", 12});
  w.Finish();
  EXPECT_EQ(c.Text(),
            "TARGET           SHARD\n"
            "a-long-target:1  1\n"
            "b:2              12\n");
}

TEST(RecordFormat, ParseNamesTheAllowedOnes) {
  auto f = ParseRecordFormat("yaml", {RecordFormat::kTsv, RecordFormat::kJson});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), Status::Code::kUsage);
  EXPECT_NE(f.status().message().find("want one of tsv, json"), std::string::npos);
  EXPECT_EQ(*ParseRecordFormat("json", {RecordFormat::kTsv, RecordFormat::kJson}), RecordFormat::kJson);
}

TEST(Log, LevelsAndFormatsParse) {
  EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("loud").status().code(), Status::Code::kUsage);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace tsdb::cli
