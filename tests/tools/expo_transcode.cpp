// expo_transcode: a test-only helper (not a shipped command) for the interop
// tests in tests/interop/. It parses exposition text with
// tsdb::textparse::Parser and either
//   - re-emits every entry with tsdb::textparse::Transcoder (default), or
//   - with --samples, prints one canonical line per sample,
//       name{a="x",b="y"} VALUE_BITS_HEX TIMESTAMP_MS_OR_-
//     labels sorted by name and escaped as in Prometheus text (\\ \" \n),
//     the value as the 16 hex digits of its IEEE 754 bits (so -0.0 and NaN
//     payloads compare exactly), so that two sample sets can be diffed.
//     --exemplars appends " # {labels} BITS TS" for samples with an exemplar.
//
// Usage: expo_transcode [--from auto|prom|openmetrics] (--to prom|openmetrics | --samples [--exemplars]) [FILE|-]
// Exit status: 0 done, 1 the input did not parse (the parser's error on
// stderr) or could not be read/written, 2 usage error.
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "textparse/line_reader.h"
#include "textparse/parser.h"
#include "textparse/writer.h"

namespace {

using tsdb::textparse::Entry;
using tsdb::textparse::EntryKind;
using tsdb::textparse::Format;
using tsdb::textparse::LabelView;

constexpr size_t kFlushBytes = 1 << 16;

int Usage(const char* msg) {
  std::fprintf(stderr,
               "expo_transcode: %s\n"
               "usage: expo_transcode [--from auto|prom|openmetrics] (--to prom|openmetrics | --samples "
               "[--exemplars]) [FILE|-]\n",
               msg);
  return 2;
}

bool WriteAll(std::string* buf) {
  size_t off = 0;
  while (off < buf->size()) {
    ssize_t n = ::write(1, buf->data() + off, buf->size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "expo_transcode: writing stdout: %s\n", std::strerror(errno));
      return false;
    }
    off += static_cast<size_t>(n);
  }
  buf->clear();
  return true;
}

void AppendEscaped(std::string_view v, std::string* out) {
  for (char c : v) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '"': out->append("\\\""); break;
      case '\n': out->append("\\n"); break;
      default: out->push_back(c);
    }
  }
}

void AppendLabels(std::vector<LabelView> labels, std::string* out) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
  out->push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out->push_back(',');
    out->append(labels[i].name);
    out->append("=\"");
    AppendEscaped(labels[i].value, out);
    out->push_back('"');
  }
  out->push_back('}');
}

void AppendBitsAndTimestamp(double v, const std::optional<int64_t>& ts, std::string* out) {
  char num[64];
  std::snprintf(num, sizeof num, " %016" PRIx64, std::bit_cast<uint64_t>(v));
  out->append(num);
  if (ts) {
    std::snprintf(num, sizeof num, " %" PRId64, *ts);
    out->append(num);
  } else {
    out->append(" -");
  }
}

void AppendCanonicalSample(const Entry& e, bool exemplars, std::string* out) {
  out->append(e.metric_name);
  AppendLabels(e.labels, out);
  AppendBitsAndTimestamp(e.value, e.timestamp_ms, out);
  if (exemplars && e.exemplar) {
    out->append(" # ");
    AppendLabels(e.exemplar->labels, out);
    AppendBitsAndTimestamp(e.exemplar->value, e.exemplar->timestamp_ms, out);
  }
  out->push_back('\n');
}

bool ParseFormatName(std::string_view s, Format* f) {
  if (s == "prom" || s == "prometheus") {
    *f = Format::kPrometheus;
  } else if (s == "openmetrics" || s == "om") {
    *f = Format::kOpenMetrics;
  } else {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string from = "auto";
  std::string to;
  bool samples = false, exemplars = false;
  std::string path;
  bool have_path = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if ((a == "--from" || a == "--to") && i + 1 < argc) {
      (a == "--from" ? from : to) = argv[++i];
    } else if (a.starts_with("--from=")) {
      from = a.substr(7);
    } else if (a.starts_with("--to=")) {
      to = a.substr(5);
    } else if (a == "--samples") {
      samples = true;
    } else if (a == "--exemplars") {
      exemplars = true;
    } else if (a == "-h" || a == "--help") {
      Usage("help");
      return 0;
    } else if (a == "-" || !a.starts_with("-")) {
      if (have_path) return Usage("more than one input");
      path = std::string(a);
      have_path = true;
    } else {
      return Usage(("unknown argument " + std::string(a)).c_str());
    }
  }
  if (!have_path) path = "-";
  if (samples == !to.empty()) return Usage("give exactly one of --to FORMAT and --samples");
  if (exemplars && !samples) return Usage("--exemplars needs --samples");
  Format to_format = Format::kPrometheus;
  if (!samples && !ParseFormatName(to, &to_format)) return Usage("--to must be prom or openmetrics");

  auto reader = tsdb::textparse::LineReader::Open(path);
  if (!reader.ok()) {
    std::fprintf(stderr, "expo_transcode: %s\n", reader.status().message().c_str());
    return 1;
  }
  Format from_format = Format::kPrometheus;
  if (from == "auto") {
    from_format = tsdb::textparse::DetectFormat(path == "-" ? "" : path, (*reader)->Peek(1 << 16));
  } else if (!ParseFormatName(from, &from_format)) {
    return Usage("--from must be auto, prom or openmetrics");
  }

  tsdb::textparse::Parser parser(reader->get(), from_format);
  std::string out;
  tsdb::textparse::Transcoder transcoder(to_format, &out);
  Entry e;
  while (parser.Next(&e)) {
    if (samples) {
      if (e.kind == EntryKind::kSample) AppendCanonicalSample(e, exemplars, &out);
    } else {
      transcoder.Add(e);
    }
    if (out.size() >= kFlushBytes && !WriteAll(&out)) return 1;
  }
  if (!parser.status().ok()) {
    WriteAll(&out);
    std::fprintf(stderr, "expo_transcode: %s\n", parser.status().message().c_str());
    return 1;
  }
  if (!samples) transcoder.Finish();
  return WriteAll(&out) ? 0 : 1;
}
