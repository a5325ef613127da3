// The JSON of Prometheus's HTTP API (/api/v1/query, /query_range, /series,
// /labels), byte for byte as Prometheus writes it, so that scripts written
// against a Prometheus server read tsdb-query's output unchanged.
//
// Prometheus encodes with json-iterator (web/api/v1/json_codec.go,
// util/jsonutil/marshal.go): sample values are strings in Go's
// strconv.FormatFloat(f, 'f', -1, 64), switching to 'e' below 1e-6 and from
// 1e21 in magnitude ("NaN", "+Inf", "-Inf" as Go spells them); sample
// timestamps are the milliseconds written as seconds with a three-digit
// fraction when not whole ("1700000000.5" is written 1700000000.500);
// strings are escaped as Go's encoding/json does with HTML escaping on.
// A scalar or string result goes through Go's encoding/json instead: its
// time is float64(ms)/1000 in encoding/json's float spelling, and a
// scalar's value is FormatFloat(f, 'f', -1, 64) without the 'e' switch.
//
// Everything appends to a string; nothing here allocates per call beyond it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "promql/engine.h"
#include "promql/value.h"

namespace tsdb::query {

// jsonutil.MarshalFloat, quotes included: "1.5", "1e-07", "NaN", "+Inf".
void AppendApiValue(double v, std::string* out);
// jsonutil.MarshalTimestamp: 1700000000, 1700000000.123, 1700000000.050, -1.500.
void AppendApiTimestamp(int64_t ms, std::string* out);
// A JSON string as Go's encoding/json writes it (HTML-safe; invalid UTF-8
// becomes U+FFFD; U+2028 and U+2029 escaped), quotes included.
void AppendJsonString(std::string_view s, std::string* out);
// {"__name__":"up","job":"node"}
void AppendLabelsObject(const Labels& ls, std::string* out);
// strconv.FormatFloat(f, 'f', -1, 64): the shortest decimal that reads back
// as f, never with an exponent.
std::string FormatFloatFixed(double v);
// encoding/json's float64 spelling (as for a scalar's time): 'f', or 'e'
// with a short exponent (1e-7) below 1e-6 and from 1e21.
void AppendGoJsonNumber(double v, std::string* out);

// The elements of a result, as the API writes them:
//   {"metric":{...},"value":[t,"v"]}          a vector's sample
//   {"metric":{...},"values":[[t,"v"],...]}   a matrix's series
//   [t,"v"]                                   a scalar
//   [t,"s"]                                   a string
void AppendSample(const promql::Sample& s, std::string* out);
void AppendSeries(const promql::Series& s, std::string* out);
void AppendScalar(const promql::Scalar& s, std::string* out);
void AppendString(const promql::String& s, std::string* out);

// The `data` object of an /api/v1/query or /query_range answer:
// {"resultType":"vector","result":[...]}. No newline.
void AppendQueryData(const promql::QueryResult& r, std::string* out);

}  // namespace tsdb::query
