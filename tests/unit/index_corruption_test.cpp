// Corrupt index files: truncation at every offset, a flipped byte at every
// offset, absurd lengths and counts behind valid checksums. Every case must
// end in a Corruption status naming a byte offset, or in the original data
// (a flip in padding), never in a crash (run under ASan/UBSan too).
#include <gtest/gtest.h>

#include <sstream>

#include "encoding/crc32c.h"
#include "encoding/encoding.h"
#include "index/reader.h"
#include "index_test_util.h"
#include "model/matcher.h"

namespace tsdb::index {
namespace {

// Everything the reader can say about an index, as text; or the first error.
Result<std::string> Walk(const IndexReader& r) {
  std::ostringstream out;
  auto syms = r.Symbols();
  while (syms.Next()) out << "sym " << syms.At() << "\n";
  if (!syms.status().ok()) return syms.status();
  for (uint32_t i = 0; i < r.NumSymbols(); ++i) {
    TSDB_ASSIGN_OR_RETURN(std::string_view s, r.LookupSymbol(i));
    out << "lookup " << i << " " << s << "\n";
  }
  out << "series " << r.NumSeries() << "\n";
  for (std::string_view n : r.LabelNames()) {
    TSDB_ASSIGN_OR_RETURN(auto values, r.LabelValues(n));
    for (std::string_view v : values) {
      TSDB_ASSIGN_OR_RETURN(PostingsPtr p, r.Postings(n, v));
      TSDB_ASSIGN_OR_RETURN(auto refs, ExpandPostings(*p));
      out << "postings " << n << "=" << v << ":";
      for (SeriesRef ref : refs) out << " " << ref;
      out << "\n";
    }
  }
  TSDB_ASSIGN_OR_RETURN(PostingsPtr all, r.AllPostings());
  TSDB_ASSIGN_OR_RETURN(auto refs, ExpandPostings(*all));
  for (SeriesRef ref : refs) {
    Labels l;
    std::vector<ChunkMeta> c;
    TSDB_RETURN_IF_ERROR(r.Series(ref, &l, &c));
    out << ref << " " << l.ToString();
    for (const ChunkMeta& m : c) out << " [" << m.min_time << "," << m.max_time << "," << m.ref << "]";
    out << "\n";
  }
  for (const auto& [t, n, v] : std::vector<std::tuple<Matcher::Type, std::string, std::string>>{
           {Matcher::Type::kEqual, "job", ""}, {Matcher::Type::kRegexMatch, "__name__", ".+"}}) {
    TSDB_ASSIGN_OR_RETURN(PostingsPtr p, r.PostingsForMatchers({*Matcher::Make(t, n, v)}));
    TSDB_ASSIGN_OR_RETURN(auto m, ExpandPostings(*p));
    out << "match " << m.size() << "\n";
  }
  return out.str();
}

void ExpectCorruptionWithOffset(const Status& st, const std::string& what) {
  EXPECT_EQ(st.code(), Status::Code::kCorruption) << what << ": " << st.message();
  EXPECT_NE(st.message().find("offset"), std::string::npos) << what << ": " << st.message();
}

std::vector<std::string> Fixtures() {
  testing::TempDir dir;
  EXPECT_TRUE(testing::WriteIndex(dir.File("index"), testing::RandomSeries(3, 40)).ok());
  return {testing::ReadFile(dir.File("index")),
          testing::ReadFile(std::string(TSDB_SOURCE_DIR) + "/tests/data/promtool_index/index")};
}

TEST(IndexCorruption, TruncationAtEveryOffsetIsCorruption) {
  for (const std::string& f : Fixtures()) {
    for (size_t n = 0; n < f.size(); ++n) {
      auto r = IndexReader::OpenFromBuffer(std::string_view(f.data(), n));
      ASSERT_FALSE(r.ok()) << n;
      ExpectCorruptionWithOffset(r.status(), "truncated at " + std::to_string(n));
    }
  }
}

TEST(IndexCorruption, FlippedByteAnywhereIsDetectedOrHarmless) {
  for (const std::string& f : Fixtures()) {
    auto orig_reader = IndexReader::OpenFromBuffer(f);
    ASSERT_TRUE(orig_reader.ok());
    auto orig = Walk(**orig_reader);
    ASSERT_TRUE(orig.ok());
    size_t harmless = 0;
    for (size_t i = 0; i < f.size(); ++i) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0xff}}) {
        std::string g = f;
        g[i] = static_cast<char>(g[i] ^ mask);
        std::string what = "byte " + std::to_string(i) + " ^ " + std::to_string(mask);
        auto r = IndexReader::OpenFromBuffer(g);
        if (!r.ok()) {
          if (i == 4 && (g[4] == 1)) {
            EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << what;  // version 1
          } else {
            ExpectCorruptionWithOffset(r.status(), what);
          }
          continue;
        }
        auto w = Walk(**r);
        Status verify = (*r)->VerifyAll(nullptr);
        if (!w.ok()) {
          ExpectCorruptionWithOffset(w.status(), what);
          EXPECT_FALSE(verify.ok()) << what << ": a read failed but VerifyAll passed";
          continue;
        }
        // Nothing failed: the data must be the original, and VerifyAll must
        // still catch the flip unless the byte is truly unused.
        EXPECT_EQ(*w, *orig) << what;
        if (verify.ok()) {
          ++harmless;
          ADD_FAILURE() << what << " went unnoticed";
        } else {
          ExpectCorruptionWithOffset(verify, what);
        }
      }
    }
    EXPECT_EQ(harmless, 0u) << "flips that neither reads nor VerifyAll noticed";
  }
}

// Rewrites the CRC of the section starting at `off` (4-byte length first).
void FixSectionCrc(std::string* f, size_t off) {
  auto* p = reinterpret_cast<const uint8_t*>(f->data());
  uint32_t len = encoding::BE32(p + off);
  uint32_t crc = encoding::Crc32c(p + off + 4, len);
  std::string b;
  encoding::PutBE32(&b, crc);
  f->replace(off + 4 + len, 4, b);
}

void FixTocCrc(std::string* f) {
  size_t t = f->size() - kTocLen;
  std::string b;
  encoding::PutBE32(&b, encoding::Crc32c(f->data() + t, kTocLen - 4));
  f->replace(t + kTocLen - 4, 4, b);
}

void PutBE32At(std::string* f, size_t off, uint32_t v) {
  std::string b;
  encoding::PutBE32(&b, v);
  f->replace(off, 4, b);
}

TEST(IndexCorruption, AbsurdTocOffsetsAreCorruption) {
  std::string f = Fixtures()[1];
  for (int field = 0; field < 6; ++field) {
    for (uint64_t v : {uint64_t{1}, uint64_t{f.size()}, uint64_t{1} << 40, ~uint64_t{0}}) {
      std::string g = f;
      std::string b;
      encoding::PutBE64(&b, v);
      g.replace(g.size() - kTocLen + 8 * field, 8, b);
      FixTocCrc(&g);
      auto r = IndexReader::OpenFromBuffer(g);
      if (!r.ok()) {
        ExpectCorruptionWithOffset(r.status(), "toc field " + std::to_string(field));
        continue;
      }
      // Unread sections (label indices): reads work, VerifyAll complains.
      ASSERT_TRUE(Walk(**r).ok()) << field;
      ExpectCorruptionWithOffset((*r)->VerifyAll(nullptr), "toc field " + std::to_string(field));
    }
  }
}

TEST(IndexCorruption, AbsurdLengthsAndCountsBehindValidChecksums) {
  std::string f = Fixtures()[1];
  auto r = IndexReader::OpenFromBuffer(f);
  ASSERT_TRUE(r.ok());
  const TOC toc = (*r)->toc();
  {  // Symbol count far beyond the table.
    std::string g = f;
    PutBE32At(&g, toc.symbols + 4, 0x7fffffff);
    FixSectionCrc(&g, toc.symbols);
    ExpectCorruptionWithOffset(IndexReader::OpenFromBuffer(g).status(), "symbol count");
  }
  {  // Symbol count slightly beyond the entries.
    std::string g = f;
    PutBE32At(&g, toc.symbols + 4, (*r)->NumSymbols() + 1);
    FixSectionCrc(&g, toc.symbols);
    ExpectCorruptionWithOffset(IndexReader::OpenFromBuffer(g).status(), "symbol count + 1");
  }
  {  // Postings offset table count.
    std::string g = f;
    PutBE32At(&g, toc.postings_table + 4, 0xffffffff);
    FixSectionCrc(&g, toc.postings_table);
    ExpectCorruptionWithOffset(IndexReader::OpenFromBuffer(g).status(), "postings table count");
  }
  {  // Section lengths past the end of the file.
    for (uint64_t off : {toc.symbols, toc.postings_table}) {
      std::string g = f;
      PutBE32At(&g, off, 0xfffffff0);
      ExpectCorruptionWithOffset(IndexReader::OpenFromBuffer(g).status(), "section length");
    }
  }
  {  // A postings list count that disagrees with its length, CRC fixed.
    std::string g = f;
    uint64_t p = toc.postings + (toc.postings % 4 ? 4 - toc.postings % 4 : 0);  // the all-postings list
    PutBE32At(&g, p + 4, 0x40000000);
    FixSectionCrc(&g, p);
    auto r2 = IndexReader::OpenFromBuffer(g);
    ASSERT_FALSE(r2.ok());
    ExpectCorruptionWithOffset(r2.status(), "postings count");
  }
  {  // A series whose label count is huge, CRC fixed: no giant allocation.
    std::string g = f;
    uint64_t s = (toc.series + 15) / 16 * 16;
    ASSERT_LT(static_cast<uint8_t>(g[s + 1]), 0x7fu);  // labels count of the first series
    g[s + 1] = static_cast<char>(0x7f);
    uint8_t len = static_cast<uint8_t>(g[s]);
    auto* u = reinterpret_cast<const uint8_t*>(g.data());
    std::string b;
    encoding::PutBE32(&b, encoding::Crc32c(u + s + 1, len));
    g.replace(s + 1 + len, 4, b);
    auto r2 = IndexReader::OpenFromBuffer(g);
    ASSERT_TRUE(r2.ok());
    Labels l;
    ExpectCorruptionWithOffset((*r2)->Series(s / 16, &l, nullptr), "label count");
    ExpectCorruptionWithOffset((*r2)->VerifyAll(nullptr), "label count");
  }
}

TEST(IndexCorruption, ReportsVersionOneClearly) {
  std::string f = Fixtures()[1];
  f[4] = 1;
  auto r = IndexReader::OpenFromBuffer(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("version 1"), std::string::npos);
}

TEST(IndexCorruption, VerifyAllReportsEachProblemWithSectionAndOffset) {
  std::string f = Fixtures()[1];
  auto r = IndexReader::OpenFromBuffer(f);
  ASSERT_TRUE(r.ok());
  const TOC toc = (*r)->toc();
  std::string g = f;
  uint64_t s = (toc.series + 15) / 16 * 16;
  g[s + 3] = static_cast<char>(g[s + 3] ^ 0x10);  // inside the first series
  g[toc.label_indices_table + 9] ^= 0x01;         // inside the label offset table
  auto r2 = IndexReader::OpenFromBuffer(g);
  ASSERT_TRUE(r2.ok());
  std::vector<IndexProblem> problems;
  Status st = (*r2)->VerifyAll([&](const IndexProblem& p) { problems.push_back(p); });
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  ASSERT_GE(problems.size(), 2u);
  EXPECT_EQ(problems[0].section, "series");
  EXPECT_EQ(problems[0].offset, s);
  bool table = false;
  for (const auto& p : problems) table |= p.section == "label offset table" && p.offset == toc.label_indices_table;
  EXPECT_TRUE(table);
}

}  // namespace
}  // namespace tsdb::index
