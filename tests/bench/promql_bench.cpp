// PromQL query latency: promql::Engine over a store::DbStore opened once, the
// data already open and in the page cache, so each iteration is the
// engine's time per query (parse, select, evaluate; no output formatting).
//
// Data directories come from the environment (the standard datasets of
// ../shared/bench/README.md, imported with `tsdb-scrape --db`):
//   TSDB_BENCH_DS1  ds1: 1,000 series x 7,200 samples at 15 s (30 h)
//   TSDB_BENCH_DS2  ds2: 100,000 series x 120 samples (30 min)
// A case whose variable is unset is skipped with an error. The queries and
// times are those of the README's reference table (end = 1795219185, the last
// sample of ds1; range queries at a 60 s step); tests/bench/compare_query.sh
// runs them beside Prometheus and VictoriaMetrics on the same data.
//
//   TSDB_BENCH_DS1=/path/ds1 build/tests/tsdb_bench --benchmark_filter=PromQL
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "promql/engine.h"
#include "store/db_store.h"

namespace {

using tsdb::promql::Engine;
using tsdb::promql::QueryResult;
using tsdb::store::DbStore;

constexpr int64_t kDs1EndMs = 1795219185000;  // ds1's last sample (30 h after --start-ms)
constexpr int64_t kDs2EndMs = 1795112985000;  // ds2's last sample (120 x 15 s after --start-ms)
constexpr int64_t kStepMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * 60 * 1000;

// One DbStore per variable, opened on first use and kept for the process, so
// that opening is not timed and later cases find it open.
const DbStore* StoreFor(const char* env, std::string* error) {
  static std::map<std::string, std::unique_ptr<DbStore>> stores;
  auto it = stores.find(env);
  if (it != stores.end()) return it->second.get();
  const char* dir = std::getenv(env);
  if (dir == nullptr || *dir == '\0') {
    *error = std::string(env) + " is not set (a data directory of the standard dataset)";
    return nullptr;
  }
  tsdb::store::DbStoreOptions o;
  o.quiet = true;
  auto db = DbStore::Open({dir}, o);
  if (!db.ok()) {
    *error = std::string(env) + "=" + dir + ": " + db.status().message();
    return nullptr;
  }
  return stores.emplace(env, std::move(db).value()).first->second.get();
}

size_t ResultSize(const QueryResult& r) { return r.vector.size() + r.matrix.size(); }

// An instant query at end_ms, or a range query over [end_ms - range_ms,
// end_ms] at a 60 s step when range_ms > 0.
void RunQuery(benchmark::State& state, const char* env, const char* query, int64_t end_ms, int64_t range_ms) {
  std::string error;
  const DbStore* store = StoreFor(env, &error);
  if (store == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const Engine engine;
  auto eval = [&] {
    return range_ms > 0 ? engine.Range(*store, query, end_ms - range_ms, end_ms, kStepMs)
                        : engine.Instant(*store, query, end_ms);
  };
  // One untimed run: the result must be non-empty (a wrong dataset or end
  // time would otherwise time an empty answer), and the pages it reads are
  // then in the page cache as on a warm server.
  size_t series = 0;
  int64_t samples = 0;
  {
    auto first = eval();
    if (!first.ok()) {
      error = first.status().message();
      state.SkipWithError(error.c_str());
      return;
    }
    series = ResultSize(*first);
    samples = first->total_samples;
  }
  if (series == 0) {
    state.SkipWithError("empty result");
    return;
  }
  for (auto _ : state) {
    auto r = eval();
    if (!r.ok() || ResultSize(*r) != series) {
      state.SkipWithError("query failed or its result changed");
      break;
    }
    benchmark::DoNotOptimize(r->matrix.data());
    benchmark::DoNotOptimize(r->vector.data());
  }
  state.counters["series"] = static_cast<double>(series);
  state.counters["samples_read"] = static_cast<double>(samples);
}

void BM_PromQL(benchmark::State& state, const char* env, const char* query, int64_t end_ms, int64_t range_ms) {
  RunQuery(state, env, query, end_ms, range_ms);
}

// Names: <dataset>_<instant|range>/<short name>; compare_query.sh filters on them.
#define PROMQL_CASE(name, env, query, end_ms, range_ms)                            \
  BENCHMARK_CAPTURE(BM_PromQL, name, env, query, end_ms, range_ms)                 \
      ->Unit(benchmark::kMillisecond)                                              \
      ->UseRealTime()

PROMQL_CASE(ds1_instant_count_http, "TSDB_BENCH_DS1", "count(http_requests_total)", kDs1EndMs, 0);
PROMQL_CASE(ds1_instant_count_all, "TSDB_BENCH_DS1", "count({__name__=~\".+\"})", kDs1EndMs, 0);
PROMQL_CASE(ds1_6h_sum_rate_http, "TSDB_BENCH_DS1", "sum by (job) (rate(http_requests_total[5m]))", kDs1EndMs,
            6 * kHourMs);
PROMQL_CASE(ds1_6h_rate_cpu, "TSDB_BENCH_DS1", "rate(node_cpu_seconds_total[5m])", kDs1EndMs, 6 * kHourMs);
PROMQL_CASE(ds1_6h_sum_by_name_job, "TSDB_BENCH_DS1", "sum by (__name__, job) ({__name__=~\".+\"})", kDs1EndMs,
            6 * kHourMs);
PROMQL_CASE(ds1_30h_avg_temp, "TSDB_BENCH_DS1", "avg_over_time(node_temperature_celsius[1h])", kDs1EndMs,
            30 * kHourMs);
PROMQL_CASE(ds1_30h_sum_rate_http, "TSDB_BENCH_DS1", "sum by (job) (rate(http_requests_total[5m]))", kDs1EndMs,
            30 * kHourMs);
PROMQL_CASE(ds2_instant_count_all, "TSDB_BENCH_DS2", "count({__name__=~\".+\"})", kDs2EndMs, 0);

}  // namespace
