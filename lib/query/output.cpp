#include "query/output.h"

#include <algorithm>

#include "cli/records.h"
#include "model/names.h"
#include "model/quoting.h"
#include "model/timeutil.h"
#include "query/api_json.h"
#include "textparse/writer.h"

namespace tsdb::query {
namespace {

using promql::ValueType;

// The series part of an exposition line, "name{a=\"b\"} ", for appending
// value and timestamp to.
std::string ExpositionPrefix(const Labels& ls) {
  std::string s;
  textparse::Writer(textparse::Format::kPrometheus, &s).Sample(ls, 0);
  s.resize(s.size() - 2);  // drop "0\n", keep the space before the value
  return s;
}

void AppendPromLine(const std::string& prefix, int64_t t, double v, std::string* b) {
  b->append(prefix);
  textparse::AppendValue(v, b);
  b->push_back(' ');
  b->append(std::to_string(t));
  b->push_back('\n');
}

Status Unnamed(const Labels& ls) {
  return Status::Usage("--format prom: the series " + SeriesString(ls) +
                       " has no metric name, which exposition text needs: give --name NAME to name every output "
                       "series (e.g. the recording rule's name), or choose another --format");
}

Status WriteProm(const promql::QueryResult& r, cli::Output* out) {
  switch (r.type) {
    case ValueType::kString:
      return Status::Usage("--format prom: a string result cannot be written as exposition text; "
                           "choose --format table, json, jsonl or csv");
    case ValueType::kScalar:
      return Status::Usage("--format prom: a scalar result has no metric name: give --name NAME, "
                           "or choose another --format");
    case ValueType::kVector:
      for (const promql::Sample& s : r.vector) {
        if (s.metric.MetricName().empty()) return Unnamed(s.metric);
      }
      for (const promql::Sample& s : r.vector) {
        AppendPromLine(ExpositionPrefix(s.metric), s.t, s.f, out->buffer());
        out->MaybeFlush();
        if (!out->ok()) break;
      }
      return Status::OK();
    case ValueType::kMatrix:
      for (const promql::Series& s : r.matrix) {
        if (s.metric.MetricName().empty()) return Unnamed(s.metric);
      }
      for (const promql::Series& s : r.matrix) {
        std::string prefix = ExpositionPrefix(s.metric);
        for (const promql::FPoint& p : s.floats) {
          AppendPromLine(prefix, p.t, p.f, out->buffer());
          out->MaybeFlush();
          if (!out->ok()) return Status::OK();
        }
      }
      return Status::OK();
    case ValueType::kNone: break;
  }
  return Status::OK();
}

Status WriteJsonl(const promql::QueryResult& r, cli::Output* out) {
  std::string* b = out->buffer();
  switch (r.type) {
    case ValueType::kVector:
      for (const promql::Sample& s : r.vector) {
        AppendSample(s, out->buffer());
        out->buffer()->push_back('\n');
        out->MaybeFlush();
      }
      break;
    case ValueType::kMatrix:
      for (const promql::Series& s : r.matrix) {
        AppendSeries(s, out->buffer());
        out->buffer()->push_back('\n');
        out->MaybeFlush();
      }
      break;
    case ValueType::kScalar:
      b->append("{\"value\":");
      AppendScalar(r.scalar, b);
      b->append("}\n");
      break;
    case ValueType::kString:
      b->append("{\"value\":");
      AppendString(r.string, b);
      b->append("}\n");
      break;
    case ValueType::kNone: break;
  }
  return Status::OK();
}

// table and csv: the same rows; table shows times in RFC 3339, csv in ms.
Status WriteRecords(const promql::QueryResult& r, cli::RecordFormat f, cli::Output* out) {
  bool table = f == cli::RecordFormat::kTable;
  auto time = [&](int64_t t) -> nlohmann::json {
    if (table) return FormatTimestamp(t);
    return t;
  };
  if (r.type == ValueType::kScalar || r.type == ValueType::kString) {
    cli::RecordWriter w(f, {table ? "time" : "timestamp", "value"}, out);
    if (r.type == ValueType::kScalar) {
      w.Add({time(r.scalar.t), textparse::FormatValue(r.scalar.v)});
    } else {
      w.Add({time(r.string.t), r.string.v});
    }
    w.Finish();
    return Status::OK();
  }
  cli::RecordWriter w(f, {"series", table ? "time" : "timestamp", "value"}, out);
  if (r.type == ValueType::kVector) {
    for (const promql::Sample& s : r.vector) {
      w.Add({SeriesString(s.metric), time(s.t), textparse::FormatValue(s.f)});
      if (!out->ok()) return Status::OK();
    }
  } else if (r.type == ValueType::kMatrix) {
    for (const promql::Series& s : r.matrix) {
      std::string series = SeriesString(s.metric);
      for (const promql::FPoint& p : s.floats) {
        w.Add({series, time(p.t), textparse::FormatValue(p.f)});
        if (!out->ok()) return Status::OK();
      }
    }
  }
  w.Finish();
  return Status::OK();
}

}  // namespace

Result<Format> ParseFormat(std::string_view s) {
  if (s == "table") return Format::kTable;
  if (s == "prom") return Format::kProm;
  if (s == "json") return Format::kJson;
  if (s == "jsonl") return Format::kJsonl;
  if (s == "csv") return Format::kCsv;
  return Status::Usage("--format: unknown format \"" + std::string(s) + "\", want one of table, prom, json, jsonl, csv");
}

std::string SeriesString(const Labels& ls) {
  std::string_view name = ls.MetricName();
  bool legacy = name.empty() || IsLegacyMetricName(name);
  std::string s;
  size_t others = 0;
  for (const Label& l : ls) {
    if (l.name == kMetricNameLabel && legacy) continue;
    s += others++ == 0 ? "" : ", ";
    if (IsLegacyLabelName(l.name)) {
      s += l.name;
    } else {
      s += GoQuote(l.name);
    }
    s += '=';
    s += GoQuote(l.value);
  }
  if (!legacy) return "{" + s + "}";
  if (others == 0) return name.empty() ? "{}" : std::string(name);
  return std::string(name) + "{" + s + "}";
}

Status NameResult(const std::string& name, bool scalar_as_sample, promql::QueryResult* r) {
  if (name.empty()) return Status::OK();
  LabelsBuilder b;
  auto rename = [&](Labels* ls) {
    b.Reset(*ls);
    b.Set(kMetricNameLabel, name);
    *ls = b.Build();
  };
  auto collision = [&](const Labels& ls) {
    return Status::Execution("--name " + name + ": two output series have the same labels once named: " +
                             SeriesString(ls));
  };
  if (r->type == ValueType::kVector) {
    for (promql::Sample& s : r->vector) rename(&s.metric);
    std::vector<const Labels*> sorted;
    for (const promql::Sample& s : r->vector) sorted.push_back(&s.metric);
    std::sort(sorted.begin(), sorted.end(), [](const Labels* a, const Labels* b) { return *a < *b; });
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (*sorted[i] == *sorted[i - 1]) return collision(*sorted[i]);
    }
  } else if (r->type == ValueType::kMatrix) {
    for (promql::Series& s : r->matrix) rename(&s.metric);
    std::sort(r->matrix.begin(), r->matrix.end(),
              [](const promql::Series& a, const promql::Series& b) { return a.metric < b.metric; });
    for (size_t i = 1; i < r->matrix.size(); ++i) {
      if (r->matrix[i].metric == r->matrix[i - 1].metric) return collision(r->matrix[i].metric);
    }
  } else if (r->type == ValueType::kScalar && scalar_as_sample) {
    // A named scalar as a one-sample vector, for exposition text.
    promql::Sample s;
    s.metric = Labels::FromStrings({kMetricNameLabel, name});
    s.t = r->scalar.t;
    s.f = r->scalar.v;
    r->type = ValueType::kVector;
    r->vector = {std::move(s)};
  }
  return Status::OK();
}

Status WriteQueryResult(const promql::QueryResult& r, Format format, cli::Output* out) {
  switch (format) {
    case Format::kProm: return WriteProm(r, out);
    case Format::kJson:
      AppendQueryData(r, out->buffer());
      out->buffer()->push_back('\n');
      return Status::OK();
    case Format::kJsonl: return WriteJsonl(r, out);
    case Format::kTable: return WriteRecords(r, cli::RecordFormat::kTable, out);
    case Format::kCsv: return WriteRecords(r, cli::RecordFormat::kCsv, out);
  }
  return Status::OK();
}

namespace {

// A list (series, label names, label values) in each format: one item a
// line as text, a JSON array, JSON lines, or a one-column table or CSV.
template <typename T, typename Text, typename Json>
void WriteList(const std::vector<T>& items, Format format, std::string column, Text text, Json json,
               cli::Output* out) {
  switch (format) {
    case Format::kProm:
    case Format::kJsonl:
      for (const T& item : items) {
        if (format == Format::kProm) {
          out->buffer()->append(text(item));
        } else {
          json(item, out->buffer());
        }
        out->buffer()->push_back('\n');
        out->MaybeFlush();
      }
      return;
    case Format::kJson:
      out->buffer()->push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out->buffer()->push_back(',');
        json(items[i], out->buffer());
        out->MaybeFlush();
      }
      out->buffer()->append("]\n");
      return;
    case Format::kTable:
    case Format::kCsv: {
      cli::RecordWriter w(format == Format::kTable ? cli::RecordFormat::kTable : cli::RecordFormat::kCsv,
                          {std::move(column)}, out);
      for (const T& item : items) w.Add({text(item)});
      w.Finish();
      return;
    }
  }
}

}  // namespace

Status WriteSeries(const std::vector<Labels>& series, Format format, cli::Output* out) {
  WriteList(series, format, "series", [](const Labels& ls) { return SeriesString(ls); },
            [](const Labels& ls, std::string* b) { AppendLabelsObject(ls, b); }, out);
  return Status::OK();
}

Status WriteLabels(const std::vector<std::string>& items, bool values, Format format, cli::Output* out) {
  WriteList(items, format, values ? "value" : "name", [](const std::string& s) { return s; },
            [](const std::string& s, std::string* b) { AppendJsonString(s, b); }, out);
  return Status::OK();
}

}  // namespace tsdb::query
