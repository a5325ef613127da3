#!/usr/bin/env bash
# Whole-command behaviour of tsdb-query over a data directory built with
# tsdb-scrape --db from generated text: instant, range, series and labels in
# every output format (exact bytes), scalars and strings, several --db,
# --input from a pipe and untimestamped text, the recording-rule backfill
# round trip through tsdb-scrape --db, --format-query, --explain, and the
# exit statuses (parse error with a caret: 2; evaluation error and missing
# --db: 1). Args: BUILD_DIR SOURCE_DIR
set -uo pipefail
build="$(cd "$1" && pwd)"
bin="$build/tsdb-query"
scrape="$build/tsdb-scrape"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

# 10 minutes every 15 s from t0 (2023-11-14T22:13:20Z): two counters, up, a gauge.
t0=1700000000000
python3 - "$t0" >gen.prom <<'PY'
import sys
t0 = int(sys.argv[1])
for i in range(41):
    t = t0 + i * 15000
    print(f'http_requests_total{{job="api",instance="a"}} {i * 15} {t}')
    print(f'http_requests_total{{job="api",instance="b"}} {i * 30} {t}')
    print(f'up{{job="api",instance="a"}} 1 {t}')
    print(f'up{{job="api",instance="b"}} 0 {t}')
    print(f'temp_celsius{{room="x"}} 21.5 {t}')
PY
"$scrape" --db data -q gen.prom || { echo "FAIL: import"; exit 1; }
end=$((t0 + 600000))  # the last sample
T=1700000600          # the same in seconds

q() { "$bin" --db data "$@"; }

# instant: every format
check "instant prom" 'up{instance="a",job="api"} 1 1700000600000
up{instance="b",job="api"} 0 1700000600000' "$(q -o prom --time $T up)"
check "instant json" '{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a","job":"api"},"value":[1700000600,"1"]},{"metric":{"__name__":"up","instance":"b","job":"api"},"value":[1700000600,"0"]}]}' "$(q -o json --time $T up)"
check "instant jsonl" '{"metric":{"__name__":"up","instance":"a","job":"api"},"value":[1700000600,"1"]}
{"metric":{"__name__":"up","instance":"b","job":"api"},"value":[1700000600,"0"]}' "$(q -o jsonl --time $T up)"
check "instant csv" 'series,timestamp,value
"up{instance=""a"", job=""api""}",1700000600000,1
"up{instance=""b"", job=""api""}",1700000600000,0' "$(q -o csv --time $T up)"
check "instant table" 'SERIES                       TIME                  VALUE
up{instance="a", job="api"}  2023-11-14T22:23:20Z  1
up{instance="b", job="api"}  2023-11-14T22:23:20Z  0' "$(q -o table --time $T up)"
check "default format in a pipe is prom" "$(q -o prom --time $T up)" "$(q --time $T up | cat)"
check "instant is the default subcommand" "$(q -o json --time $T up)" "$(q instant -o json --time $T up)"
check "flags after the subcommand" "$(q -o json --time $T up)" "$("$bin" instant up --db data -o json --time $T)"
check "millisecond time" '{"resultType":"vector","result":[{"metric":{"room":"x"},"value":[1700000599.999,"21.5"]}]}' \
  "$(q -o json --time 1700000599.999 'sum by (room) (temp_celsius)')"
check "lookback delta" '{"resultType":"vector","result":[]}' "$(q -o json --time $((T + 301)) up)"
check "--query.lookback-delta" 2 "$(q -o jsonl --time $((T + 301)) --query.lookback-delta 10m up | wc -l)"
check "rate" '{"resultType":"vector","result":[{"metric":{"instance":"a","job":"api"},"value":[1700000600,"0.9999999999999999"]},{"metric":{"instance":"b","job":"api"},"value":[1700000600,"1.9999999999999998"]}]}' \
  "$(q -o json --time $T 'rate(http_requests_total[1m])')"
check "NaN, Inf and exponents as Prometheus writes them" '{"resultType":"vector","result":[{"metric":{"room":"x"},"value":[1700000600,"NaN"]},{"metric":{"room":"x","v":"inf"},"value":[1700000600,"+Inf"]},{"metric":{"room":"x","v":"tiny"},"value":[1700000600,"2.15e-07"]},{"metric":{"room":"x","v":"big"},"value":[1700000600,"2.15e+22"]},{"metric":{"room":"x","v":"-inf"},"value":[1700000600,"-Inf"]},{"metric":{"room":"x","v":"frac"},"value":[1700000600,"0.000215"]}]}' \
  "$(q -o json --time $T 'sum by (room) (temp_celsius) - Inf + Inf
    or label_replace(sum by (room) (temp_celsius) * Inf, "v", "inf", "", "")
    or label_replace(sum by (room) (temp_celsius) / 1e8, "v", "tiny", "", "")
    or label_replace(sum by (room) (temp_celsius) * 1e21, "v", "big", "", "")
    or label_replace(sum by (room) (temp_celsius) * -Inf, "v", "-inf", "", "")
    or label_replace(sum by (room) (temp_celsius) / 1e5, "v", "frac", "", "")')"

# scalars and strings
check "scalar json" '{"resultType":"scalar","result":[1700000000.5,"1.5"]}' "$("$bin" -o json --time 1700000000.5 '1.5' </dev/null)"
check "scalar jsonl" '{"value":[1700000000.5,"1.5"]}' "$("$bin" -o jsonl --time 1700000000.5 '1.5' </dev/null)"
check "scalar csv" 'timestamp,value
1700000000500,1.5' "$("$bin" -o csv --time 1700000000.5 '1.5' </dev/null)"
check "scalar table" 'TIME                      VALUE
2023-11-14T22:13:20.500Z  1.5' "$("$bin" -o table --time 1700000000.5 '1.5' </dev/null)"
check "scalar prom with --name" 'one 1 1700000000000' "$("$bin" -o prom --time 1700000000 --name one '1' </dev/null)"
"$bin" -o prom --time 1700000000 '1' </dev/null >/dev/null 2>err.txt; check "scalar prom without --name exit" 2 $?
contains "scalar prom without --name message" "give --name NAME" "$(cat err.txt)"
check "string json" '{"resultType":"string","result":[1700000000,"a\"b\u003c"]}' "$("$bin" -o json --time 1700000000 '"a\"b<"' </dev/null)"
check "string csv" 'timestamp,value
1700000000000,ab' "$("$bin" -o csv --time 1700000000 '"ab"' </dev/null)"
"$bin" -o prom --time 1700000000 '"ab"' </dev/null >/dev/null 2>&1; check "string prom exit" 2 $?

# range
check "range prom" 'up{instance="a",job="api"} 1 1700000480000
up{instance="a",job="api"} 1 1700000540000
up{instance="a",job="api"} 1 1700000600000' \
  "$(q range -o prom --start $((T - 120)) --end $T --step 1m 'up{instance="a"}')"
check "range json" '{"resultType":"matrix","result":[{"metric":{"job":"api"},"values":[[1700000480,"2.9999999999999996"],[1700000540,"2.9999999999999996"],[1700000600,"2.9999999999999996"]]}]}' \
  "$(q range -o json --start $((T - 120)) --end $T --step 60 'sum by (job) (rate(http_requests_total[1m]))')"
check "range jsonl" '{"metric":{"job":"api"},"values":[[1700000480,"2.9999999999999996"],[1700000540,"2.9999999999999996"],[1700000600,"2.9999999999999996"]]}' \
  "$(q range -o jsonl --start $((T - 120)) --end $T --step 1m 'sum by (job) (rate(http_requests_total[1m]))')"
check "range csv" 'series,timestamp,value
"{job=""api""}",1700000480000,2.9999999999999996
"{job=""api""}",1700000540000,2.9999999999999996
"{job=""api""}",1700000600000,2.9999999999999996' \
  "$(q range -o csv --start $((T - 120)) --end $T --step 1m 'sum by (job) (rate(http_requests_total[1m]))')"
check "range of a scalar" '{"resultType":"matrix","result":[{"metric":{},"values":[[1700000540,"1700000540"],[1700000600,"1700000600"]]}]}' \
  "$(q range -o json --start $((T - 60)) --end $T --step 1m 'time()')"
check "range default step (~250 points)" 251 "$(q range -o prom --start $((T - 500)) --end $T 'up{instance="a"}' | wc -l)"

# a series without __name__ in prom output: an error, unless --name
q range -o prom --start $((T - 120)) --end $T --step 1m 'sum by (job) (rate(http_requests_total[1m]))' >out.txt 2>err.txt
check "unnamed series in prom exit" 2 $?
check "unnamed series in prom writes nothing" "" "$(cat out.txt)"
contains "unnamed series message" 'the series {job=\"api\"} has no metric name' "$(cat err.txt)"
contains "unnamed series hint" "--name NAME" "$(cat err.txt)"
check "--name" 'job:http_requests:rate1m{job="api"} 2.9999999999999996 1700000480000
job:http_requests:rate1m{job="api"} 2.9999999999999996 1700000540000
job:http_requests:rate1m{job="api"} 2.9999999999999996 1700000600000' \
  "$(q range -o prom --start $((T - 120)) --end $T --step 1m --name job:http_requests:rate1m 'sum by (job) (rate(http_requests_total[1m]))')"
q -o prom --time $T --name x 'up' >/dev/null 2>err.txt; check "--name keeps series apart" 0 $?
q -o prom --time $T --name x '{__name__=~"up|http_requests_total", instance="a"}' >/dev/null 2>err.txt
check "--name collision exit" 1 $?
contains "--name collision message" "two output series have the same labels once named" "$(cat err.txt)"

# backfill a recording rule: range | tsdb-scrape --db, then query the rule
rule='sum by (job) (rate(http_requests_total[1m]))'
q range --start $((T - 540)) --end $T --step 1m --name job:http_requests:rate1m "$rule" | "$scrape" --db rules -q -
check "backfill import exit" 0 $?
check "backfilled rule reads back" \
  "$(q range -o json --start $((T - 540)) --end $T --step 1m "$rule")" \
  "$("$bin" --db rules range -o json --start $((T - 540)) --end $T --step 1m 'sum by (job) (job:http_requests:rate1m)')"
check "backfilled points" 10 "$("$bin" --db rules range -o prom --start $((T - 540)) --end $T --step 1m 'job:http_requests:rate1m' | wc -l)"

# range limits, as Prometheus's API words them
q range --start $T --end $T --step 0 up >/dev/null 2>err.txt; check "zero step exit" 2 $?
contains "zero step message" "zero or negative query resolution step widths are not accepted" "$(cat err.txt)"
q range --start $T --end $((T - 1)) --step 1m up >/dev/null 2>err.txt; check "end before start exit" 2 $?
contains "end before start message" "end timestamp must not be before start time" "$(cat err.txt)"
q range --start $((T - 11001)) --end $T --step 1s up >/dev/null 2>err.txt; check "11,000 points exit" 2 $?
contains "11,000 points message" "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)" "$(cat err.txt)"
check "11,000 points are allowed" 11001 "$(q range -o prom --start $((T - 11000)) --end $T --step 1s --name one 'vector(1)' | wc -l)"
q range -o json --start $T --end $T --step 1m 'up[5m]' >/dev/null 2>err.txt; check "range query of a range vector exit" 2 $?
contains "range query of a range vector message" 'invalid expression type \"range vector\" for range query' "$(cat err.txt)"

# series and labels
check "series prom" 'up{instance="a", job="api"}
up{instance="b", job="api"}' "$(q series -o prom -m up)"
check "series json" '[{"__name__":"temp_celsius","room":"x"},{"__name__":"up","instance":"a","job":"api"},{"__name__":"up","instance":"b","job":"api"}]' \
  "$(q series -o json -m up -m '{room="x"}')"
check "series jsonl" '{"__name__":"up","instance":"b","job":"api"}' "$(q series -o jsonl --match 'up{instance="b"}')"
check "series csv" 'series
"up{instance=""b"", job=""api""}"' "$(q series -o csv -m 'up{instance="b"}')"
check "series table" 'SERIES
up{instance="b", job="api"}' "$(q series -o table -m 'up{instance="b"}')"
check "series time range" "" "$(q series -o prom -m up --end $((T - 700)))"
q series 2>/dev/null; check "series without --match exit" 2 $?
check "labels prom" '__name__
instance
job
room' "$(q labels -o prom)"
check "labels json" '["__name__","instance","job","room"]' "$(q labels -o json)"
check "labels --match" '["__name__","room"]' "$(q labels -o json -m temp_celsius)"
check "label values" '["a","b"]' "$(q labels instance -o json)"
check "label values jsonl" '"http_requests_total"
"temp_celsius"
"up"' "$(q labels __name__ -o jsonl)"
check "label values csv" 'value
api' "$(q labels job -o csv)"
check "label names table" 'NAME
__name__
room' "$(q labels -o table -m temp_celsius)"

# several directories are one store
python3 - "$t0" >more.prom <<'PY'
import sys
t0 = int(sys.argv[1])
for i in range(41):
    t = t0 + i * 15000
    print(f'up{{job="web",instance="c"}} 1 {t}')
    print(f'up{{job="api",instance="a"}} 1 {t + 5000}')
PY
"$scrape" --db data2 -q more.prom
check "two --db: series once each" 3 "$("$bin" --db data --db data2 -o prom --time $T up | wc -l)"
check "two --db: samples merged" '{"resultType":"vector","result":[{"metric":{"instance":"a","job":"api"},"value":[1700000605,"82"]}]}' \
  "$("$bin" --db data --db data2 -o json --time $((T + 5)) 'count_over_time(up{instance="a"}[11m])')"

# --input: a pipe, untimestamped text, both sources at once
check "--input - from a pipe" '{"resultType":"vector","result":[{"metric":{},"value":[1700000600,"2"]}]}' \
  "$(cat gen.prom | "$bin" --input - -o json 'count(up)')"
check "stdin without --input" "$(cat gen.prom | "$bin" --input - -o json 'count(up)')" "$(cat gen.prom | "$bin" -o json 'count(up)')"
check "--input FILE" "$(q -o json --time $T 'sum(http_requests_total)')" "$("$bin" -i gen.prom -o json 'sum(http_requests_total)')"
check "dump | tsdb-query --input -" "$(q -o json --time $T 'topk(1, http_requests_total)')" \
  "$("$build/tsdb-inspect" dump -q data | "$bin" --input - -o json 'topk(1, http_requests_total)')"
printf 'node_load1 0.5\nnode_load5{x="1"} 0.25\n# EOF\n' >now.om
check "untimestamped samples take --time" '{"resultType":"vector","result":[{"metric":{"__name__":"node_load1"},"value":[1800000000,"0.5"]}]}' \
  "$("$bin" -i now.om -o json --time 1800000000 node_load1)"
check "untimestamped samples, no --time: now" 1 "$(printf 'x 7\n' | "$bin" -o jsonl x | wc -l)"
check "--db and --input together" 2 "$(printf 'up{job="web"} 1 %s\n' $end | "$bin" --db data -i - -o jsonl --time $T 'up == 1' | wc -l)"
printf 'bad{ 1\n' | "$bin" -i - up >/dev/null 2>err.txt; check "bad input exit" 1 $?
contains "bad input names the line" "line 1" "$(cat err.txt)"

# --format-query and --explain need no data
check "--format-query" 'sum by (job) (rate(http_requests_total{code="200"}[5m]))' \
  "$("$bin" --format-query 'sum(rate(http_requests_total{code="200"}[5m]))by(job)' </dev/null)"
check "--explain" 'AggregateExpr sum by (job) -> instant vector
  Call rate -> instant vector
    MatrixSelector [5m] -> range vector
      VectorSelector http_requests_total{code="200"} -> instant vector' \
  "$("$bin" --explain 'sum by (job) (rate(http_requests_total{code="200"}[5m]))' </dev/null)"
check "--explain binary" 'BinaryExpr / on(job) group_left(x) -> instant vector
  VectorSelector a -> instant vector
  VectorSelector b -> instant vector' "$("$bin" --explain 'a / on(job) group_left(x) b' </dev/null)"
check "--explain subquery" 'SubqueryExpr [1h:5m] offset 1m -> range vector
  ParenExpr -> instant vector
    UnaryExpr - -> instant vector
      VectorSelector x -> instant vector' "$("$bin" --explain '(-x)[1h:5m] offset 1m' </dev/null)"

# errors: a parse error with a caret (2), evaluation errors and a missing --db (1)
q 'rate(up[5m)' >out.txt 2>err.txt; check "parse error exit" 2 $?
check "parse error writes nothing" "" "$(cat out.txt)"
contains "parse error message" 'msg="1:11: parse error: unexpected \")\" in subquery or range' "$(cat err.txt)"
check "parse error caret" "  rate(up[5m)
            ^" "$(tail -2 err.txt)"
q 'sum(up' >/dev/null 2>err.txt; check "unexpected end exit" 2 $?
check "unexpected end caret" "  sum(up
        ^" "$(tail -2 err.txt)"
q --time $T 'http_requests_total + on(job) up' >/dev/null 2>err.txt; check "many-to-many exit" 1 $?
contains "many-to-many message" "many-to-many matching not allowed" "$(cat err.txt)"
q --time $T --query.max-samples 10 'http_requests_total[5m]' >/dev/null 2>err.txt; check "max samples exit" 1 $?
contains "max samples message" "query processing would load too many samples into memory" "$(cat err.txt)"
"$bin" --db nope/ up >/dev/null 2>err.txt; check "missing --db exit" 1 $?
contains "missing --db names it" "nope/" "$(cat err.txt)"
q --enable-feature promql-experimental-functions,nope up >/dev/null 2>err.txt; check "unknown feature exit" 2 $?
contains "unknown feature message" 'unknown feature \"nope\"' "$(cat err.txt)"
q --time $T 'sort_by_label(up, "instance")' >/dev/null 2>&1; check "experimental function without the feature" 2 $?
check "experimental function with the feature" 2 "$(q -o prom --time $T --enable-feature promql-experimental-functions 'sort_by_label(up, "instance")' | wc -l)"
q -o yaml up >/dev/null 2>&1; check "unknown format exit" 2 $?
q --time yesterday up >/dev/null 2>&1; check "bad time exit" 2 $?
q series -m 'up{' >/dev/null 2>&1; check "bad selector exit" 2 $?
q --time $T 'up' 2>/dev/null | head -0; check "broken pipe" 0 "${PIPESTATUS[0]}"
check "annotations go to stderr" "" "$(q -o prom --time $T 'rate(up[1m])' 2>err.txt)"
contains "annotation logged" 'might not be a counter' "$(cat err.txt)"

finish query_test
