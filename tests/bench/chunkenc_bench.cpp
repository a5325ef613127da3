// XOR chunk decode and encode throughput. Synthetic chunks of 120 samples
// each (one Prometheus head chunk of a 15 s scrape), gauges and counters,
// with or without millisecond scrape jitter; and, when TSDB_BENCH_DATA_DIR
// names a data directory, every XOR chunk of its blocks (tests/bench/
// decode_dataset.sh builds one from a standard dataset). Items are samples.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "block/chunk_segments.h"
#include "chunkenc/chunk.h"
#include "chunkenc/xor.h"
#include "encoding/encoding.h"

namespace {

using tsdb::chunkenc::XORChunk;
using tsdb::chunkenc::XORIterator;

constexpr int kChunks = 1000;
constexpr int kSamplesPerChunk = 120;

enum Shape { kGauge, kCounter, kConstant };

struct Series {
  std::vector<int64_t> t;
  std::vector<double> v;
};

std::vector<Series> MakeSeries(Shape shape, bool jitter) {
  std::mt19937_64 rng(42 + shape * 2 + jitter);
  std::vector<Series> out(kChunks);
  for (auto& s : out) {
    int64_t t = 1700000000000 + static_cast<int64_t>(rng() % 15000);
    double v = shape == kGauge ? static_cast<double>(rng() % 100000) / 100 : static_cast<double>(rng() % 1000000);
    for (int i = 0; i < kSamplesPerChunk; ++i) {
      s.t.push_back(t + (jitter ? static_cast<int64_t>(rng() % 5) : 0));
      s.v.push_back(v);
      t += 15000;
      if (shape == kGauge) {
        v = std::round((v + (static_cast<double>(rng() % 2001) - 1000) / 100) * 100) / 100;  // 2 decimals
      } else if (shape == kCounter) {
        v += static_cast<double>(rng() % 500);
      }
    }
  }
  return out;
}

std::vector<std::vector<uint8_t>> Encode(const std::vector<Series>& series) {
  std::vector<std::vector<uint8_t>> chunks;
  for (const auto& s : series) {
    XORChunk c;
    for (size_t i = 0; i < s.t.size(); ++i) c.Append(s.t[i], s.v[i]);
    chunks.push_back(std::move(c).Release());
  }
  return chunks;
}

// What the batch benchmarks do with each decoded sample: add its timestamp
// and value bits to two sums, in a loop the compiler vectorizes (the
// library itself is built at the project's -O2), so that the figure is the
// decoder's, not a scalar consumer's.
[[gnu::optimize("O3"), gnu::noinline]] void Consume(const int64_t* ts, const uint64_t* vs, size_t n, int64_t* tsum,
                                                    uint64_t* vsum) {
  int64_t t = 0;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    t += ts[i];
    v += vs[i];
  }
  *tsum += t;
  *vsum += v;
}

// What the decode benchmarks report: samples and chunk bytes per second.
void ReportDecoded(benchmark::State& state, size_t bytes, size_t samples) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["bytes/sample"] = static_cast<double>(bytes) / static_cast<double>(samples);
}
void ReportDecoded(benchmark::State& state, size_t bytes) { ReportDecoded(state, bytes, kChunks * kSamplesPerChunk); }

// The batch benchmarks' loop: each chunk decoded with one NextBatch() call
// into arrays, then every timestamp and value used from the arrays.
void DecodeChunksInBatches(benchmark::State& state, const std::vector<std::vector<uint8_t>>& chunks) {
  std::vector<int64_t> ts(XORChunk::kMaxSamples);
  std::vector<uint64_t> vs(XORChunk::kMaxSamples);
  for (auto _ : state) {
    int64_t tsum = 0;
    uint64_t vsum = 0;
    for (const auto& c : chunks) {
      XORIterator it(c);
      Consume(ts.data(), vs.data(), it.NextBatch(ts.data(), vs.data(), ts.size()), &tsum, &vsum);
    }
    int64_t t_out = tsum;
    uint64_t v_out = vsum;
    benchmark::DoNotOptimize(t_out);
    benchmark::DoNotOptimize(v_out);
  }
}

// The series shapes the synthetic decode benchmarks run on.
void DecodeShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"shape", "jitter"})
      ->Args({kGauge, 0})
      ->Args({kGauge, 1})
      ->Args({kCounter, 0})
      ->Args({kCounter, 1})
      ->Args({kConstant, 0});
}

void BM_ChunkXORDecode(benchmark::State& state) {
  const auto chunks = Encode(MakeSeries(static_cast<Shape>(state.range(0)), state.range(1) != 0));
  size_t bytes = 0;
  for (const auto& c : chunks) bytes += c.size();
  for (auto _ : state) {
    // Every timestamp and value is used. Integer sums in locals whose
    // address is never taken: they stay in registers across the calls into
    // the decoder (a double would be spilled: no x86-64 XMM register
    // survives a call), so the loop measures the decoder, not a
    // store-to-load chain of the consumer.
    int64_t tsum = 0;
    uint64_t vsum = 0;
    for (const auto& c : chunks) {
      XORIterator it(c);
      while (it.Next()) {
        tsum += it.t();
        vsum += it.v_bits();
      }
    }
    int64_t t_out = tsum;
    uint64_t v_out = vsum;
    benchmark::DoNotOptimize(t_out);
    benchmark::DoNotOptimize(v_out);
  }
  ReportDecoded(state, bytes);
}
BENCHMARK(BM_ChunkXORDecode)
    ->Apply(DecodeShapes);

// The same chunks read with XORIterator::NextBatch: each chunk decoded into
// arrays in one call, then every timestamp and value used from the arrays.
void BM_ChunkXORDecodeBatch(benchmark::State& state) {
  const auto chunks = Encode(MakeSeries(static_cast<Shape>(state.range(0)), state.range(1) != 0));
  size_t bytes = 0;
  for (const auto& c : chunks) bytes += c.size();
  DecodeChunksInBatches(state, chunks);
  ReportDecoded(state, bytes);
}
BENCHMARK(BM_ChunkXORDecodeBatch)
    ->Apply(DecodeShapes);

// Every XOR chunk of every block in $TSDB_BENCH_DATA_DIR, copied into
// memory once (so the figure is decoding, not page faults), then decoded
// chunk by chunk with NextBatch() and every sample used.
std::vector<std::vector<uint8_t>> LoadDataDirChunks(const std::string& dir, std::string* error) {
  std::vector<std::vector<uint8_t>> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string chunks = e.path().string() + "/chunks";
    if (!std::filesystem::is_directory(chunks)) continue;
    auto reader = tsdb::block::ChunkReader::Open(chunks);
    if (!reader.ok()) {
      *error = reader.status().message();
      return {};
    }
    for (size_t i = 0; i < (*reader)->num_segments(); ++i) {
      const auto bytes = (*reader)->segment(i).bytes();
      size_t off = tsdb::block::kChunkSegmentHeaderSize;
      while (off < bytes.size()) {
        uint64_t len = 0;
        const size_t n = tsdb::encoding::GetUvarint(bytes.data() + off, bytes.size() - off, &len);
        if (n == 0 || n == SIZE_MAX || len > bytes.size() - off - n - 1 - 4) break;  // end or padding
        const uint8_t enc = bytes[off + n];
        if (enc == tsdb::chunkenc::EncXOR) {
          out.emplace_back(bytes.begin() + static_cast<ptrdiff_t>(off + n + 1),
                           bytes.begin() + static_cast<ptrdiff_t>(off + n + 1 + len));
        }
        off += n + 1 + len + 4;
      }
    }
  }
  if (ec) *error = dir + ": " + ec.message();
  return out;
}

void BM_ChunkXORDecodeDataDir(benchmark::State& state) {
  const char* dir = std::getenv("TSDB_BENCH_DATA_DIR");
  if (dir == nullptr) {
    state.SkipWithError("set TSDB_BENCH_DATA_DIR to a data directory (tests/bench/decode_dataset.sh)");
    return;
  }
  std::string error;
  const auto chunks = LoadDataDirChunks(dir, &error);
  if (!error.empty() || chunks.empty()) {
    state.SkipWithError((error.empty() ? std::string("no XOR chunks in ") + dir : error).c_str());
    return;
  }
  size_t bytes = 0, samples = 0;
  for (const auto& c : chunks) {
    bytes += c.size();
    samples += XORIterator(c).num_samples();
  }
  DecodeChunksInBatches(state, chunks);
  ReportDecoded(state, bytes, samples);
  state.counters["chunks"] = static_cast<double>(chunks.size());
}
BENCHMARK(BM_ChunkXORDecodeDataDir)->Unit(benchmark::kMillisecond);

void BM_ChunkXORSeek(benchmark::State& state) {
  const auto series = MakeSeries(kGauge, false);
  const auto chunks = Encode(series);
  for (auto _ : state) {
    int64_t sum = 0;
    for (size_t i = 0; i < chunks.size(); ++i) {
      XORIterator it(chunks[i]);
      if (it.Seek(series[i].t[90])) sum += it.t();
    }
    int64_t out = sum;
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kChunks * 91);
}
BENCHMARK(BM_ChunkXORSeek);

void BM_ChunkXOREncode(benchmark::State& state) {
  const auto series = MakeSeries(static_cast<Shape>(state.range(0)), state.range(1) != 0);
  size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& s : series) {
      XORChunk c;
      for (size_t i = 0; i < s.t.size(); ++i) c.Append(s.t[i], s.v[i]);
      bytes += c.size_bytes();
      benchmark::DoNotOptimize(c.bytes().data());
    }
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kChunks * kSamplesPerChunk);
}
BENCHMARK(BM_ChunkXOREncode)->ArgNames({"shape", "jitter"})->Args({kGauge, 0})->Args({kCounter, 1});

}  // namespace
