// Exposition parsing and writing throughput, in bytes per second of input.
// The input resembles ../shared/bench/gen_openmetrics.py output: families of
// series with job/instance/namespace/pod/code labels and ms timestamps.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "textparse/parser.h"
#include "textparse/writer.h"

namespace {

using tsdb::textparse::Entry;
using tsdb::textparse::EntryKind;
using tsdb::textparse::Format;

const std::string& Input(Format format) {
  static std::string prom, om;
  std::string& s = format == Format::kPrometheus ? prom : om;
  if (!s.empty()) return s;
  std::mt19937_64 rng(1);
  const int64_t start_ms = 1795111200000;
  for (int metric = 0; metric < 20; ++metric) {
    std::string name = "http_requests_" + std::to_string(metric);
    std::string sample_name = name + "_total";
    std::string family = format == Format::kPrometheus ? sample_name : name;
    s += "# HELP " + family + " Total HTTP requests.\n# TYPE " + family + " counter\n";
    for (int series = 0; series < 100; ++series) {
      std::string labels = "{code=\"" + std::to_string(200 + series % 5) + "\",instance=\"host-" +
                           std::to_string(series) + ":9100\",job=\"node\",namespace=\"ns-" +
                           std::to_string(series % 7) + "\",pod=\"pod-" + std::to_string(series * 31 % 997) + "\"}";
      double v = 0;
      for (int i = 0; i < 100; ++i) {
        v += static_cast<double>(rng() % 1000) / 10.0;
        int64_t ts = start_ms + i * 15000;
        s += sample_name + labels + " " + tsdb::textparse::FormatValue(v) + " ";
        if (format == Format::kPrometheus) {
          s += std::to_string(ts);
        } else {
          tsdb::textparse::AppendOpenMetricsTimestamp(ts, &s);
        }
        s += '\n';
      }
    }
  }
  if (format == Format::kOpenMetrics) s += "# EOF\n";
  return s;
}

void Parse(benchmark::State& state, Format format) {
  const std::string& in = Input(format);
  uint64_t samples = 0;
  for (auto _ : state) {
    tsdb::textparse::LineReader reader(std::string_view(in), "bench");
    tsdb::textparse::Parser parser(&reader, format);
    Entry e;
    while (parser.Next(&e)) {
      if (e.kind == EntryKind::kSample) ++samples;
    }
    if (!parser.status().ok()) state.SkipWithError(parser.status().message().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}

void BM_ParsePrometheusText(benchmark::State& state) { Parse(state, Format::kPrometheus); }
void BM_ParseOpenMetrics(benchmark::State& state) { Parse(state, Format::kOpenMetrics); }

void BM_TranscodePrometheusText(benchmark::State& state) {
  const std::string& in = Input(Format::kPrometheus);
  std::string out;
  for (auto _ : state) {
    out.clear();
    tsdb::textparse::LineReader reader(std::string_view(in), "bench");
    tsdb::textparse::Parser parser(&reader, Format::kPrometheus);
    tsdb::textparse::Transcoder t(Format::kPrometheus, &out);
    Entry e;
    while (parser.Next(&e)) t.Add(e);
    t.Finish();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void BM_FormatValue(benchmark::State& state) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> dist(-1e6, 1e6);
  std::vector<double> values(4096);
  for (double& v : values) v = dist(rng);
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (double v : values) tsdb::textparse::AppendValue(v, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values.size()));
}

BENCHMARK(BM_ParsePrometheusText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseOpenMetrics)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TranscodePrometheusText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FormatValue);

}  // namespace
