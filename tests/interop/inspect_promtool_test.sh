#!/usr/bin/env bash
# ctest-cost: 15 (seconds on 2 cores, 2026-11-23)
# Interop: tsdb-inspect against blocks written by Debian's promtool 2.42.
#
#   bash inspect_promtool_test.sh BUILD_DIR SOURCE_DIR
#
#  1. input: a generated OpenMetrics file (gen_openmetrics.py: 50 series x
#     1000 samples over 5 metrics, spanning several 2h blocks) and a
#     hand-written one (NaN, +Inf, -Inf, 1e-300, -0, escaped and UTF-8 label
#     values, one-sample series), each imported with
#     `promtool tsdb create-blocks-from openmetrics`;
#  2. `promtool tsdb dump` and `tsdb-inspect dump` must give the same samples:
#     both normalised by python3 to "labels value-bits timestamp" lines
#     (labels unescaped and sorted, values as IEEE-754 bits, every NaN as
#     one NaN), compared as sorted lists, sample for sample;
#  3. `tsdb-inspect verify` exits 0 on promtool's blocks;
#  4. `tsdb-inspect list` shows the blocks, series and samples of the blocks'
#     meta.json and of `promtool tsdb list`;
#  5. re-import: `tsdb-inspect dump -o openmetrics` of promtool's blocks,
#     imported again by promtool, dumps to the same samples.
# promtool missing is a failure, not a skip.
set -u -o pipefail

BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR SOURCE_DIR}" && pwd)
SOURCE_DIR=$(cd "${2:?usage: $0 BUILD_DIR SOURCE_DIR}" && pwd)
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init inspect_promtool

need_cmd promtool
need_cmd python3
INSPECT=$BUILD_DIR/tsdb-inspect
need_exe "$INSPECT"
GEN=${TSDB_SHARED_DIR:-$SOURCE_DIR/../shared}/bench/gen_openmetrics.py
[ -f "$GEN" ] || GEN=/work/shared/bench/gen_openmetrics.py
[ -f "$GEN" ] || fail "gen_openmetrics.py not found"
cd "$TMP" || fail "cd $TMP"

# ------------------------------------------------------------------ inputs
python3 "$GEN" --series 50 --samples-per-series 1000 --metrics 5 --seed 1 --start-ms 1795111200000 -o gen.om \
  || fail "generating gen.om"
cat >edge.om <<'OM'
# TYPE edge gauge
edge{case="nan"} NaN 1795111200
edge{case="nan"} 1 1795111215
edge{case="pinf"} +Inf 1795111200
edge{case="ninf"} -Inf 1795111200.5
edge{case="tiny"} 1e-300 1795111201
edge{case="negzero"} -0 1795111202
edge{case="big"} 1.7976931348623157e+308 1795111203
edge{case="third"} 0.3333333333333333 1795111204
# TYPE labels gauge
labels{path="C:\\dir\\file",quote="say \"hi\"",nl="line1\nline2"} 1 1795111200
labels{utf8="日本語",emoji="🦀",accent="été"} 2 1795111200
labels{empty_neighbour="x",tab="a	b"} 3 1795111200
# TYPE one_sample gauge
one_sample 42 1795118400
one_sample_other{job="x"} 7 1795125600
# EOF
OM

# A normaliser for both dump formats: one "labels bits ts" line per sample.
cp "$SOURCE_DIR/tests/interop/dump_norm.py" norm.py

compare_dumps() {  # compare_dumps NAME DATA_DIR
  local name=$1 data=$2
  mkdir -p "$data/wal"  # promtool 2.42's dump opens the head too
  promtool tsdb dump "$data" >"$name.promtool.txt" 2>"$name.promtool.err" || fail "promtool tsdb dump $data: $(tail -3 "$name.promtool.err")"
  "$INSPECT" -q dump "$data" >"$name.inspect.txt" || fail "tsdb-inspect dump $data exited $?"
  python3 norm.py <"$name.promtool.txt" >"$name.promtool.norm" || fail "normalising promtool's dump of $name"
  python3 norm.py <"$name.inspect.txt" >"$name.inspect.norm" || fail "normalising our dump of $name"
  local n
  n=$(wc -l <"$name.promtool.norm")
  [ "$n" -gt 0 ] || fail "$name: promtool dumped no samples"
  if ! cmp -s "$name.promtool.norm" "$name.inspect.norm"; then
    diff "$name.promtool.norm" "$name.inspect.norm" | head -20 >&2
    fail "$name: tsdb-inspect dump differs from promtool tsdb dump"
  fi
  pass "$name: tsdb-inspect dump equals promtool tsdb dump, $n samples"
  # series in the order promtool's dump has them (Prometheus's label order), each once
  python3 norm.py order <"$name.promtool.txt" >"$name.promtool.order"
  python3 norm.py order <"$name.inspect.txt" >"$name.inspect.order"
  cmp -s "$name.promtool.order" "$name.inspect.order" || {
    diff "$name.promtool.order" "$name.inspect.order" | head -10 >&2
    fail "$name: series order differs from promtool's"
  }
  [ "$(sort -u "$name.inspect.order" | wc -l)" -eq "$(wc -l <"$name.inspect.order")" ] || fail "$name: a series appears twice"
  pass "$name: $(wc -l <"$name.inspect.order") series in promtool's order, each once"
  COMPARED=$((COMPARED + n))
}

COMPARED=0
for input in gen edge; do
  promtool tsdb create-blocks-from openmetrics "$input.om" "data-$input" >"$input.import.log" 2>&1 \
    || fail "promtool create-blocks-from openmetrics $input.om: $(tail -5 "$input.import.log")"
  blocks=$(find "data-$input" -mindepth 1 -maxdepth 1 -type d -name '0*' | wc -l)
  [ "$blocks" -ge 1 ] || fail "$input: promtool wrote no blocks"
  note "$input: promtool wrote $blocks blocks"

  compare_dumps "$input" "data-$input"

  "$INSPECT" -q verify "data-$input" >"$input.verify.txt"
  rc=$?
  [ "$rc" -eq 0 ] || fail "$input: tsdb-inspect verify exited $rc on promtool's blocks: $(head -5 "$input.verify.txt")"
  pass "$input: tsdb-inspect verify exits 0 on promtool's blocks"

  # list vs meta.json vs promtool tsdb list
  "$INSPECT" -q list -o json "data-$input" >"$input.list.json" || fail "$input: tsdb-inspect list failed"
  python3 - "data-$input" "$input.list.json" <<'PY' || fail "$input: list differs from meta.json"
import glob, json, os, sys
data, listed = sys.argv[1], json.load(open(sys.argv[2]))
metas = sorted((json.load(open(p)) for p in glob.glob(os.path.join(data, '*', 'meta.json'))), key=lambda m: m['ulid'])
assert len(listed) == len(metas), (len(listed), len(metas))
for row, m in zip(listed, metas):
    for col, want in (('ulid', m['ulid']), ('min_time_ms', m['minTime']), ('max_time_ms', m['maxTime']),
                      ('series', m['stats']['numSeries']), ('samples', m['stats']['numSamples']),
                      ('chunks', m['stats']['numChunks']), ('level', m['compaction']['level'])):
        assert row[col] == want, (m['ulid'], col, row[col], want)
print('list: %d blocks, %d series, %d samples as in meta.json' % (
    len(listed), sum(r['series'] for r in listed), sum(r['samples'] for r in listed)))
PY
  pass "$input: tsdb-inspect list matches every meta.json"
  promtool tsdb list "data-$input" 2>/dev/null | awk 'NR > 1 { print $1, $5, $6, $7, $8 }' | sort >"$input.promtool.list"
  python3 -c '
import json, sys
for r in sorted(json.load(open(sys.argv[1])), key=lambda r: r["ulid"]):
    print(r["ulid"], r["samples"], r["chunks"], r["series"], r["size"])' "$input.list.json" >"$input.inspect.list"
  if ! diff "$input.promtool.list" "$input.inspect.list" >&2; then
    fail "$input: tsdb-inspect list differs from promtool tsdb list (ulid samples chunks series size)"
  fi
  pass "$input: tsdb-inspect list agrees with promtool tsdb list (samples, chunks, series, size)"

  # re-import our OpenMetrics dump and compare again
  "$INSPECT" -q dump -o openmetrics "data-$input" >"$input.again.om" || fail "$input: dump -o openmetrics failed"
  promtool tsdb create-blocks-from openmetrics "$input.again.om" "again-$input" >"$input.again.log" 2>&1 \
    || fail "$input: promtool refused our OpenMetrics dump: $(tail -5 "$input.again.log")"
  mkdir -p "again-$input/wal"
  promtool tsdb dump "again-$input" 2>/dev/null | python3 norm.py >"$input.again.norm" || fail "$input: dumping the re-import"
  if ! cmp -s "$input.promtool.norm" "$input.again.norm"; then
    diff "$input.promtool.norm" "$input.again.norm" | head -10 >&2
    fail "$input: samples changed through tsdb-inspect dump -o openmetrics | promtool create-blocks-from"
  fi
  pass "$input: our OpenMetrics dump re-imports unchanged ($(wc -l <"$input.again.norm") samples)"
done

# --match and time bounds against promtool's own selection (2.42 has --match? no: filter ourselves)
"$INSPECT" -q dump --match 'edge{case=~"n.*"}' --match one_sample data-edge | python3 norm.py >sel.norm
grep -E "'__name__', 'edge'\), \('case', 'n|'__name__', 'one_sample'\)\]" edge.promtool.norm | sort >sel.want
[ -s sel.want ] || fail "selection: nothing to compare"
cmp -s sel.want sel.norm || { diff sel.want sel.norm >&2; fail "dump --match union differs from the filtered promtool dump"; }
pass "dump with two --match selectors is the union of their series ($(wc -l <sel.norm) samples)"

note "compared $COMPARED samples with promtool tsdb dump in $((SECONDS)) s"
pass "inspect_promtool: $CHECKS checks"
