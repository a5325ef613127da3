// LineReader over memory, pipes and files: block boundaries, limits, Peek.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "textparse/line_reader.h"
#include "textparse_test_util.h"

namespace tsdb::textparse {
namespace {

std::vector<std::string> ReadAll(LineReader* r) {
  std::vector<std::string> lines;
  std::string_view line;
  while (r->Next(&line)) {
    lines.emplace_back(line);
    EXPECT_EQ(r->line_number(), lines.size());
  }
  return lines;
}

// Feeds `data` through a pipe in writes of `chunk` bytes from another thread.
class PipeFeeder {
 public:
  PipeFeeder(std::string data, size_t chunk) {
    signal(SIGPIPE, SIG_IGN);
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    read_fd_ = fds[0];
    thread_ = std::thread([data = std::move(data), chunk, wfd = fds[1]] {
      for (size_t off = 0; off < data.size(); off += chunk) {
        size_t n = std::min(chunk, data.size() - off);
        size_t done = 0;
        while (done < n) {
          ssize_t w = write(wfd, data.data() + off + done, n - done);
          if (w <= 0) break;
          done += static_cast<size_t>(w);
        }
      }
      close(wfd);
    });
  }
  ~PipeFeeder() {
    close(read_fd_);  // a writer still blocked gets EPIPE
    thread_.join();
  }
  int fd() const { return read_fd_; }

 private:
  int read_fd_ = -1;
  std::thread thread_;
};

TEST(LineReader, SplitsMemoryIntoLinesWithOrWithoutFinalNewline) {
  LineReader a("a\nbb\n\nccc", "mem");
  EXPECT_EQ(ReadAll(&a), (std::vector<std::string>{"a", "bb", "", "ccc"}));
  EXPECT_TRUE(a.status().ok());
  LineReader b("a\n", "mem");
  EXPECT_EQ(ReadAll(&b), (std::vector<std::string>{"a"}));
  LineReader c("", "mem");
  EXPECT_TRUE(ReadAll(&c).empty());
  LineReader d("x\r\ny\r\n", "mem");  // '\r' stays part of the line, as in Prometheus
  EXPECT_EQ(ReadAll(&d), (std::vector<std::string>{"x\r", "y\r"}));
}

TEST(LineReader, ReadsLinesSpanningBlockBoundariesFromAPipe) {
  // Lines of every length around the 1 MiB block, fed in odd-sized writes.
  std::string data;
  std::vector<std::string> want;
  for (size_t len : {size_t{10}, size_t{(1 << 20) - 15}, size_t{3}, size_t{(1 << 20) + 7}, size_t{0}, size_t{2 << 20},
                     size_t{5}}) {
    std::string line(len, static_cast<char>('a' + want.size()));
    want.push_back(line);
    data += line + "\n";
  }
  data += "last-without-newline";
  want.push_back("last-without-newline");
  PipeFeeder feeder(data, 4093);
  LineReader r(feeder.fd(), "pipe", 4 << 20);
  std::vector<std::string> got = ReadAll(&r);
  ASSERT_TRUE(r.status().ok()) << r.status().message();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "line " << i + 1;
}

TEST(LineReader, ParsesThroughATinyPipeWrite) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "metric_" + std::to_string(i % 7) + "{i=\"" + std::to_string(i) + "\"} 1\n";
  PipeFeeder feeder(text, 1);  // one byte per write: every line crosses reads
  LineReader r(feeder.fd(), "pipe");
  testing::ParseResult got = testing::ParseAll(&r, Format::kPrometheus);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.entries.size(), 3000u);
  EXPECT_EQ(got.entries[2999].sample.labels[0].second, "2999");
}

TEST(LineReader, RejectsALineLongerThanTheLimit) {
  LineReader a("ok\n0123456789\nx\n", "mem", 9);
  std::string_view line;
  ASSERT_TRUE(a.Next(&line));
  EXPECT_FALSE(a.Next(&line));
  EXPECT_EQ(a.status().message(), "mem: line 2, column 10: expected a line of at most 9 bytes, got a longer one");
  EXPECT_FALSE(a.Next(&line));  // stays stopped

  LineReader exact("012345678\n012345678", "mem", 9);
  EXPECT_EQ(ReadAll(&exact).size(), 2u);
  EXPECT_TRUE(exact.status().ok());

  // From a pipe: a 3 MiB line with no newline must not be buffered whole.
  PipeFeeder feeder(std::string(3 << 20, 'x'), 65536);
  LineReader p(feeder.fd(), "pipe", 1 << 20);
  EXPECT_FALSE(p.Next(&line));
  EXPECT_EQ(p.status().message(),
            "pipe: line 1, column 1048577: expected a line of at most 1048576 bytes, got a longer one");
}

TEST(LineReader, ParserReportsTheLongLine) {
  std::string text = "a 1\n" + std::string(100, 'b') + " 1\n";
  LineReader r(text, "mem", 50);
  testing::ParseResult got = testing::ParseAll(&r, Format::kPrometheus);
  EXPECT_EQ(got.entries.size(), 1u);
  EXPECT_EQ(got.status.message(), "mem: line 2, column 51: expected a line of at most 50 bytes, got a longer one");
}

TEST(LineReader, PeekDoesNotConsume) {
  PipeFeeder feeder("# EOF\nabc\n", 2);
  LineReader r(feeder.fd(), "pipe");
  EXPECT_EQ(r.Peek(5), "# EOF");
  EXPECT_EQ(r.Peek(100), "# EOF\nabc\n");
  EXPECT_EQ(ReadAll(&r), (std::vector<std::string>{"# EOF", "abc"}));
  LineReader m("abc", "mem");
  EXPECT_EQ(m.Peek(2), "ab");
  EXPECT_EQ(m.Peek(10), "abc");
  EXPECT_EQ(ReadAll(&m), (std::vector<std::string>{"abc"}));
}

TEST(LineReader, OpensFilesAndReportsMissingOnes) {
  auto missing = LineReader::Open("/nonexistent/file.prom");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "/nonexistent/file.prom: No such file or directory");

  std::string path = ::testing::TempDir() + "/textparse_line_reader_test.txt";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "one\ntwo", 7), 7);
  close(fd);
  auto r = LineReader::Open(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->name(), path);
  EXPECT_EQ(ReadAll(r->get()), (std::vector<std::string>{"one", "two"}));
  std::remove(path.c_str());

  auto dir = LineReader::Open("/");
  ASSERT_TRUE(dir.ok());  // open(2) succeeds; read(2) fails
  std::string_view line;
  EXPECT_FALSE((*dir)->Next(&line));
  EXPECT_EQ((*dir)->status().code(), Status::Code::kIOError);
  EXPECT_EQ((*dir)->status().message(), "/: read: Is a directory");
}

}  // namespace
}  // namespace tsdb::textparse
