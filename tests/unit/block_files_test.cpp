#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "block/chunk_segments.h"
#include "block/meta.h"
#include "block/tombstones.h"
#include "block/ulid.h"
#include "block_test_util.h"

namespace tsdb::block {
namespace {

namespace stdfs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(Ulid, FormatsAndParsesLikeOklog) {
  auto u = Ulid::Parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");  // the example from the ULID spec
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->ToString(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(u->time_ms(), 1469922850259u);  // computed independently: base32 "01ARZ3NDEK"
  EXPECT_EQ(Ulid::Parse("01arz3ndektsv4rrffq69g5fav")->ToString(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(Ulid().ToString(), "00000000000000000000000000");
  EXPECT_EQ(Ulid::Parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")->ToString(), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  EXPECT_FALSE(Ulid::Parse("8ZZZZZZZZZZZZZZZZZZZZZZZZZ").ok());  // overflows 128 bits
  EXPECT_FALSE(Ulid::Parse("01ARZ3NDEKTSV4RRFFQ69G5FA").ok());   // 25 characters
  EXPECT_FALSE(Ulid::Parse("01ARZ3NDEKTSV4RRFFQ69G5FAU").ok());  // U is not in the alphabet
  Ulid a = Ulid::New(1700000000000), b = Ulid::New(1700000000001);
  EXPECT_EQ(a.time_ms(), 1700000000000u);
  EXPECT_LT(a.ToString(), b.ToString());
  EXPECT_NE(Ulid::New(5).ToString(), Ulid::New(5).ToString());
}

TEST(Meta, WritesExactlyWhatPrometheusWrites) {
  BlockMeta m;
  m.ulid = *Ulid::Parse("01HF3N8Q2K5V7X9Z1B3D5F7H9K");
  m.min_time = 1700006400000;
  m.max_time = 1700028000000;
  m.stats.num_samples = 1440000;
  m.stats.num_float_samples = 1440000;
  m.stats.num_series = 1000;
  m.stats.num_chunks = 12000;
  m.compaction.level = 2;
  m.compaction.sources = {*Ulid::Parse("01HF1A0B2C3D4E5F6G7H8J9K0M"), *Ulid::Parse("01HF1G8Y3R5T7V9W1X3Y5Z7A9B")};
  m.compaction.parents = {{*Ulid::Parse("01HF1A0B2C3D4E5F6G7H8J9K0M"), 1700006400000, 1700013600000}};
  // Go's json.MarshalIndent(meta, "", "\t"), no trailing newline.
  EXPECT_EQ(MetaToJson(m),
            "{\n\t\"ulid\": \"01HF3N8Q2K5V7X9Z1B3D5F7H9K\",\n\t\"minTime\": 1700006400000,\n\t\"maxTime\": 1700028000000,\n"
            "\t\"stats\": {\n\t\t\"numSamples\": 1440000,\n\t\t\"numFloatSamples\": 1440000,\n\t\t\"numSeries\": 1000,\n"
            "\t\t\"numChunks\": 12000\n\t},\n\t\"compaction\": {\n\t\t\"level\": 2,\n\t\t\"sources\": [\n"
            "\t\t\t\"01HF1A0B2C3D4E5F6G7H8J9K0M\",\n\t\t\t\"01HF1G8Y3R5T7V9W1X3Y5Z7A9B\"\n\t\t],\n\t\t\"parents\": [\n"
            "\t\t\t{\n\t\t\t\t\"ulid\": \"01HF1A0B2C3D4E5F6G7H8J9K0M\",\n\t\t\t\t\"minTime\": 1700006400000,\n"
            "\t\t\t\t\"maxTime\": 1700013600000\n\t\t\t}\n\t\t]\n\t},\n\t\"version\": 1\n}");
  BlockMeta empty;
  EXPECT_NE(MetaToJson(empty).find("\"stats\": {},"), std::string::npos);
}

TEST(Meta, ReadsLikeGoAndKeepsThanos) {
  auto m = ParseMeta(R"({"ULID":"01ARZ3NDEKTSV4RRFFQ69G5FAV","mintime":5,"maxTime":10,"stats":{"numSeries":3},
      "compaction":{"level":1,"sources":["01ARZ3NDEKTSV4RRFFQ69G5FAV"]},"version":1,"unknown":[1,2],
      "thanos":{"labels":{"replica":"a"},"downsample":{"resolution":300000},"source":"compactor"}})",
                     "m.json");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->min_time, 5);
  EXPECT_EQ(m->stats.num_series, 3u);
  EXPECT_EQ(m->DownsampleResolution(), 300000);
  auto again = ParseMeta(MetaToJson(*m), "again");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->thanos, m->thanos);
  EXPECT_EQ(MetaToJson(*again), MetaToJson(*m));
}

TEST(Meta, RejectsWhatPrometheusRejects) {
  auto v = ParseMeta(R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV","version":3})", "b/meta.json");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "b/meta.json: unexpected meta file version 3 (want 1)");
  EXPECT_FALSE(ParseMeta(R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV"})", "x").ok());  // version missing reads as 0
  EXPECT_FALSE(ParseMeta(R"({"ulid":"nope","version":1})", "x").ok());
  EXPECT_FALSE(ParseMeta(R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV","version":1,"minTime":"5"})", "x").ok());
  EXPECT_FALSE(ParseMeta("{\"ulid\": ", "x").ok());
  EXPECT_FALSE(ParseMeta("", "x").ok());
}

TEST(Meta, WriteIsAtomicAndReadBack) {
  TempDir d;
  BlockMeta m;
  m.ulid = Ulid::New(1);
  m.max_time = 7200000;
  ASSERT_TRUE(WriteMeta(d.path(), m).ok());
  EXPECT_FALSE(stdfs::exists(d.path() + "/meta.json.tmp"));
  auto back = ReadMeta(d.path());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ulid, m.ulid);
  EXPECT_EQ(ReadMeta(d.path() + "/none").status().code(), Status::Code::kNotFound);
}

TEST(Intervals, MergeOverlappingAndAdjacent) {
  Intervals ivs;
  ivs.Add({10, 20});
  ivs.Add({30, 40});
  ivs.Add({21, 25});  // adjacent to [10,20]
  ASSERT_EQ(ivs.list().size(), 2u);
  EXPECT_EQ(ivs.list()[0], (Interval{10, 25}));
  ivs.Add({0, 5});
  ivs.Add({24, 35});  // joins [10,25] and [30,40]
  ASSERT_EQ(ivs.list().size(), 2u);
  EXPECT_EQ(ivs.list()[0], (Interval{0, 5}));
  EXPECT_EQ(ivs.list()[1], (Interval{10, 40}));
  EXPECT_TRUE(ivs.Contains(40));
  EXPECT_FALSE(ivs.Contains(41));
  EXPECT_FALSE(ivs.Contains(7));
}

TEST(Tombstones, RoundTripAndCorruption) {
  Tombstones t;
  t.Add(16, {100, 200});
  t.Add(16, {300, 400});
  t.Add(48, {-5, INT64_MAX});
  std::string bytes = EncodeTombstones(t);
  EXPECT_EQ(bytes.substr(0, 5), std::string("\x01\x30\xba\x30\x01", 5));
  auto back = DecodeTombstones(bytes, "ts");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->Total(), 3u);
  EXPECT_TRUE(back->Get(48)->Contains(INT64_MAX));
  EXPECT_EQ(back->Get(17), nullptr);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] ^= 0x10;
    EXPECT_FALSE(DecodeTombstones(flipped, "ts").ok()) << "flip at " << i;
    EXPECT_FALSE(DecodeTombstones(bytes.substr(0, i), "ts").ok()) << "truncated at " << i;
  }
  auto bad = DecodeTombstones(std::string("\x01\x30\xba\x31\x01\x00\x00\x00\x00", 9), "dir/tombstones");
  EXPECT_EQ(bad.status().message(), "dir/tombstones: offset 0: bad magic 0x0130ba31 (want 0x0130ba30)");
  TempDir d;
  EXPECT_EQ(ReadTombstones(d.path())->Total(), 0u);  // no file: no tombstones
  ASSERT_TRUE(WriteTombstones(d.path(), t).ok());
  EXPECT_EQ(ReadTombstones(d.path())->Total(), 3u);
}

TEST(ChunkSegments, WriteReadAcrossSegments) {
  TempDir d;
  ChunkWriter w(d.path(), 64);  // tiny segments to force cutting
  std::vector<uint64_t> refs;
  std::vector<std::string> datas;
  for (int i = 0; i < 20; ++i) {
    std::string data(static_cast<size_t>(i * 3 + 1), static_cast<char>('a' + i));
    auto ref = w.Write(1, {reinterpret_cast<const uint8_t*>(data.data()), data.size()});
    ASSERT_TRUE(ref.ok());
    refs.push_back(*ref);
    datas.push_back(data);
  }
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_EQ(ChunkRefSegment(refs[0]), 0u);
  EXPECT_EQ(ChunkRefOffset(refs[0]), 8u);
  EXPECT_GT(ChunkRefSegment(refs.back()), 3u);
  EXPECT_TRUE(stdfs::exists(d.path() + "/000001"));
  auto r = ChunkReader::Open(d.path());
  ASSERT_TRUE(r.ok()) << r.status().message();
  for (size_t i = 0; i < refs.size(); ++i) {
    auto c = (*r)->Chunk(refs[i], true);
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ(c->encoding, 1);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(c->data.data()), c->data.size()), datas[i]);
  }
  EXPECT_FALSE((*r)->Chunk(ChunkRef(99, 8)).ok());
  EXPECT_FALSE((*r)->Chunk(ChunkRef(0, 3)).ok());
  EXPECT_FALSE((*r)->Chunk(ChunkRef(0, 1u << 30)).ok());
}

TEST(ChunkSegments, FlippedByteFailsTheCrcAndBadHeadersAreNamed) {
  TempDir d;
  ChunkWriter w(d.path());
  std::string data = "some chunk bytes";
  auto ref = w.Write(1, {reinterpret_cast<const uint8_t*>(data.data()), data.size()});
  ASSERT_TRUE(w.Finish().ok());
  std::string seg = d.path() + "/000001";
  std::string bytes = ReadFile(seg);
  bytes[12] ^= 1;
  WriteFile(seg, bytes);
  auto r = ChunkReader::Open(d.path());
  ASSERT_TRUE(r.ok());
  auto c = (*r)->Chunk(*ref, true);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("000001: offset 26: chunk checksum mismatch"), std::string::npos)
      << c.status().message();
  r->reset();

  WriteFile(seg, "");
  auto empty = ChunkReader::Open(d.path());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("0 bytes, shorter than the 8-byte segment header"), std::string::npos);
  WriteFile(seg, std::string("\x85\xbd\x40\xdd\x02\0\0\0", 8));
  EXPECT_NE(ChunkReader::Open(d.path()).status().message().find("unknown chunks format version 2"), std::string::npos);
  WriteFile(d.path() + "/000003", std::string("\x85\xbd\x40\xdd\x01\0\0\0", 8));
  WriteFile(seg, std::string("\x85\xbd\x40\xdd\x01\0\0\0", 8));
  EXPECT_NE(ChunkReader::Open(d.path()).status().message().find("without gaps"), std::string::npos);
}

}  // namespace
}  // namespace tsdb::block
