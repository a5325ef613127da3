// --series: splits exposition text by the hashmod of each series' labels.
//
// Lines are passed through byte for byte, so each shard's output is valid
// text of the input's format: a family's HELP/TYPE/UNIT lines are repeated in
// every shard that receives one of its samples, and OpenMetrics outputs end
// in "# EOF". Input streams; memory holds one line and one family's metadata.
#include <algorithm>
#include <charconv>
#include <memory>

#include "cli/log.h"
#include "cli/progress.h"
#include "model/names.h"
#include "relabel/relabel.h"
#include "fs/files.h"
#include "shard/hashmod_shard.h"
#include "textparse/parser.h"

namespace tsdb::shard {
namespace {

using textparse::Entry;
using textparse::EntryKind;
using textparse::Format;

// One destination of sharded text: stdout or a file committed at the end.
struct Sink {
  std::unique_ptr<fs::AtomicFile> file;
  std::unique_ptr<cli::Output> own;
  cli::Output* out = nullptr;
  bool has_family_meta = false;  // current family's metadata already written here
  uint64_t samples = 0;
};

// Appends the value of source label `name` of a parsed sample.
void AppendLabel(const Entry& e, std::string_view name, std::string* out) {
  if (name == kMetricNameLabel) {
    out->append(e.metric_name);
    return;
  }
  for (const auto& l : e.labels) {
    if (l.name == name) {
      out->append(l.value);
      return;
    }
  }
}

class SeriesSharder {
 public:
  explicit SeriesSharder(const HashmodShardOptions& o) : o_(o), progress_(!o.quiet, "samples sharded") {}

  Status Run(cli::Output* stdout_out) {
    TSDB_RETURN_IF_ERROR(OpenSinks(stdout_out));
    std::vector<std::string> inputs = o_.inputs.empty() ? std::vector<std::string>{"-"} : o_.inputs;
    for (const std::string& path : inputs) TSDB_RETURN_IF_ERROR(ShardFile(path));
    return Close();
  }

 private:
  Status OpenSinks(cli::Output* stdout_out) {
    if (o_.split_out.empty()) {
      sinks_.resize(1);
      sinks_[0].out = stdout_out;
      return Status::OK();
    }
    size_t at = o_.split_out.find("%d");
    if (at == std::string::npos || o_.split_out.find("%d", at + 2) != std::string::npos) {
      return Status::Usage("--split-out needs exactly one %d for the shard number, e.g. 'shard-%d.prom'");
    }
    sinks_.resize(o_.modulus);
    for (uint64_t k = 0; k < o_.modulus; ++k) {
      std::string path = o_.split_out.substr(0, at) + std::to_string(k) + o_.split_out.substr(at + 2);
      TSDB_ASSIGN_OR_RETURN(sinks_[k].file, fs::AtomicFile::Create(path));
      sinks_[k].own = std::make_unique<cli::Output>(sinks_[k].file->fd(), path);
      sinks_[k].out = sinks_[k].own.get();
    }
    return Status::OK();
  }

  // The sink for shard k, or null when this run does not keep shard k.
  Sink* SinkFor(uint64_t k) {
    if (!o_.split_out.empty()) return &sinks_[k];
    if (o_.shard) return k == *o_.shard ? &sinks_[0] : nullptr;
    return nullptr;
  }

  Status ShardFile(const std::string& path) {
    TSDB_ASSIGN_OR_RETURN(auto reader, textparse::LineReader::Open(path));
    Format f = o_.input_format == "prom"          ? Format::kPrometheus
               : o_.input_format == "openmetrics" ? Format::kOpenMetrics
                                                  : textparse::DetectFormat(path == "-" ? "" : path, reader->Peek(1 << 16));
    if (format_ && *format_ != f) {
      return Status::Usage(path + ": mixes Prometheus text and OpenMetrics inputs; shard them in separate runs");
    }
    format_ = f;
    textparse::Parser parser(reader.get(), f);
    Entry e;
    std::string joined;
    std::vector<const textparse::LabelView*> sorted;
    while (parser.Next(&e)) {
      switch (e.kind) {
        case EntryKind::kHelp:
        case EntryKind::kType:
        case EntryKind::kUnit:
          if (e.family != meta_family_) StartFamily(e.family);
          meta_lines_.append(e.raw_line);
          meta_lines_.push_back('\n');
          break;
        case EntryKind::kSample: {
          if (e.family != meta_family_) StartFamily(e.family);
          joined.clear();
          if (!o_.source_labels.empty()) {
            for (size_t i = 0; i < o_.source_labels.size(); ++i) {
              if (i) joined.append(o_.separator);
              AppendLabel(e, o_.source_labels[i], &joined);
            }
          } else {
            // Every label of the series in name order, __name__ included.
            textparse::LabelView name_label{kMetricNameLabel, e.metric_name};
            sorted.clear();
            sorted.push_back(&name_label);
            for (const auto& l : e.labels) sorted.push_back(&l);
            auto by_name = [](auto* a, auto* b) { return a->name < b->name; };
            if (!std::is_sorted(sorted.begin(), sorted.end(), by_name)) std::sort(sorted.begin(), sorted.end(), by_name);
            for (size_t i = 0; i < sorted.size(); ++i) {
              if (i) joined.append(o_.separator);
              joined.append(sorted[i]->value);
            }
          }
          // Timestamped text holds a series' samples one after another: hash once per run.
          if (joined != last_joined_) {
            last_joined_ = joined;
            last_shard_ = relabel::HashMod(joined, o_.modulus);
          }
          uint64_t k = last_shard_;
          if ((++total_ & 0xfff) == 0) progress_.Update(total_);
          if (o_.split_out.empty() && !o_.shard) {
            ListSample(e, k);
          } else if (Sink* s = SinkFor(k)) {
            WriteSample(s, e);
          }
          if (!sinks_[0].out->ok() && o_.split_out.empty()) return Status::OK();
          break;
        }
        case EntryKind::kComment:
        case EntryKind::kEOF:
          break;
      }
    }
    return parser.status();
  }

  void StartFamily(std::string_view family) {
    meta_family_.assign(family);
    meta_lines_.clear();
    for (Sink& s : sinks_) s.has_family_meta = false;
  }

  void WriteSample(Sink* s, const Entry& e) {
    std::string* b = s->out->buffer();
    if (!s->has_family_meta) {
      b->append(meta_lines_);
      s->has_family_meta = true;
    }
    b->append(e.raw_line);
    b->push_back('\n');
    ++s->samples;
    s->out->MaybeFlush();
  }

  // Default output: the series and its shard, tab-separated.
  void ListSample(const Entry& e, uint64_t k) {
    std::string* b = sinks_[0].out->buffer();
    b->append(e.metric_name);
    b->push_back('{');
    for (size_t i = 0; i < e.labels.size(); ++i) {
      if (i) b->push_back(',');
      b->append(e.labels[i].name);
      b->append("=\"");
      for (char c : e.labels[i].value) {
        if (c == '\\' || c == '"') b->push_back('\\');
        if (c == '\n') {
          b->append("\\n");
          continue;
        }
        b->push_back(c);
      }
      b->push_back('"');
    }
    b->append("}\t");
    char num[24];
    auto [end, ec] = std::to_chars(num, num + sizeof num, k);
    b->append(num, static_cast<size_t>(end - num));
    b->push_back('\n');
    sinks_[0].out->MaybeFlush();
  }

  Status Close() {
    progress_.Done();
    bool om = format_ && *format_ == Format::kOpenMetrics;
    if (!o_.split_out.empty() || o_.shard) {
      for (Sink& s : sinks_) {
        if (om) s.out->Write("# EOF\n");
        TSDB_RETURN_IF_ERROR(s.out->Flush());
      }
    }
    for (Sink& s : sinks_) {
      if (s.file) TSDB_RETURN_IF_ERROR(s.file->Commit());
    }
    if (!o_.quiet && !o_.split_out.empty()) {
      for (uint64_t k = 0; k < sinks_.size(); ++k) {
        cli::Log().Info("wrote shard file", {{"file", sinks_[k].file->path()},
                                             {"samples", std::to_string(sinks_[k].samples)}});
      }
    }
    return Status::OK();
  }

  const HashmodShardOptions& o_;
  std::vector<Sink> sinks_;
  std::optional<Format> format_;
  std::string meta_family_;
  std::string meta_lines_;
  uint64_t total_ = 0;
  std::string last_joined_;  // source label values of the previous sample
  uint64_t last_shard_ = 0;
  cli::Progress progress_;
};

}  // namespace

Status ShardSeries(const HashmodShardOptions& options, cli::Output* out) {
  return SeriesSharder(options).Run(out);
}

}  // namespace tsdb::shard
