#!/usr/bin/env bash
# ctest-cost: 13 (seconds on 2 cores, 2026-11-23)
# Interop: our exposition text parser and writer (lib/textparse, through the
# test-only tests/tools/expo_transcode) against Debian's promtool and
# prometheus 2.42.
#
#   bash exposition_promtool_test.sh BUILD_DIR SOURCE_DIR
#
# Inputs: the .prom.txt/.om.txt samples in /work/shared/reference/exposition/
# and two generated files (Prometheus text and OpenMetrics) with NaN, +Inf,
# -Inf, escaped label values (backslash, quote, newline), UTF-8 label values,
# timestamps, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 0.1,
# 123456789012345678, every metric type.
#
# For each input F (format X, the other format Y):
#  1. round trip, exact: samples(F) == samples(F->X) == samples(F->Y) ==
#     samples(F->Y->X), one canonical line per sample with the value's IEEE
#     bits (NaN payloads and -0 included) and the timestamp; in order.
#     F->X->X is byte-identical to F->X (the writer's output is a fixpoint).
#     OpenMetrics exemplars survive F->openmetrics.
#  2. promtool check metrics accepts every Prometheus-text output (F->prom,
#     F->Y->X when X is prom). promtool 2.42 exits 1 on a parse error
#     ("error while linting: text format parsing error ...") and 3 when it
#     only has lint findings (naming conventions, "no help text"); we
#     require no parse error and only print the count of lint findings,
#     since the reference inputs themselves carry such names.
#  3. a real prometheus (127.0.0.1) scrapes every output over HTTP from a
#     small local server, Prometheus text as text/plain; version=0.0.4 and
#     OpenMetrics as application/openmetrics-text: each target must be up,
#     scrape_samples_scraped must equal our sample count, and the values
#     Prometheus stored (read back through /federate) must be the values we
#     parsed, bit for bit (NaN compared as NaN).
#  4. agreement: a table of small, tricky Prometheus-text and OpenMetrics
#     inputs is scraped by the same prometheus; our parser must accept
#     exactly the inputs Prometheus's scrape parser accepts. promtool's
#     verdict (client_golang's expfmt parser, stricter than the scraper) is
#     printed next to them for information.
set -u -o pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init exposition_promtool

need_cmd promtool
need_cmd prometheus
need_cmd curl
need_cmd python3
XC=$BUILD_DIR/tests/tools/expo_transcode
need_exe "$XC"
REF=${TSDB_REFERENCE_DIR:-$SOURCE_DIR/../shared/reference}/exposition
[ -d "$REF" ] || REF=/work/shared/reference/exposition
[ -d "$REF" ] || fail "reference exposition samples not found"
START=$SECONDS

mkdir -p "$TMP/in" "$TMP/www/out" "$TMP/www/case" "$TMP/work"

# ------------------------------------------------------------ generated inputs
python3 - "$TMP/in/edge-text.prom.txt" "$TMP/in/edge-om.om.txt" <<'EOF' || fail "generating edge inputs"
import sys
prom = r'''# HELP edge_values Values at the edges of float64. HELP escapes: backslash \\ and newline \n.
# TYPE edge_values gauge
edge_values{case="nan"} NaN
edge_values{case="pinf"} +Inf
edge_values{case="ninf"} -Inf
edge_values{case="tiny"} 1e-300
edge_values{case="denormal"} 5e-324
edge_values{case="max"} 1.7976931348623157e308
edge_values{case="negmax"} -1.7976931348623157e+308
edge_values{case="negzero"} -0.0
edge_values{case="zero"} 0
edge_values{case="tenth"} 0.1
edge_values{case="third"} 0.3333333333333333
edge_values{case="bigint"} 123456789012345678
edge_values{case="2^53+1"} 9007199254740993
edge_values{case="neg"} -2.5e-10
edge_values{case="exp"} 6.02214076E+23
# HELP edge_labels Escaped and UTF-8 label values.
# TYPE edge_labels gauge
edge_labels{path="C:\\dir\\file",quote="say \"hi\"",nl="line1\nline2"} 1
edge_labels{utf8="日本語 ✓ zürich ünïcödé 🙂",empty=""} 2
edge_labels{all="\\\"\n\\n",b="}",c="{",d=",",e="=",f="#",g=" "} 3
# HELP edge_ts Samples with timestamps (ms).
# TYPE edge_ts gauge
edge_ts{case="epoch"} 1 0
edge_ts{case="2023"} 2 1700000000000
edge_ts{case="ms"} 3 1700000000123
edge_ts{case="2100"} 4 4102444800000
edge_ts{case="nan"} NaN 1700000000001
# HELP edge_requests_total A counter.
# TYPE edge_requests_total counter
edge_requests_total{code="200",method="get"} 1027
edge_requests_total{code="500",method="post"} 3 1700000000000
# HELP edge_latency_seconds A histogram.
# TYPE edge_latency_seconds histogram
edge_latency_seconds_bucket{le="0.005"} 0
edge_latency_seconds_bucket{le="0.1"} 3
edge_latency_seconds_bucket{le="1e+06"} 7
edge_latency_seconds_bucket{le="+Inf"} 8
edge_latency_seconds_sum 12.5
edge_latency_seconds_count 8
# HELP edge_rpc_seconds A summary.
# TYPE edge_rpc_seconds summary
edge_rpc_seconds{quantile="0.5"} NaN
edge_rpc_seconds{quantile="0.99"} 0.25
edge_rpc_seconds_sum 1e-9
edge_rpc_seconds_count 0
# TYPE edge_untyped untyped
edge_untyped 42
edge_no_metadata{a="b"} -1
'''
om = r'''# TYPE edge_values gauge
# HELP edge_values Values at the edges. Escapes: \\ \" \n.
edge_values{case="nan"} NaN
edge_values{case="pinf"} +Inf
edge_values{case="ninf"} -Inf
edge_values{case="tiny"} 1e-300
edge_values{case="max"} 1.7976931348623157e308
edge_values{case="negzero"} -0.0
edge_values{case="tenth"} 0.1
edge_values{case="bigint"} 123456789012345678
edge_values{case="ts"} 7 1700000000.123
edge_values{case="ts_int"} 8 1700000000
# TYPE edge_duration_seconds gauge
# UNIT edge_duration_seconds seconds
# HELP edge_duration_seconds A gauge with a unit.
edge_duration_seconds 1.5
# TYPE edge_labels gauge
edge_labels{path="C:\\dir",quote="say \"hi\"",nl="a\nb",utf8="日本語 ✓ zürich 🙂"} 1
# TYPE edge_requests counter
# HELP edge_requests A counter with created time and exemplars.
edge_requests_total{code="200"} 1027 # {trace_id="abc\"def"} 1.5 1700000000.5
edge_requests_created{code="200"} 1.7e+09
edge_requests_total{code="500"} 3
# TYPE edge_latency_seconds histogram
edge_latency_seconds_bucket{le="0.1"} 3 # {trace_id="t1"} 0.05
edge_latency_seconds_bucket{le="+Inf"} 8
edge_latency_seconds_sum 12.5
edge_latency_seconds_count 8
# TYPE edge_queue gaugehistogram
edge_queue_bucket{le="1.0"} 4
edge_queue_bucket{le="+Inf"} 5
edge_queue_gcount 5
edge_queue_gsum 3.25
# TYPE edge_build info
edge_build_info{version="1.2.3",revision="abc"} 1
# TYPE edge_feature stateset
edge_feature{edge_feature="a"} 1
edge_feature{edge_feature="b"} 0
# TYPE edge_rpc_seconds summary
edge_rpc_seconds{quantile="0.5"} 0.1
edge_rpc_seconds_sum 1e-9
edge_rpc_seconds_count 0
# TYPE edge_mystery unknown
edge_mystery 42
# EOF
'''
open(sys.argv[1], "w", encoding="utf-8").write(prom)
open(sys.argv[2], "w", encoding="utf-8").write(om)
EOF

INPUTS=()
for f in "$REF"/*.prom.txt "$REF"/*.om.txt; do
  [ -f "$f" ] && INPUTS+=("$f")
done
[ "${#INPUTS[@]}" -ge 2 ] || fail "expected reference .prom.txt and .om.txt files in $REF"
INPUTS+=("$TMP/in/edge-text.prom.txt" "$TMP/in/edge-om.om.txt")

fmt_of() { case "$1" in *.om.txt | *.om) echo openmetrics ;; *) echo prom ;; esac; }
other() { [ "$1" = prom ] && echo openmetrics || echo prom; }
ext() { [ "$1" = prom ] && echo prom || echo om; }

# samples FILE FORMAT OUT: canonical sample lines of FILE parsed as FORMAT.
samples() {
  "$XC" --from "$2" --samples "$1" >"$3" 2>"$3.err" || fail "our parser rejected $1 as $2: $(cat "$3.err")"
}
# transcode FILE FROM TO OUT
transcode() {
  "$XC" --from "$2" --to "$3" "$1" >"$4" 2>"$4.err" || fail "expo_transcode --from $2 --to $3 $1: $(cat "$4.err")"
}
same() { # same A B WHAT
  if ! cmp -s "$1" "$2"; then
    diff -u "$1" "$2" | head -20 >&2
    fail "$3"
  fi
}

# promtool_check FILE: no parse error; prints the number of lint findings.
promtool_check() {
  local out rc
  out=$(promtool check metrics <"$1" 2>&1)
  rc=$?
  if [ "$rc" = 1 ] || grep -q 'error while linting\|parsing error' <<<"$out"; then
    printf '%s\n' "$out" | head -5 >&2
    fail "promtool check metrics: parse error in $1 (exit $rc)"
  fi
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "promtool check metrics exited $rc on $1: $out"
  if [ "$rc" = 0 ]; then echo 0; else printf '%s\n' "$out" | grep -c .; fi
}

TOTAL_SAMPLES=0
COMPARED=0
declare -A OUT_COUNT   # www/out file -> sample count
for f in "${INPUTS[@]}"; do
  base=$(basename "$f")
  base=${base%.txt}
  base=${base%.prom}
  base=${base%.om}
  X=$(fmt_of "$f")
  Y=$(other "$X")
  W=$TMP/work/$base.$(ext "$X")
  samples "$f" "$X" "$W.s0"
  n=$(wc -l <"$W.s0")
  [ "$n" -gt 0 ] || fail "no samples in $f"
  transcode "$f" "$X" "$X" "$W.toX"
  transcode "$W.toX" "$X" "$X" "$W.toXX"
  transcode "$f" "$X" "$Y" "$W.toY"
  transcode "$W.toY" "$Y" "$X" "$W.toYX"
  samples "$W.toX" "$X" "$W.s1"
  samples "$W.toY" "$Y" "$W.s2"
  samples "$W.toYX" "$X" "$W.s3"
  same "$W.s0" "$W.s1" "$base: samples differ after $X -> $X"
  same "$W.s0" "$W.s2" "$base: samples differ after $X -> $Y"
  same "$W.s0" "$W.s3" "$base: samples differ after $X -> $Y -> $X"
  same "$W.toX" "$W.toXX" "$base: $X output is not a fixpoint ($X -> $X twice differs from once)"
  pass "$base ($X): $n samples identical after $X->$X, $X->$Y, $X->$Y->$X (values bit for bit); $X->$X is a fixpoint"
  COMPARED=$((COMPARED + 3 * n))
  TOTAL_SAMPLES=$((TOTAL_SAMPLES + n))

  if [ "$X" = openmetrics ]; then
    "$XC" --from openmetrics --samples --exemplars "$f" >"$W.e0" || fail "exemplars of $f"
    "$XC" --from openmetrics --samples --exemplars "$W.toX" >"$W.e1" || fail "exemplars of $W.toX"
    same "$W.e0" "$W.e1" "$base: exemplars differ after openmetrics -> openmetrics"
    ne=$(grep -c ' # {' "$W.e0")
    pass "$base: $ne exemplars identical after openmetrics -> openmetrics"
    prom_out=$W.toY
  else
    prom_out=$W.toX
    lint=$(promtool_check "$f")
    pass "$base: promtool check metrics accepts the input itself ($lint lint findings)"
  fi
  lint=$(promtool_check "$prom_out")
  pass "$base: promtool check metrics accepts our Prometheus text ($n samples, $lint lint findings)"
  if [ "$X" = prom ]; then
    lint=$(promtool_check "$W.toYX")
    pass "$base: promtool check metrics accepts prom -> openmetrics -> prom ($lint lint findings)"
  fi
  # Served to prometheus below: both of our outputs, under their format's name.
  cp "$prom_out" "$TMP/www/out/$base.prom"
  cp "$([ "$X" = openmetrics ] && echo "$W.toX" || echo "$W.toY")" "$TMP/www/out/$base.om"
  cp "$W.s0" "$TMP/work/$base.expected"
  OUT_COUNT[$base.prom]=$n
  OUT_COUNT[$base.om]=$n
done

# ------------------------------------------------------------ agreement table
# case files: www/case/NAME.prom or NAME.om, one small input each.
python3 - "$TMP/www/case" <<'EOF' || fail "generating cases"
import sys, os
d = sys.argv[1]
prom = {
  "plain": 'foo 1\n',
  "labels_ws": 'foo{ a = "b" , } 1\n',
  "no_space_before_value": 'foo{a="b"}1\n',
  "tabs": 'foo\t1\t2\n',
  "inf_spellings": 'foo{a="1"} Inf\nfoo{a="2"} -inf\nfoo{a="3"} nan\nfoo{a="4"} +Inf\n',
  "dot_floats": 'foo{a="1"} .5\nfoo{a="2"} 5.\nfoo{a="3"} +1\nfoo{a="4"} 1E3\n',
  "help_no_text": '# HELP foo\nfoo 1\n',
  "comments_blank": '# just a comment\n\nfoo 1\n#\n',
  "colon_name": 'foo:bar:baz 1\n',
  "empty_label_value": 'foo{a=""} 1\n',
  "utf8_value": 'foo{a="\u00fc\u65e5"} 1\n',
  "no_trailing_newline": 'foo 1',
  "unterminated_value": 'foo{a="b} 1\n',
  "label_name_digit": 'foo{0a="b"} 1\n',
  "value": 'foo abc\n',
  "hex_float": 'foo 0x1p-2\n',
  "underscore_float": 'foo 1_000\n',
  "timestamp_float": 'foo 1 1.5\n',
  "timestamp_neg": 'foo 1 -5\n',
  "trailing_garbage": 'foo 1 2 3\n',
  "type_unknown": '# TYPE foo bar\nfoo 1\n',
  "dash_name": 'foo-bar 1\n',
  "missing_value": 'foo{a="b"}\n',
  "escape_q": 'foo{a="\\q"} 1\n',
  "duplicate_label": 'foo{a="b",a="c"} 1\n',
  "second_type": '# TYPE foo gauge\n# TYPE foo gauge\nfoo 1\n',
  "quantile_not_float": '# TYPE foo summary\nfoo{quantile="x"} 1\n',
  "name_label": 'foo{__name__="bar"} 1\n',
  "invalid_utf8": b'foo{a="\xff"} 1\n',
  "value_overflow": 'foo 1e400\n',
  "value_underflow": 'foo 1e-400\n',
  "timestamp_overflow": 'foo 1 99999999999999999999\n',
  "timestamp_plus": 'foo 1 +5\n',
  "reserved_prefix_label": 'foo{__x="1"} 1\n',
  "leading_colon_name": ':foo 1\n',
  "trailing_space": 'foo 1 \n',
  "crlf": 'foo 1\r\n',
  "leading_space": ' foo 1\n',
  "help_odd_escape": '# HELP foo a\\qb\nfoo 1\n',
  "type_after_samples": 'foo 1\n# TYPE foo gauge\n',
}
om = {
  "om_min": '# TYPE foo gauge\nfoo 1\n# EOF\n',
  "om_counter": '# TYPE foo counter\nfoo_total 1\nfoo_created 1.5e9\n# EOF\n',
  "om_ts_frac": 'foo 1 1700000000.123\n# EOF\n',
  "om_exemplar": '# TYPE foo counter\nfoo_total 1 # {a="b"} 2 1700000000\n# EOF\n',
  "om_no_eof": 'foo 1\n',
  "om_after_eof": 'foo 1\n# EOF\nbar 1\n',
  "om_blank_line": 'foo 1\n\nbar 1\n# EOF\n',
  "om_counter_no_total": '# TYPE foo counter\nfoo 1\n# EOF\n',
  "om_type_twice": '# TYPE foo gauge\n# TYPE foo gauge\nfoo 1\n# EOF\n',
  "om_unit_mismatch": '# TYPE foo gauge\n# UNIT foo seconds\nfoo 1\n# EOF\n',
  "om_exemplar_gauge": '# TYPE foo gauge\nfoo 1 # {a="b"} 2\n# EOF\n',
  "om_invalid_escape": 'foo{a="\\q"} 1\n# EOF\n',
  "om_two_spaces": 'foo  1\n# EOF\n',
  "om_neg_counter": '# TYPE foo counter\nfoo_total -1\n# EOF\n',
  "om_duplicate_label": 'foo{a="b",a="c"} 1\n# EOF\n',
  "om_ts_negative": 'foo 1 -1.5\n# EOF\n',
  "om_exemplar_on_count": '# TYPE foo histogram\nfoo_bucket{le="+Inf"} 1\nfoo_count 1 # {a="b"} 1\nfoo_sum 1\n# EOF\n',
  "om_exemplar_no_labels": '# TYPE foo counter\nfoo_total 1 # {} 2\n# EOF\n',
  "om_help_no_text": '# HELP foo\nfoo 1\n# EOF\n',
  "om_lowercase_nan": 'foo nan\n# EOF\n',
  "om_created_gauge": '# TYPE foo gauge\nfoo_created 1\n# EOF\n',
  "om_name_label": 'foo{__name__="bar"} 1\n# EOF\n',
}
for name, text in prom.items():
    open(os.path.join(d, name + ".prom"), "wb").write(text if isinstance(text, bytes) else text.encode())
for name, text in om.items():
    open(os.path.join(d, name + ".om"), "wb").write(text.encode())
EOF
NCASES=$(ls "$TMP/www/case" | wc -l)

# ------------------------------------------------------------ prometheus
HTTP_PORT=$(free_port) || fail "free_port"
cat >"$TMP/serve.py" <<'EOF'
# Serves ROOT on 127.0.0.1:PORT: .prom as Prometheus text, .om as OpenMetrics.
import http.server, sys, functools
root, port = sys.argv[1], int(sys.argv[2])
class H(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        ".prom": "text/plain; version=0.0.4; charset=utf-8",
        ".om": "application/openmetrics-text; version=1.0.0; charset=utf-8",
        "": "application/octet-stream",
    }
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(H, directory=root)).serve_forever()
EOF
start_server "$TMP/http.log" python3 "$TMP/serve.py" "$TMP/www" "$HTTP_PORT"
HTTP_PID=$SERVER_PID
wait_http "http://127.0.0.1:$HTTP_PORT/out/" 20 "$HTTP_PID"

CONFIG=$TMP/prometheus.yml
{
  echo "global:"
  echo "  scrape_interval: 2s"
  echo "  scrape_timeout: 1s"
  echo "scrape_configs:"
  for p in "$TMP"/www/out/* "$TMP"/www/case/*; do
    rel=${p#"$TMP/www/"}
    job=${rel//\//_}
    job=${job//./_}
    printf '  - job_name: %s\n    metrics_path: /%s\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' \
      "$job" "$rel" "$HTTP_PORT"
  done
} >"$CONFIG"
promtool check config "$CONFIG" >"$TMP/promtool-config.log" 2>&1 || { cat "$TMP/promtool-config.log" >&2; fail "promtool check config"; }

PROM_PORT=$(free_port) || fail "free_port"
start_server "$TMP/prometheus.log" prometheus \
  --config.file="$CONFIG" \
  --web.listen-address="127.0.0.1:$PROM_PORT" \
  --storage.tsdb.path="$TMP/data" \
  --storage.tsdb.retention.time=2h
PROM_PID=$SERVER_PID
wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 60 "$PROM_PID"
echo "$PROM_PORT" >"$TMP/prom_port"

# Wait (bounded) until every target has been scraped at least once.
API=$TMP/targets.json
NJOBS=$(grep -c 'job_name:' "$CONFIG")
done_=0
deadline=$((SECONDS + 60))
for ((poll = 0; poll < 120 && SECONDS < deadline; poll++)); do
  kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus exited"
  if http_get "http://127.0.0.1:$PROM_PORT/api/v1/targets?state=active" >"$API" 2>/dev/null &&
    python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["data"]["activeTargets"]
sys.exit(0 if len(t) == int(sys.argv[2]) and all(x["health"] != "unknown" for x in t) else 1)' "$API" "$NJOBS"; then
    done_=1
    break
  fi
  sleep 0.5
done
[ "$done_" = 1 ] || fail "prometheus did not scrape all $NJOBS targets within 60 s"
note "prometheus scraped all $NJOBS targets after $((SECONDS - START))s"

# Our verdicts on the cases (format from the extension).
: >"$TMP/ours.txt"
: >"$TMP/promtool.txt"
for c in "$TMP"/www/case/*; do
  name=$(basename "$c")
  fmt=prom
  [ "${name##*.}" = om ] && fmt=openmetrics
  if "$XC" --from "$fmt" --samples "$c" >"$TMP/work/case.s" 2>"$TMP/work/case.err"; then
    printf '%s\tok\t%s\n' "$name" "$(wc -l <"$TMP/work/case.s")" >>"$TMP/ours.txt"
  else
    printf '%s\terror\t%s\n' "$name" "$(tr '\t\n' '  ' <"$TMP/work/case.err")" >>"$TMP/ours.txt"
  fi
  if [ "$fmt" = prom ]; then
    if out=$(promtool check metrics <"$c" 2>&1) || [ $? = 3 ]; then
      printf '%s\tok\t\n' "$name" >>"$TMP/promtool.txt"
    else
      printf '%s\terror\t%s\n' "$name" "$(tr '\t\n' '  ' <<<"$out")" >>"$TMP/promtool.txt"
    fi
  fi
done

# Scraped samples, values through /federate, and the agreement table.
for p in "$TMP"/www/out/*; do
  rel=${p#"$TMP/www/"}
  job=${rel//\//_}
  job=${job//./_}
  http_get "http://127.0.0.1:$PROM_PORT/federate?match%5B%5D=%7Bjob%3D%22$job%22%7D" >"$TMP/work/$job.federate" ||
    fail "GET /federate for job $job"
  "$XC" --from prom --samples "$TMP/work/$job.federate" >"$TMP/work/$job.fed.s" 2>"$TMP/work/$job.fed.err" ||
    fail "our parser rejects Prometheus's /federate output for $job: $(cat "$TMP/work/$job.fed.err")"
done
python3 - "$API" "$TMP" <<'EOF' || fail "prometheus disagrees with our parser (see above)"
import json, math, os, re, struct, sys
api, tmp = sys.argv[1], sys.argv[2]
targets = {t["scrapePool"]: t for t in json.load(open(api))["data"]["activeTargets"]}
failures = 0

def query(q):
    import urllib.request, urllib.parse
    port = open(os.path.join(tmp, "prom_port")).read().strip()
    url = "http://127.0.0.1:%s/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": q}))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return json.load(opener.open(url, timeout=20))["data"]["result"]

scraped = {r["metric"]["job"]: int(float(r["value"][1])) for r in query("scrape_samples_scraped")}

def canon(path, drop=("job", "instance")):
    # name{labels} bits ts  ->  {(name, labels): (bits, ts)}, job/instance removed
    out = {}
    line_re = re.compile(r'^(.*?)\{(.*)\} ([0-9a-f]{16}) (\S+)$')
    for line in open(path, encoding="utf-8"):
        m = line_re.match(line.rstrip("\n"))
        name, labels, bits, ts = m.groups()
        # An empty label value is no label: Prometheus drops it on ingestion.
        parts = [p for p in re.findall(r'([^=,]+)="((?:[^"\\]|\\.)*)"', labels) if p[0] not in drop and p[1] != ""]
        out.setdefault((name, tuple(parts)), []).append((bits, ts))
    return out

NEG_ZERO = "8000000000000000"
negzero_checked = 0

def isnan(bits):
    v = struct.unpack(">d", bytes.fromhex(bits))[0]
    return math.isnan(v)

# 3. every output scraped, sample count, values.
for f in sorted(os.listdir(os.path.join(tmp, "www", "out"))):
    job = "out_" + f.replace(".", "_")
    base = f.rsplit(".", 1)[0]
    t = targets.get(job)
    expected = canon(os.path.join(tmp, "work", base + ".expected"), drop=())
    n = sum(len(v) for v in expected.values())
    if t is None or t["health"] != "up":
        failures += 1
        print("FAIL %s: prometheus could not scrape our output: %s" % (f, t and t["lastError"]))
        continue
    if scraped.get(job) != n:
        failures += 1
        print("FAIL %s: prometheus scraped %s samples, we parsed %d" % (f, scraped.get(job), n))
        continue
    fed = canon(os.path.join(tmp, "work", job + ".fed.s"))
    fed.pop(("up", ()), None)
    for k in list(fed):
        if k[0].startswith("scrape_"):
            fed.pop(k)
    compared = bad = 0
    for k, vals in expected.items():
        # Only samples without their own timestamp are in /federate's
        # 5-minute lookback (explicit old timestamps are out of bounds).
        if any(ts != "-" for _, ts in vals) or len(vals) != 1:
            continue
        bits = vals[0][0]
        got = fed.get(k)
        compared += 1
        if got and bits == NEG_ZERO and got[0][0] == "0000000000000000":
            # /federate writes -0 as "0" (expfmt's writeFloat takes a shortcut
            # for f == 0); the query API shows what is stored.
            res = [r for r in query('%s{job="%s"}' % (k[0], job))
                   if sorted((n, v) for n, v in r["metric"].items() if n not in ("__name__", "job", "instance")) == sorted(k[1])]
            if len(res) == 1 and res[0]["value"][1] == "-0":
                got = [(NEG_ZERO, "-")]
                negzero_checked += 1
        if not got or not (got[0][0] == bits or (isnan(bits) and isnan(got[0][0]))):
            bad += 1
            if bad <= 5:
                print("FAIL %s: %s%s: we parsed %s, prometheus stored %s" % (f, k[0], dict(k[1]), bits, got))
    if bad:
        failures += 1
    else:
        print("ok   %-28s up, %4d samples scraped == parsed, %4d values identical via /federate" % (f, n, compared))

# 4. agreement table.
ours = {}
for line in open(os.path.join(tmp, "ours.txt"), encoding="utf-8", errors="replace"):
    name, verdict, detail = line.rstrip("\n").split("\t", 2)
    ours[name] = (verdict, detail)
promtool = {}
for line in open(os.path.join(tmp, "promtool.txt"), encoding="utf-8", errors="replace"):
    name, verdict, detail = line.rstrip("\n").split("\t", 2)
    promtool[name] = (verdict, detail)
agree = 0
disagree = []
for name in sorted(ours):
    job = "case_" + name.replace(".", "_")
    t = targets[job]
    prom_verdict = "ok" if t["health"] == "up" else "error"
    o = ours[name]
    pt = promtool.get(name, ("-", ""))
    line = "%-32s prometheus=%-5s ours=%-5s promtool=%-5s" % (name, prom_verdict, o[0], pt[0])
    if prom_verdict != o[0]:
        failures += 1
        disagree.append(name)
        print("FAIL " + line)
        print("       prometheus: %s" % (t["lastError"] or "(scraped %d samples)" % scraped.get(job, -1)))
        print("       ours:       %s" % o[1])
    else:
        agree += 1
        print("ok   " + line + ("   (promtool: %s)" % pt[1][:110] if pt[0] not in ("-", prom_verdict) else ""))
print("-0 checked through the query API in %d outputs" % negzero_checked)
print("agreement: %d of %d cases; %d failures" % (agree, len(ours), failures))
if disagree:
    print("OUR PARSER DISAGREES WITH PROMETHEUS ON: %s" % ", ".join(disagree))
sys.exit(1 if failures else 0)
EOF
CHECKS=$((CHECKS + NJOBS))
note "checked ${#INPUTS[@]} inputs: $TOTAL_SAMPLES samples, $COMPARED sample comparisons; $NCASES agreement cases"
note "PASS in $((SECONDS - START))s"
