// Writing tsdb-query's results in its five output formats.
//
// Query results (instant and range):
//   table  SERIES, TIME (RFC 3339), VALUE; a scalar or string: TIME, VALUE
//   prom   `name{labels} value ms` per point: what `tsdb-scrape --db DIR -`
//          imports; a series without __name__ is an error (Usage) naming the
//          way out (--name); a scalar needs --name too; a string cannot be
//          written as exposition text
//   json   {"resultType":...,"result":...}: the API's `data`, one line
//   jsonl  one result element per line: {"metric":..,"value":[t,"v"]} per
//          sample of a vector, {"metric":..,"values":[...]} per series of a
//          matrix, {"value":[t,"v"]} for a scalar or string
//   csv    series,timestamp,value with ms timestamps (timestamp,value for a
//          scalar or string), a row per point
// Values are Prometheus's text spelling (Go's 'g', NaN, +Inf, -Inf) in
// table, prom and csv, the API's in json and jsonl.
//
// Series (the series subcommand): table and prom one label set per line in
// Prometheus's notation, up{job="a"} (prom without a header, so it feeds
// --match); json the API's data, [{"__name__":"up",...},...]; jsonl one
// object per line; csv one `series` column.
// Label names or values: one per line (table with a NAME/VALUE header),
// json an array, jsonl one JSON string per line, csv one column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/output.h"
#include "model/labels.h"
#include "model/status.h"
#include "promql/engine.h"

namespace tsdb::query {

enum class Format { kTable, kProm, kJson, kJsonl, kCsv };
// Usage error naming the choices for anything else.
Result<Format> ParseFormat(std::string_view s);

// A series as promtool and Prometheus's model.Metric print it:
// up{instance="a", job="b"}, `up` alone, {} without labels; a name that is
// not a legacy metric name stays inside the braces: {__name__="a.b", job="b"}.
std::string SeriesString(const Labels& ls);

// Sets __name__ to `name` on every series or sample of `r` (no-op when
// empty); with `scalar_as_sample`, a scalar becomes a one-sample vector of
// that name (for prom). Two series that become one are an Execution error
// naming them.
Status NameResult(const std::string& name, bool scalar_as_sample, promql::QueryResult* r);

Status WriteQueryResult(const promql::QueryResult& r, Format format, cli::Output* out);
Status WriteSeries(const std::vector<Labels>& series, Format format, cli::Output* out);
// `values`: the strings are the values of one label (header VALUE), else label names (NAME).
Status WriteLabels(const std::vector<std::string>& items, bool values, Format format, cli::Output* out);

}  // namespace tsdb::query
