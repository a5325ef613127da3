// The work of tsdb-hashmod-shard: which shard of a horizontally split
// Prometheus fleet scrapes each target (or holds each series), computed as
// Prometheus's hashmod relabel action computes it.
//
// Targets come from plain lists, file_sd files, or one job of a
// prometheus.yml; series come from exposition text. RunHashmodShard checks
// the options (misuse is a Usage status: exit 2), reads all target input
// before writing anything, and writes --split files atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/output.h"
#include "model/status.h"
#include "shard/targets.h"

namespace tsdb::shard {

struct HashmodShardOptions {
  uint64_t modulus = 0;
  std::vector<std::string> source_labels;  // empty: __address__ (targets), every label (series)
  std::string separator = ";";
  std::optional<uint64_t> shard;
  std::string split_dir;
  bool relabel_config = false;
  std::string target_label = "__tmp_hashmod";
  std::optional<uint64_t> compare_modulus;
  bool series = false;
  std::string split_out;
  std::string config_file;
  std::string job;
  std::string input_format = "auto";
  std::string format = "tsv";
  size_t max_input_bytes = size_t{1} << 30;
  std::vector<std::string> inputs;  // files; empty or "-" is stdin
  bool quiet = false;
};

Status RunHashmodShard(const HashmodShardOptions& options, cli::Output* out);

// The shard of one target: hashmod of its source label values joined by the
// separator. `scratch` is reused between calls to avoid allocating.
uint64_t ShardOfTarget(const TargetGroup& group, std::string_view target, const std::vector<std::string>& source_labels,
                       const std::string& separator, uint64_t modulus, std::string* scratch);

// The relabel_configs that make one Prometheus worker keep exactly shard K.
std::string RelabelSnippet(const HashmodShardOptions& options);

// --series: shards exposition text. Declared here, defined in series_shard.cpp.
Status ShardSeries(const HashmodShardOptions& options, cli::Output* out);

}  // namespace tsdb::shard
