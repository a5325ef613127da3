// tsdb-hashmod-shard: assign targets (or series) to shards exactly as
// Prometheus's hashmod relabel action does.
#include <algorithm>

#include "cli/app.h"
#include "shard/hashmod_shard.h"

int main(int argc, char** argv) {
  tsdb::cli::App app("tsdb-hashmod-shard",
                     "Assign scrape targets or series to shards as Prometheus's hashmod relabel action does.\n"
                     "Reads target lists, file_sd JSON/YAML, or exposition text (--series) from FILEs or stdin.");
  tsdb::shard::HashmodShardOptions opt;
  uint64_t shard = 0;
  uint64_t compare = 0;
  app->add_option("files", opt.inputs, "Input files; none or - reads stdin")->type_name("FILE");
  app->add_option("-m,--modulus", opt.modulus, "Number of shards (hashmod modulus)")->required();
  std::string source_labels;
  app->add_option("--source-labels", source_labels,
                  "Labels whose values are hashed, comma-separated (default: __address__; with --series: every label)")
      ->type_name("LABEL,...");
  app->add_option("--separator", opt.separator, "Separator placed between source label values")->capture_default_str();
  auto* shard_opt = app->add_option("-k,--shard", shard, "Only shard K: its targets in the input's format, or its series");
  app->add_option("--split", opt.split_dir, "Write one file_sd JSON file per shard into DIR (shard-K.json), atomically")
      ->type_name("DIR");
  app->add_flag("--relabel-config", opt.relabel_config,
                "Print the relabel_configs (hashmod + keep) that make a Prometheus worker scrape shard K");
  app->add_option("--target-label", opt.target_label, "Label that holds the hash in --relabel-config output")
      ->capture_default_str();
  auto* compare_opt = app->add_option("--compare-modulus", compare,
                                      "List the targets that move when going from M shards to --modulus shards")
                          ->type_name("M");
  app->add_flag("--series", opt.series, "Shard exposition text series instead of targets");
  app->add_option("--split-out", opt.split_out, "With --series: write shard K to PATTERN with %d replaced by K")
      ->type_name("PATTERN");
  app->add_option("--config", opt.config_file, "Read targets from a Prometheus configuration file (needs --job)")
      ->type_name("FILE");
  app->add_option("--job", opt.job, "The scrape job of --config whose targets are read")->type_name("NAME");
  app->add_option("--input-format", opt.input_format,
                  "Input format: auto, list, json, yaml (targets); auto, prom, openmetrics (--series)")
      ->capture_default_str();
  app->add_option("-o,--format", opt.format, "Output format of assignments: tsv, csv, json, jsonl, table")
      ->capture_default_str();
  app->add_option("--max-input-bytes", opt.max_input_bytes, "Refuse target inputs larger than this many bytes")
      ->capture_default_str();
  return app.Run(argc, argv, [&] {
    if (*shard_opt) opt.shard = shard;
    for (size_t start = 0; !source_labels.empty() && start <= source_labels.size();) {
      size_t comma = std::min(source_labels.find(',', start), source_labels.size());
      opt.source_labels.push_back(source_labels.substr(start, comma - start));
      start = comma + 1;
    }
    if (*compare_opt) opt.compare_modulus = compare;
    opt.quiet = app.quiet();
    return tsdb::shard::RunHashmodShard(opt, &app.out());
  });
}
