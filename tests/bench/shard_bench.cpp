// Shard assignment: the cost of Prometheus's hashmod per target.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "relabel/relabel.h"
#include "shard/hashmod_shard.h"

namespace {

void BM_ShardOfTarget(benchmark::State& state) {
  std::vector<std::string> targets;
  for (int i = 0; i < 100000; ++i) targets.push_back("10." + std::to_string(i / 65536) + "." +
                                                      std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + ":9100");
  tsdb::shard::TargetGroup group;
  std::vector<std::string> source = {"__address__"};
  std::string scratch;
  uint64_t sum = 0;
  for (auto _ : state) {
    for (const auto& t : targets) sum += tsdb::shard::ShardOfTarget(group, t, source, ";", 16, &scratch);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * targets.size()));
}
BENCHMARK(BM_ShardOfTarget)->Unit(benchmark::kMillisecond);

}  // namespace
