// tsdb-inspect verify: healthy blocks pass; every kind of damage is reported
// with block, file, offset and kind, and never crashes.
#include <sys/stat.h>

#include <random>

#include "block/meta.h"
#include "encoding/crc32c.h"
#include "encoding/encoding.h"
#include "block/ulid.h"
#include "index/reader.h"
#include "inspect/data_dir.h"
#include "inspect/inspect.h"
#include "inspect_test_util.h"
#include "nlohmann/json.hpp"

namespace tsdb::inspect {
namespace {

using namespace testing;  // NOLINT

constexpr int64_t kStart = 1700000000000 - 1700000000000 % 7200000;  // a 2h boundary
constexpr int64_t kEnd = kStart + 7200000;

SeriesSamples ThreeSeries() {
  SeriesSamples s;
  s[Labels::FromStrings({"__name__", "up", "job", "a"})] = Ramp(kStart, 300, 15000);
  s[Labels::FromStrings({"__name__", "up", "job", "b"})] = Ramp(kStart + 1000, 200, 30000, 7.5);
  s[Labels::FromStrings({"__name__", "x", "le", "0.5"})] = Ramp(kStart, 1, 1000);
  return s;
}

const Problem* Find(const VerifyReport& r, const std::string& kind) {
  for (const Problem& p : r.problems) {
    if (p.kind == kind) return &p;
  }
  return nullptr;
}

std::string Describe(const VerifyReport& r) {
  std::string s;
  for (const Problem& p : r.problems) {
    s += p.block + " " + p.file + " " + (p.offset ? std::to_string(*p.offset) : "-") + " " + p.kind + " " +
         p.message + "\n";
  }
  return s;
}

// The chunk refs of every series, in index order.
std::vector<uint64_t> ChunkRefs(const std::string& block) {
  auto ir = index::IndexReader::Open(block + "/index");
  EXPECT_TRUE(ir.ok());
  std::vector<uint64_t> refs;
  auto p = (*ir)->AllPostings();
  Labels l;
  std::vector<index::ChunkMeta> chunks;
  while ((*p)->Next()) {
    EXPECT_TRUE((*ir)->Series((*p)->At(), &l, &chunks).ok());
    for (const auto& c : chunks) refs.push_back(c.ref);
  }
  return refs;
}

TEST(InspectVerify, HealthyBlocksHaveNoProblemsAndAreCounted) {
  TempDir d;
  MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  MakeBlock(d.path(), kEnd, kEnd + 7200000, {{Labels::FromStrings({"__name__", "up"}), Ramp(kEnd, 10, 1000)}});
  stdfs::create_directories(d.path() + "/wal");  // the head is ignored
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->problems.empty()) << Describe(*r);
  EXPECT_EQ(r->blocks, 2u);
  EXPECT_EQ(r->series, 4u);
  EXPECT_EQ(r->samples, 300u + 200u + 1u + 10u);
}

TEST(InspectVerify, PromtoolBlockIsHealthy) {
  TempDir d;
  std::string src = std::string(TSDB_SOURCE_DIR) + "/tests/data/promtool_block";
  auto meta = block::ReadMeta(src);
  ASSERT_TRUE(meta.ok());
  std::string dst = d.path() + "/" + meta->ulid.ToString();
  stdfs::copy(src, dst, stdfs::copy_options::recursive);
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->problems.empty()) << Describe(*r);
  EXPECT_EQ(r->samples, meta->stats.num_samples);
  EXPECT_EQ(r->chunks, meta->stats.num_chunks);
  // A block folder given directly works too.
  auto one = Verify(dst);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->blocks, 1u);
  EXPECT_TRUE(one->problems.empty()) << Describe(*one);
}

TEST(InspectVerify, MissingDirectoryIsAnErrorNotAProblem) {
  auto r = Verify("/nonexistent/tsdb-inspect-test");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

TEST(InspectVerify, ReportsFlippedIndexByteWithOffset) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  auto ir = index::IndexReader::Open(b + "/index");
  ASSERT_TRUE(ir.ok());
  uint64_t at = (*ir)->toc().series + 3;  // inside the first series entry
  ir->reset();
  FlipByte(b + "/index", at);
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  const Problem* p = Find(*r, "index");
  ASSERT_NE(p, nullptr) << Describe(*r);
  EXPECT_EQ(p->block, BaseName(b));
  EXPECT_EQ(p->file, "index");
  ASSERT_TRUE(p->offset.has_value());
  EXPECT_LE(*p->offset, at);
  EXPECT_GE(*p->offset + 64, at);
}

TEST(InspectVerify, ReportsFlippedChunkByteWithOffset) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  auto refs = ChunkRefs(b);
  ASSERT_GE(refs.size(), 2u);
  uint32_t off = index::ChunkRefOffset(refs[1]);
  FlipByte(b + "/chunks/000001", off + 5);  // inside the chunk's data
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->problems.size(), 1u) << Describe(*r);
  const Problem& p = r->problems[0];
  EXPECT_EQ(p.kind, "chunk-crc");
  EXPECT_EQ(p.file, "chunks/000001");
  EXPECT_EQ(p.offset, off);
  EXPECT_EQ(p.block, BaseName(b));
}

TEST(InspectVerify, ReportsTruncatedChunkFile) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  auto refs = ChunkRefs(b);
  std::string seg = b + "/chunks/000001";
  uint64_t size = stdfs::file_size(seg);
  stdfs::resize_file(seg, size - 10);
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  const Problem* s = Find(*r, "segment");
  ASSERT_NE(s, nullptr) << Describe(*r);
  EXPECT_EQ(s->file, "chunks/000001");
  ASSERT_TRUE(s->offset.has_value());
  // The walk stops at the last chunk, which the last series references.
  EXPECT_EQ(*s->offset, index::ChunkRefOffset(refs.back()));
  const Problem* ref = Find(*r, "chunk-ref");
  ASSERT_NE(ref, nullptr) << Describe(*r);
  EXPECT_EQ(ref->offset, index::ChunkRefOffset(refs.back()));
}

TEST(InspectVerify, ReportsZeroLengthChunkFile) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  stdfs::resize_file(b + "/chunks/000001", 0);
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  const Problem* s = Find(*r, "segment");
  ASSERT_NE(s, nullptr) << Describe(*r);
  EXPECT_EQ(s->file, "chunks/000001");
  EXPECT_EQ(s->offset, 0u);
  EXPECT_NE(s->message.find("shorter than the 8-byte segment header"), std::string::npos) << s->message;
}

TEST(InspectVerify, ReportsMissingMetaAndIndexAndChunks) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  stdfs::remove(b + "/meta.json");
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  ASSERT_NE(Find(*r, "missing-file"), nullptr) << Describe(*r);
  EXPECT_EQ(Find(*r, "missing-file")->file, "meta.json");

  stdfs::remove(b + "/index");
  stdfs::remove_all(b + "/chunks");
  r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  std::set<std::string> files;
  for (const Problem& p : r->problems) {
    if (p.kind == "missing-file") files.insert(p.file);
  }
  EXPECT_EQ(files, (std::set<std::string>{"meta.json", "index", "chunks"})) << Describe(*r);
}

TEST(InspectVerify, ReportsLeftoverTmpFolders) {
  TempDir d;
  MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  std::string ulid = block::Ulid::New(kStart).ToString();
  stdfs::create_directories(d.path() + "/" + ulid + ".tmp-for-creation/chunks");
  stdfs::create_directories(d.path() + "/" + ulid + ".tmp-for-deletion");
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->problems.size(), 2u) << Describe(*r);
  EXPECT_EQ(r->problems[0].kind, "leftover");
  EXPECT_EQ(r->problems[0].block, ulid + ".tmp-for-creation");
  EXPECT_EQ(r->problems[1].block, ulid + ".tmp-for-deletion");
  EXPECT_EQ(r->blocks, 1u);  // leftovers are not verified as blocks
}

TEST(InspectVerify, ReportsOverlappingBlocksButNotAdjacentOnes) {
  TempDir d;
  MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  MakeBlock(d.path(), kEnd, kEnd + 7200000, {{Labels::FromStrings({"__name__", "up"}), Ramp(kEnd, 10, 1000)}});
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->problems.empty()) << Describe(*r);  // [a,b) and [b,c) touch, do not overlap
  std::string third = MakeBlock(d.path(), kStart + 3600000, kEnd + 3600000,
                                {{Labels::FromStrings({"__name__", "up"}), Ramp(kStart + 3600000, 10, 1000)}});
  r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->problems.size(), 2u) << Describe(*r);  // overlaps the first and, in turn, is overlapped by the second
  EXPECT_EQ(r->problems[0].kind, "overlap");
  EXPECT_EQ(r->problems[0].block, BaseName(third));
  EXPECT_NE(r->problems[0].message.find("[" + std::to_string(kStart + 3600000) + ", " + std::to_string(kEnd) + ")"),
            std::string::npos)
      << r->problems[0].message;
}

TEST(InspectVerify, DownsampledBlocksDoNotOverlapRawOnes) {
  TempDir d;
  MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  auto m = block::ReadMeta(b);
  ASSERT_TRUE(m.ok());
  m->thanos = nlohmann::ordered_json::parse(R"({"labels":{},"downsample":{"resolution":300000},"source":"compactor"})");
  ASSERT_TRUE(block::WriteMeta(b, *m).ok());
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->problems.empty()) << Describe(*r);
}

TEST(InspectVerify, ReportsWrongStatsInMeta) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  auto m = block::ReadMeta(b);
  ASSERT_TRUE(m.ok());
  m->stats.num_samples += 1;
  m->stats.num_series = 2;
  ASSERT_TRUE(block::WriteMeta(b, *m).ok());
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->problems.size(), 2u) << Describe(*r);
  std::string all = Describe(*r);
  EXPECT_NE(all.find("meta.json - stats numSeries is 2, the block holds 3"), std::string::npos) << all;
  EXPECT_NE(all.find("numSamples is 502, the block holds 501"), std::string::npos) << all;
}

TEST(InspectVerify, ReportsMetaNamingAnotherBlockAndSamplesOutsideTheRange) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  auto m = block::ReadMeta(b);
  ASSERT_TRUE(m.ok());
  m->ulid = block::Ulid::New(1);
  m->min_time = kStart + 60000;  // cuts off the first minute of samples
  ASSERT_TRUE(block::WriteMeta(b, *m).ok());
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  ASSERT_NE(Find(*r, "meta"), nullptr) << Describe(*r);
  EXPECT_NE(Find(*r, "meta")->message.find("differs from the folder name"), std::string::npos);
  const Problem* range = Find(*r, "block-range");
  ASSERT_NE(range, nullptr) << Describe(*r);
  EXPECT_EQ(range->file, "index");
  EXPECT_TRUE(range->offset.has_value());
}

TEST(InspectVerify, ReportsMissingSegmentInTheMiddle) {
  TempDir d;
  block::BlockWriterOptions o;
  o.parent_dir = d.path();
  o.min_time = kStart;
  o.max_time = kEnd;
  o.segment_size = 200;  // one segment per chunk or so
  auto w = block::BlockWriter::Create(o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddSymbol("__name__").ok());
  ASSERT_TRUE((*w)->AddSymbol("a").ok());
  ASSERT_TRUE((*w)->AddSymbol("b").ok());
  ASSERT_TRUE((*w)->AddSeries(Labels::FromStrings({"__name__", "a"}), Ramp(kStart, 400, 15000)).ok());
  ASSERT_TRUE((*w)->AddSeries(Labels::FromStrings({"__name__", "b"}), Ramp(kStart, 400, 15000)).ok());
  auto meta = (*w)->Finish();
  ASSERT_TRUE(meta.ok()) << meta.status().message();
  std::string b = d.path() + "/" + meta->ulid.ToString();
  ASSERT_TRUE(stdfs::exists(b + "/chunks/000003"));
  stdfs::remove(b + "/chunks/000002");
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  const Problem* p = Find(*r, "missing-file");
  ASSERT_NE(p, nullptr) << Describe(*r);
  EXPECT_EQ(p->file, "chunks/000002");
}

TEST(InspectVerify, ReportsSamplesOutsideTheChunkMetaEvenWithAGoodCrc) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  auto refs = ChunkRefs(b);
  uint32_t off = index::ChunkRefOffset(refs[0]);
  std::string seg = ReadFile(b + "/chunks/000001");
  auto* p = reinterpret_cast<const uint8_t*>(seg.data());
  uint64_t len = 0;
  size_t k = encoding::GetUvarint(p + off, 5, &len);
  ASSERT_GT(k, 0u);
  size_t enc_at = off + k;
  // The first timestamp is a zigzag varint right after the 2-byte count:
  // bit 1 of its first byte is bit 0 of the time, so every sample moves 1 ms later.
  seg[enc_at + 1 + 2] = static_cast<char>(seg[enc_at + 1 + 2] ^ 0x02);
  uint32_t crc = encoding::Crc32c(seg.data() + enc_at, 1 + len);
  std::string be;
  encoding::PutBE32(&be, crc);
  seg.replace(enc_at + 1 + len, 4, be);
  WriteFile(b + "/chunks/000001", seg);
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  const Problem* range = Find(*r, "chunk-range");
  ASSERT_NE(range, nullptr) << Describe(*r);
  EXPECT_EQ(range->file, "chunks/000001");
  EXPECT_EQ(range->offset, off);
  EXPECT_EQ(Find(*r, "chunk-crc"), nullptr) << Describe(*r);
}

TEST(InspectVerify, ListsAtMostAHundredProblemsOfAKindPerBlock) {
  TempDir d;
  SeriesSamples many;
  for (int i = 0; i < 150; ++i) {
    many[Labels::FromStrings({"__name__", "m", "i", std::to_string(1000 + i)})] = Ramp(kStart, 2, 1000);
  }
  std::string b = MakeBlock(d.path(), kStart, kEnd, many);
  stdfs::resize_file(b + "/chunks/000001", 8);  // the header alone
  auto r = Verify(d.path());
  ASSERT_TRUE(r.ok());
  size_t refs = 0;
  for (const Problem& p : r->problems) refs += p.kind == "chunk-ref";
  EXPECT_EQ(refs, 101u);  // 100 listed and one row counting the rest
  EXPECT_NE(Describe(*r).find("50 more problems of this kind in this block not listed"), std::string::npos)
      << Describe(*r);
}

TEST(InspectVerify, RandomByteFlipsNeverCrashAndChunkFlipsAreAlwaysFound) {
  TempDir d;
  std::string pristine = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  std::string ulid = BaseName(pristine);
  std::string saved = d.path() + "/saved";
  stdfs::copy(pristine, saved, stdfs::copy_options::recursive);
  std::mt19937_64 rnd(42);
  for (const char* file : {"index", "chunks/000001", "meta.json", "tombstones"}) {
    uint64_t size = stdfs::file_size(saved + "/" + file);
    for (int i = 0; i < 40; ++i) {
      stdfs::remove_all(pristine);
      stdfs::copy(saved, pristine, stdfs::copy_options::recursive);
      uint64_t at = rnd() % size;
      FlipByte(pristine + "/" + file, at);
      auto r = Verify(d.path() + "/" + ulid);
      ASSERT_TRUE(r.ok()) << file << " @" << at;
      if (std::string(file) == "chunks/000001") {
        EXPECT_FALSE(r->problems.empty()) << "byte " << at << " of chunks/000001 flipped unnoticed";
      }
    }
  }
}

TEST(InspectVerify, RunVerifyPrintsJsonArrayAndSaysProblemsFound) {
  TempDir d;
  std::string b = MakeBlock(d.path(), kStart, kEnd, ThreeSeries());
  VerifyOptions opt;
  opt.dir = d.path();
  opt.format = "json";
  opt.quiet = true;
  bool problems = true;
  std::string out = Capture([&](cli::Output* o) { EXPECT_TRUE(RunVerify(opt, o, &problems).ok()); });
  EXPECT_FALSE(problems);
  EXPECT_EQ(out, "[]\n");

  auto refs = ChunkRefs(b);
  FlipByte(b + "/chunks/000001", index::ChunkRefOffset(refs[0]) + 4);
  out = Capture([&](cli::Output* o) { EXPECT_TRUE(RunVerify(opt, o, &problems).ok()); });
  EXPECT_TRUE(problems);
  auto j = nlohmann::json::parse(out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u) << out;
  EXPECT_EQ(j[0]["block"], BaseName(b));
  EXPECT_EQ(j[0]["file"], "chunks/000001");
  EXPECT_EQ(j[0]["offset"], index::ChunkRefOffset(refs[0]));
  EXPECT_EQ(j[0]["kind"], "chunk-crc");

  opt.format = "yaml";
  Status st;
  Capture([&](cli::Output* o) { st = RunVerify(opt, o, &problems); });
  EXPECT_EQ(st.code(), Status::Code::kUsage);
}

}  // namespace
}  // namespace tsdb::inspect
