#include "shard/hashmod_shard.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "cli/log.h"
#include "cli/records.h"
#include "model/names.h"
#include "model/quoting.h"
#include "relabel/relabel.h"
#include "fs/files.h"

namespace tsdb::shard {
namespace {

std::vector<std::string> EffectiveSourceLabels(const HashmodShardOptions& o) {
  if (!o.source_labels.empty()) return o.source_labels;
  return {"__address__"};
}

Status CheckOptions(const HashmodShardOptions& o) {
  if (o.modulus == 0) return Status::Usage("--modulus must be at least 1");
  if (o.shard && *o.shard >= o.modulus) {
    return Status::Usage("--shard " + std::to_string(*o.shard) + " is out of range for --modulus " +
                         std::to_string(o.modulus) + " (shards are 0.." + std::to_string(o.modulus - 1) + ")");
  }
  if (o.compare_modulus && *o.compare_modulus == 0) return Status::Usage("--compare-modulus must be at least 1");
  for (const auto& l : o.source_labels) {
    if (!IsValidLabelName(l)) return Status::Usage("--source-labels: invalid label name " + GoQuote(l));
  }
  if (o.relabel_config && !o.shard) return Status::Usage("--relabel-config needs --shard K");
  if (!o.target_label.empty() && !IsValidLabelName(o.target_label)) {
    return Status::Usage("--target-label: invalid label name " + GoQuote(o.target_label));
  }
  int modes = (o.relabel_config ? 1 : 0) + (o.compare_modulus ? 1 : 0) + (!o.split_dir.empty() ? 1 : 0) +
              (o.series ? 1 : 0);
  if (modes > 1) {
    return Status::Usage("choose one of --relabel-config, --compare-modulus, --split and --series");
  }
  if (!o.split_dir.empty() && o.shard) return Status::Usage("--split writes every shard; leave out --shard");
  if (o.compare_modulus && o.shard) return Status::Usage("--compare-modulus covers every shard; leave out --shard");
  if (!o.split_out.empty() && !o.series) return Status::Usage("--split-out needs --series (use --split DIR for targets)");
  if (o.series && !o.config_file.empty()) return Status::Usage("--series reads exposition text, not --config");
  if (!o.config_file.empty() && !o.inputs.empty()) {
    return Status::Usage("give targets either with --config or as files, not both");
  }
  if (!o.job.empty() && o.config_file.empty()) return Status::Usage("--job needs --config");
  if (o.series && o.input_format != "auto" && o.input_format != "prom" && o.input_format != "openmetrics") {
    return Status::Usage("--input-format for --series must be auto, prom or openmetrics");
  }
  if (!o.series && o.input_format != "auto" && o.input_format != "list" && o.input_format != "json" &&
      o.input_format != "yaml") {
    return Status::Usage("--input-format for targets must be auto, list, json or yaml");
  }
  return Status::OK();
}

struct Input {
  std::vector<TargetGroup> groups;
  TargetFormat format = TargetFormat::kList;  // of the first input; decides --shard output
  bool from_config = false;
};

Result<Input> ReadInput(const HashmodShardOptions& o) {
  Input in;
  if (!o.config_file.empty()) {
    if (o.job.empty()) return Status::Usage("--config needs --job NAME");
    TSDB_ASSIGN_OR_RETURN(in.groups, LoadJobTargets(o.config_file, o.job));
    in.format = TargetFormat::kJson;
    in.from_config = true;
    return in;
  }
  std::vector<std::string> inputs = o.inputs.empty() ? std::vector<std::string>{"-"} : o.inputs;
  bool first = true;
  for (const std::string& path : inputs) {
    TSDB_ASSIGN_OR_RETURN(std::string text, fs::ReadWholeFile(path, o.max_input_bytes));
    std::string name = path == "-" ? "stdin" : path;
    TargetFormat f = o.input_format == "list"   ? TargetFormat::kList
                     : o.input_format == "json" ? TargetFormat::kJson
                     : o.input_format == "yaml" ? TargetFormat::kYaml
                                                : DetectTargetFormat(path == "-" ? "" : path, text);
    TSDB_ASSIGN_OR_RETURN(auto groups, ParseTargets(text, f, name));
    if (first) in.format = f;
    first = false;
    for (auto& g : groups) in.groups.push_back(std::move(g));
  }
  return in;
}

std::vector<TargetGroup> GroupsOfShard(const HashmodShardOptions& o, const std::vector<TargetGroup>& groups,
                                       uint64_t shard) {
  std::vector<std::string> source = EffectiveSourceLabels(o);
  std::string scratch;
  std::vector<TargetGroup> out;
  for (const TargetGroup& g : groups) {
    TargetGroup kept;
    kept.labels = g.labels;
    for (const auto& t : g.targets) {
      if (ShardOfTarget(g, t, source, o.separator, o.modulus, &scratch) == shard) kept.targets.push_back(t);
    }
    if (!kept.targets.empty()) out.push_back(std::move(kept));
  }
  return out;
}

Status WriteSplit(const HashmodShardOptions& o, const Input& in) {
  std::error_code ec;
  std::filesystem::create_directories(o.split_dir, ec);
  if (ec) return Status::IOError("creating " + o.split_dir + ": " + ec.message());
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<size_t> counts;
  for (uint64_t k = 0; k < o.modulus; ++k) {
    auto groups = GroupsOfShard(o, in.groups, k);
    size_t n = 0;
    for (const auto& g : groups) n += g.targets.size();
    counts.push_back(n);
    files.emplace_back((std::filesystem::path(o.split_dir) / ("shard-" + std::to_string(k) + ".json")).string(),
                       FileSDJson(groups));
  }
  TSDB_RETURN_IF_ERROR(fs::WriteFilesAtomically(files));
  if (!o.quiet) {
    for (uint64_t k = 0; k < o.modulus; ++k) {
      cli::Log().Info("wrote shard file", {{"file", files[k].first}, {"targets", std::to_string(counts[k])}});
    }
  }
  return Status::OK();
}

Status WriteOneShard(const HashmodShardOptions& o, const Input& in, cli::Output* out) {
  auto groups = GroupsOfShard(o, in.groups, *o.shard);
  if (in.format == TargetFormat::kList) {
    for (const auto& g : groups) {
      for (const auto& t : g.targets) {
        out->buffer()->append(t);
        out->buffer()->push_back('\n');
        out->MaybeFlush();
      }
    }
    return Status::OK();
  }
  out->Write(in.format == TargetFormat::kYaml ? FileSDYaml(groups) : FileSDJson(groups));
  return Status::OK();
}

Result<cli::RecordFormat> AssignmentFormat(const HashmodShardOptions& o) {
  return cli::ParseRecordFormat(o.format, {cli::RecordFormat::kTsv, cli::RecordFormat::kCsv, cli::RecordFormat::kJson,
                                           cli::RecordFormat::kJsonl, cli::RecordFormat::kTable});
}

bool HasGroupLabels(const Input& in) {
  for (const auto& g : in.groups) {
    if (!g.labels.empty()) return true;
  }
  return false;
}

Status ListAssignments(const HashmodShardOptions& o, const Input& in, cli::Output* out) {
  TSDB_ASSIGN_OR_RETURN(cli::RecordFormat format, AssignmentFormat(o));
  std::vector<std::string> source = EffectiveSourceLabels(o);
  std::string scratch;
  bool with_labels = HasGroupLabels(in);
  if (format == cli::RecordFormat::kTsv && !with_labels) {
    // The common case (a million-line target list into a pipe) without building records.
    std::string* b = out->buffer();
    char num[24];
    for (const auto& g : in.groups) {
      for (const auto& t : g.targets) {
        uint64_t k = ShardOfTarget(g, t, source, o.separator, o.modulus, &scratch);
        b->append(t);
        b->push_back('\t');
        auto [end, ec] = std::to_chars(num, num + sizeof num, k);
        b->append(num, static_cast<size_t>(end - num));
        b->push_back('\n');
        out->MaybeFlush();
        if (!out->ok()) return Status::OK();
      }
    }
    return Status::OK();
  }
  std::vector<std::string> columns = {"target", "shard"};
  if (with_labels) columns.push_back("labels");
  cli::RecordWriter w(format, columns, out);
  for (const auto& g : in.groups) {
    nlohmann::json labels_field;
    if (with_labels) {
      if (format == cli::RecordFormat::kJson || format == cli::RecordFormat::kJsonl) {
        labels_field = nlohmann::json::object();
        for (const Label& l : g.labels) labels_field[l.name] = l.value;
      } else {
        labels_field = g.labels.ToString();
      }
    }
    for (const auto& t : g.targets) {
      uint64_t k = ShardOfTarget(g, t, source, o.separator, o.modulus, &scratch);
      if (with_labels) {
        w.Add({t, k, labels_field});
      } else {
        w.Add({t, k});
      }
      if (!out->ok()) return Status::OK();
    }
  }
  w.Finish();
  return Status::OK();
}

Status CompareModulus(const HashmodShardOptions& o, const Input& in, cli::Output* out) {
  TSDB_ASSIGN_OR_RETURN(cli::RecordFormat format, AssignmentFormat(o));
  std::vector<std::string> source = EffectiveSourceLabels(o);
  std::string scratch;
  uint64_t total = 0, moved = 0;
  cli::RecordWriter w(format, {"target", "from", "to"}, out);
  for (const auto& g : in.groups) {
    for (const auto& t : g.targets) {
      uint64_t from = ShardOfTarget(g, t, source, o.separator, *o.compare_modulus, &scratch);
      uint64_t to = ShardOfTarget(g, t, source, o.separator, o.modulus, &scratch);
      ++total;
      if (from != to) {
        ++moved;
        w.Add({t, from, to});
      }
    }
  }
  w.Finish();
  if (!o.quiet) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.1f", total ? 100.0 * static_cast<double>(moved) / static_cast<double>(total) : 0.0);
    cli::Log().Info("resharding plan", {{"from_modulus", std::to_string(*o.compare_modulus)},
                                        {"to_modulus", std::to_string(o.modulus)},
                                        {"targets", std::to_string(total)},
                                        {"moved", std::to_string(moved)},
                                        {"moved_percent", pct}});
  }
  return Status::OK();
}

}  // namespace

uint64_t ShardOfTarget(const TargetGroup& group, std::string_view target, const std::vector<std::string>& source_labels,
                       const std::string& separator, uint64_t modulus, std::string* scratch) {
  scratch->clear();
  for (size_t i = 0; i < source_labels.size(); ++i) {
    if (i) scratch->append(separator);
    scratch->append(group.Get(source_labels[i], target));
  }
  return relabel::HashMod(*scratch, modulus);
}

std::string RelabelSnippet(const HashmodShardOptions& o) {
  relabel::Config hash;
  hash.action = relabel::Action::kHashMod;
  hash.source_labels = EffectiveSourceLabels(o);
  hash.separator = o.separator;
  hash.modulus = o.modulus;
  hash.target_label = o.target_label;
  relabel::Config keep;
  keep.action = relabel::Action::kKeep;
  keep.source_labels = {o.target_label};
  keep.regex = "^" + std::to_string(*o.shard) + "$";
  return relabel::ToYAML({hash, keep});
}

Status RunHashmodShard(const HashmodShardOptions& o, cli::Output* out) {
  TSDB_RETURN_IF_ERROR(CheckOptions(o));
  if (o.relabel_config) {
    out->Write(RelabelSnippet(o));
    return Status::OK();
  }
  if (o.series) return ShardSeries(o, out);
  TSDB_ASSIGN_OR_RETURN(Input in, ReadInput(o));
  if (!o.split_dir.empty()) return WriteSplit(o, in);
  if (o.compare_modulus) return CompareModulus(o, in, out);
  if (o.shard) return WriteOneShard(o, in, out);
  return ListAssignments(o, in, out);
}

}  // namespace tsdb::shard
