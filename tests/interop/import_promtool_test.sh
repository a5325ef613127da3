#!/usr/bin/env bash
# ctest-cost: 74 (seconds on 2 cores, 2026-11-23)
# Interop: `tsdb-scrape --db` (bulk import) against Debian's promtool and
# prometheus 2.42.
#
#   bash import_promtool_test.sh BUILD_DIR SOURCE_DIR
#
# Inputs: gen_openmetrics.py (200 series x 2000 samples, 20 metrics, seed 1)
# in OpenMetrics and its Prometheus-text twin, plus a hand-made pair with
# NaN, +Inf, -Inf, -0, UTF-8 and escaped label values (quote, backslash,
# newline), a one-sample series and samples in three block windows.
#
#  1. `promtool tsdb dump` of our blocks equals the input sample for sample
#     (canonical lines: sorted labels, float value, ms timestamp), for both
#     formats, the Prometheus text one read from a pipe;
#  2. `promtool tsdb analyze` accepts every block we wrote;
#  3. our index and chunks/000001 are byte-identical, block by block (matched
#     by block window), to what `promtool tsdb create-blocks-from openmetrics`
#     writes for the same OpenMetrics input; and the Prometheus-text import
#     gives the same bytes as the OpenMetrics one;
#  4. a prometheus server started on a copy of a directory we imported both
#     inputs into (two FILEs, one run) answers instant queries with the
#     imported values.
set -u -o pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 1
SOURCE_DIR=$(cd "$SOURCE_DIR" && pwd) || exit 1
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init import_promtool

need_cmd promtool
need_cmd prometheus
need_cmd curl
need_cmd python3
BIN=$BUILD_DIR/tsdb-scrape
need_exe "$BIN"
GEN=${TSDB_SHARED_DIR:-$SOURCE_DIR/../shared}/bench/gen_openmetrics.py
[ -f "$GEN" ] || GEN=/work/shared/bench/gen_openmetrics.py
[ -f "$GEN" ] || fail "gen_openmetrics.py not found"
cd "$TMP" || fail "cd $TMP"

# ------------------------------------------------------------------ inputs
gen=(--series 200 --samples-per-series 2000 --metrics 20 --seed 1 --start-ms 1795111200000)
python3 "$GEN" "${gen[@]}" -o gen.om 2>/dev/null || fail "gen_openmetrics (openmetrics)"
python3 "$GEN" "${gen[@]}" --format prometheus -o gen.prom 2>/dev/null || fail "gen_openmetrics (prometheus)"

python3 - hand.om hand.prom <<'EOF' || fail "writing the hand-made inputs"
import sys
base = 1795111200  # seconds, a multiple of 2h
rows = [  # (name, labels as written, value, seconds offset, ms part)
    ("weird_values", 'kind="nan"', "NaN", 0, 0),
    ("weird_values", 'kind="nan"', "1.5", 60, 250),
    ("weird_values", 'kind="pinf"', "+Inf", 0, 0),
    ("weird_values", 'kind="ninf"', "-Inf", 30, 0),
    ("weird_values", 'kind="negzero"', "-0", 30, 0),
    ("weird_values", 'kind="tiny"', "1e-300", 30, 1),
    ("weird_values", 'kind="huge"', "1.7976931348623157e+308", 30, 999),
    ("utf8_info", 'city="Zürich",note="日本語 text",emoji="🙂"', "1", 10, 0),
    ("escaped_info", 'path="C:\\\\dir\\\\file",quote="say \\"hi\\"",multi="line1\\nline2"', "2", 20, 0),
    ("one_sample", 'only="one"', "42", 3 * 7200 + 5, 0),
]
for i in range(300):  # a series over three block windows
    rows.append(("spanning", 'job="span"', str(i * 0.25), i * 60, 0))
om = ["# TYPE weird_values gauge", "# TYPE spanning gauge"]
prom = []
for name, labels, value, sec, ms in rows:
    t = base + sec
    om.append(f"{name}{{{labels}}} {value} {t}" + (f".{ms:03d}" if ms else ""))
    prom.append(f"{name}{{{labels}}} {value} {t * 1000 + ms}")
open(sys.argv[1], "w").write("\n".join(om) + "\n# EOF\n")
open(sys.argv[2], "w").write("\n".join(prom) + "\n")
EOF

# canon.py input|dump FILE: one canonical line per sample, sorted.
cat >canon.py <<'EOF'
import json, math, sys

def unescape(s, go):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c); i += 1; continue
        n = s[i + 1]
        if n == "n": out.append("\n"); i += 2
        elif n in '"\\': out.append(n); i += 2
        elif go and n == "t": out.append("\t"); i += 2
        elif go and n == "x": out.append(chr(int(s[i + 2:i + 4], 16))); i += 4
        elif go and n == "u": out.append(chr(int(s[i + 2:i + 6], 16))); i += 6
        elif go and n == "U": out.append(chr(int(s[i + 2:i + 10], 16))); i += 10
        else: out.append("\\" + n); i += 2
    return "".join(out)

def labels(s, i, go):
    """Parses {a="x", b="y"} from s[i] == '{'; returns (dict, index after '}')."""
    assert s[i] == "{", s
    i += 1
    d = {}
    while True:
        while s[i] in " ,": i += 1
        if s[i] == "}": return d, i + 1
        j = s.index("=", i)
        name = s[i:j].strip()
        assert s[j + 1] == '"', s
        k = j + 2
        while s[k] != '"':
            k += 2 if s[k] == "\\" else 1
        d[name] = unescape(s[j + 2:k], go)
        i = k + 1

def value(v):
    f = float(v)
    return "NaN" if math.isnan(f) else repr(f)

def canon(d, v, t):
    d = {k: x for k, x in d.items() if x != ""}
    return json.dumps(sorted(d.items()), ensure_ascii=False) + " " + value(v) + " " + str(t)

out = []
mode, path = sys.argv[1], sys.argv[2]
for line in open(path, encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"): continue
    if mode == "input":  # Prometheus text with ms timestamps
        b = line.find("{")
        sp = line.find(" ")
        if b < 0 or (sp >= 0 and sp < b):
            name, i, d = line[:sp], sp, {}
        else:
            name = line[:b]
            d, i = labels(line, b, False)
        d["__name__"] = name
        v, t = line[i:].split()
        out.append(canon(d, v, int(t)))
    else:  # promtool tsdb dump: {labels} value timestamp
        d, i = labels(line, 0, True)
        v, t = line[i:].split()
        out.append(canon(d, v, int(t)))
out.sort()
sys.stdout.write("\n".join(out) + "\n")
EOF

# ------------------------------------------------------------------ imports
for name in gen hand; do
  "$BIN" --db "ours-$name-om" "$name.om" 2>"ours-$name-om.log" || { cat "ours-$name-om.log" >&2; fail "import of $name.om"; }
  "$BIN" --db "ours-$name-prom" --input-format prom - <"$name.prom" 2>"ours-$name-prom.log" ||
    { cat "ours-$name-prom.log" >&2; fail "import of $name.prom from stdin"; }
  promtool tsdb create-blocks-from openmetrics "$name.om" "promtool-$name" >"promtool-$name.log" 2>&1 ||
    { cat "promtool-$name.log" >&2; fail "promtool create-blocks-from openmetrics $name.om"; }
  grep -q 'level=info msg="import done"' "ours-$name-om.log" || fail "no summary on stderr for $name.om"
done
pass "imported gen and hand-made inputs in both formats (Prometheus text from a pipe); promtool imported the OpenMetrics ones"

# ------------------------------------------------------------------ 1. dump
for name in gen hand; do
  python3 canon.py input "$name.prom" >"want-$name.txt" || fail "canonical input $name"
  for fmt in om prom; do
    d="ours-$name-$fmt"
    mkdir -p "$d/wal"  # promtool 2.42's dump opens the directory as a DB: it needs wal/
    promtool tsdb dump "$d" >"$d.dump" 2>"$d.dump.err" || { cat "$d.dump.err" >&2; fail "promtool tsdb dump $d"; }
    python3 canon.py dump "$d.dump" >"got-$name-$fmt.txt" || fail "canonical dump $d"
    if ! cmp -s "want-$name.txt" "got-$name-$fmt.txt"; then
      diff "want-$name.txt" "got-$name-$fmt.txt" | head -20 >&2
      fail "promtool tsdb dump of $d differs from the input"
    fi
    pass "promtool tsdb dump of $d equals the input: $(wc -l <"want-$name.txt") samples"
  done
done

# ------------------------------------------------------------------ 2. analyze
n=0
for d in ours-gen-om ours-gen-prom ours-hand-om ours-hand-prom; do
  for b in "$d"/*/meta.json; do
    id=$(basename "$(dirname "$b")")
    promtool tsdb analyze "$d" "$id" >"$d-$id.analyze" 2>&1 || { tail "$d-$id.analyze" >&2; fail "promtool tsdb analyze $d $id"; }
    n=$((n + 1))
  done
done
pass "promtool tsdb analyze accepts all $n blocks"

# ------------------------------------------------------------------ 3. bytes
python3 - <<'EOF' || fail "blocks differ from promtool's"
import glob, json, os, sys
H2 = 7200000
def blocks(d):
    out = {}
    for m in glob.glob(d + "/*/meta.json"):
        j = json.load(open(m))
        w = j["minTime"] // H2
        assert w not in out, f"{d}: two blocks in window {w}"
        out[w] = (os.path.dirname(m), j)
    return out
def same(a, b, f):
    return open(os.path.join(a, f), "rb").read() == open(os.path.join(b, f), "rb").read()
bad = 0
for name in ("gen", "hand"):
    ours, theirs, prom = blocks(f"ours-{name}-om"), blocks(f"promtool-{name}"), blocks(f"ours-{name}-prom")
    if sorted(ours) != sorted(theirs) or sorted(ours) != sorted(prom):
        print(f"{name}: block windows differ: ours {sorted(ours)} promtool {sorted(theirs)} prom {sorted(prom)}")
        bad += 1
        continue
    for w in sorted(ours):
        (od, oj), (td, tj), (pd, _) = ours[w], theirs[w], prom[w]
        # Our blocks span the whole aligned window; promtool's end at the last sample + 1.
        if oj["minTime"] != w * H2 or oj["maxTime"] != (w + 1) * H2:
            print(f"{name}: block {od} is not the aligned window: {oj['minTime']}..{oj['maxTime']}"); bad += 1
        for k in ("numSamples", "numSeries", "numChunks"):
            if oj["stats"][k] != tj["stats"][k]:
                print(f"{name}: window {w}: {k} ours {oj['stats'][k]} promtool {tj['stats'][k]}"); bad += 1
        for f in ("index", "chunks/000001"):
            if not same(od, td, f):
                print(f"{name}: window {w}: {f} differs from promtool's ({od} vs {td})"); bad += 1
            if not same(od, pd, f):
                print(f"{name}: window {w}: {f} differs between the OpenMetrics and Prometheus text imports"); bad += 1
    print(f"{name}: {len(ours)} blocks: index and chunks/000001 byte-identical to promtool's")
sys.exit(1 if bad else 0)
EOF
pass "index and chunks byte-identical to promtool create-blocks-from openmetrics, block by block"

# ------------------------------------------------------------------ 4. prometheus
# Both inputs in one run (several FILEs), then a copy of that directory.
"$BIN" --quiet --db ours-both gen.om hand.prom || fail "import of gen.om and hand.prom in one run"
cp -r ours-both served || fail "copying the data directory"
printf 'global:\n  scrape_interval: 1h\n' >prometheus.yml
port=$(free_port)
start_server prometheus.log prometheus --config.file=prometheus.yml --storage.tsdb.path=served \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port"
pid=$SERVER_PID
wait_http "http://127.0.0.1:$port/-/ready" 60 "$pid"
# query SELECTOR SECONDS WANT: the value of the single series at that time.
query() {
  local body got
  body=$(curl -fsS --max-time 20 --noproxy '*' -G "http://127.0.0.1:$port/api/v1/query" \
    --data-urlencode "query=$1" --data-urlencode "time=$2") || fail "query $1 at $2"
  printf '%s' "$body" | python3 -c '
import json, math, sys
r = json.load(sys.stdin)["data"]["result"]
want = float(sys.argv[1])
ok = len(r) == 1 and (float(r[0]["value"][1]) == want or (math.isnan(want) and math.isnan(float(r[0]["value"][1]))))
sys.exit(0 if ok else 1)' "$3" || fail "query $1 at $2: want one series with value $3, got $body"
}
# From the generated input: the first, a middle and the last sample of a series.
first=$(grep -v '^#' gen.prom | head -1)
sel=${first% * *}
checked=0
for ln in 1 1000 2000; do
  line=$(grep -F "$sel " gen.prom | sed -n "${ln}p")
  t=${line##* }
  v=${line% *}
  v=${v##* }
  query "$sel" "$(python3 -c "print($t / 1000)")" "$v"
  checked=$((checked + 1))
done
query 'weird_values{kind="nan"}' 1795111200 NaN
query 'weird_values{kind="nan"}' 1795111260.25 1.5
query 'weird_values{kind="pinf"}' 1795111200 +Inf
query 'weird_values{kind="ninf"}' 1795111230 -Inf
query 'utf8_info{city="Zürich"}' 1795111210 1
query 'escaped_info{quote="say \"hi\""}' 1795111220 2
query 'one_sample' $((1795111200 + 3 * 7200 + 5)) 42
query 'spanning' $((1795111200 + 299 * 60)) 74.75
pass "prometheus serves a copy of our directory: $((checked + 8)) instant queries give the imported values"
stop_server "$pid"

note "done in $((SECONDS)) s, $CHECKS checks"
