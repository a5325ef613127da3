#!/usr/bin/env bash
# Whole-command behaviour of tsdb-hashmod-shard: exit statuses, stdin and
# pipes, broken pipes, every output mode, bad input. Args: BUILD_DIR SOURCE_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)/tsdb-hashmod-shard"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
md5mod() { python3 -c "import hashlib,sys; print(int.from_bytes(hashlib.md5(sys.argv[1].encode()).digest()[8:],'big') % int(sys.argv[2]))" "$1" "$2"; }

for i in $(seq 1 300); do echo "10.0.$((i / 100)).$((i % 100)):9100"; done >targets.txt

# stdin and files agree, and each shard matches an independent md5 computation
check "stdin equals file" "$("$bin" -m 5 targets.txt)" "$("$bin" -m 5 <targets.txt)"
line=$("$bin" -m 5 targets.txt | sed -n 17p)
t=${line%%$'\t'*}
check "independent md5 for $t" "$(md5mod "$t" 5)" "${line##*$'\t'}"

# --shard K outputs partition the list
total=0
for k in 0 1 2 3 4; do total=$((total + $("$bin" -m 5 -k "$k" targets.txt | wc -l))); done
check "shards partition the list" 300 "$total"

# formats
check "csv header" "target,shard" "$("$bin" -m 3 --format csv targets.txt | head -1)"
check "jsonl rows" 300 "$("$bin" -m 3 --format jsonl targets.txt | python3 -c 'import sys,json; print(sum(1 for l in sys.stdin if json.loads(l)["shard"] in (0,1,2)))')"
check "json array" 300 "$("$bin" -m 3 --format json targets.txt | python3 -c 'import sys,json; print(len(json.load(sys.stdin)))')"

# broken pipe is quiet success
for i in $(seq 1 200000); do echo "h$i:1"; done >big.txt
"$bin" -m 7 big.txt 2>err.txt | head -1 >/dev/null
err=${PIPESTATUS[0]}
check "broken pipe exit status" 0 "$err"
check "broken pipe says nothing" "" "$(cat err.txt)"

# exit statuses
"$bin" -m 0 targets.txt 2>/dev/null; check "modulus 0 is a usage error" 2 $?
"$bin" targets.txt 2>/dev/null; check "missing --modulus is a usage error" 2 $?
"$bin" -m 3 -k 3 targets.txt 2>/dev/null; check "shard out of range" 2 $?
"$bin" -m 3 --bogus 2>/dev/null; check "unknown flag" 2 $?
"$bin" -m 3 nope.txt 2>err.txt; check "missing file exit" 1 $?
contains "missing file message" "nope.txt: no such file" "$(cat err.txt)"
printf '[{"targets": ["a:1"]},\n {"targets": ["b:2"], "labels": {"x": 1}}]' >bad.json
"$bin" -m 3 bad.json 2>err.txt; check "bad json exit" 1 $?
contains "bad json message" "bad.json: target group 1: label \\\"x\\\" must have a string value" "$(cat err.txt)"
printf -- '- targets: [a:1\n' >bad.yml
"$bin" -m 3 bad.yml 2>err.txt; check "bad yaml exit" 1 $?
contains "bad yaml position" "bad.yml: line" "$(cat err.txt)"
"$bin" -m 3 --log.format json bad.yml 2>err.txt
check "json log line" "error" "$(python3 -c 'import json,sys; print(json.loads(open("err.txt").readline())["level"])')"

# --split is atomic: a failing input leaves no files
mkdir split
"$bin" -m 3 --split split targets.txt bad.yml 2>/dev/null; check "split with bad input fails" 1 $?
check "split wrote nothing" "" "$(ls split)"
"$bin" -q -m 3 --split split targets.txt; check "split exit" 0 $?
check "split files" "shard-0.json shard-1.json shard-2.json" "$(ls split | tr '\n' ' ' | sed 's/ $//')"
check "split holds every target" 300 "$(cat split/*.json | grep -o ':9100"' | wc -l)"

# --config --job
mkdir -p sd
printf '[{"targets": ["n1:9100", "n2:9100"], "labels": {"env": "prod"}}]' >sd/nodes.json
cat >prometheus.yml <<'YML'
scrape_configs:
  - job_name: node
    file_sd_configs: [{files: ['sd/*.json']}]
    static_configs: [{targets: ['s1:9100']}]
YML
check "config targets" 3 "$("$bin" -m 2 --config prometheus.yml --job node | wc -l)"
check "config job label as source" "$(md5mod node 4)" "$("$bin" -m 4 --config prometheus.yml --job node --source-labels job | head -1 | cut -f2)"
"$bin" -m 2 --config prometheus.yml --job nope 2>err.txt; check "unknown job exit" 1 $?
contains "unknown job message" 'no scrape job named' "$(cat err.txt)"

# --series in a pipe, Prometheus text and OpenMetrics
cat >m.prom <<'PROM'
# HELP rpc_total RPCs.
# TYPE rpc_total counter
rpc_total{instance="a",code="200"} 1 1700000000000
rpc_total{instance="b",code="200"} 2 1700000000000
rpc_total{instance="c",code="500"} 3 1700000000000
# TYPE temp gauge
temp{instance="a"} 21.5 1700000000000
temp{instance="b"} NaN 1700000000000
PROM
samples=0
for k in 0 1 2; do
  out=$(cat m.prom | "$bin" --series -m 3 -k $k --source-labels instance)
  n=$(grep -c '^[^#]' <<<"$out")
  samples=$((samples + n))
  if grep -q '^rpc_total' <<<"$out"; then contains "series shard $k keeps TYPE" "# TYPE rpc_total counter" "$out"; fi
done
check "series shards partition samples" 5 "$samples"
check "series shard of instance a" "$(md5mod a 3)" "$("$bin" --series -m 3 --source-labels instance m.prom | grep '^temp{instance="a"}' | cut -f2)"
printf '# TYPE x gauge\nx{a="1"} 1\nx{a="2"} 2\n# EOF\n' >m.om
"$bin" --series -m 2 --split-out 'om-%d.txt' m.om; check "openmetrics split exit" 0 $?
check "each openmetrics shard ends in EOF" "# EOF # EOF" "$(tail -qn1 om-0.txt om-1.txt | tr '\n' ' ' | sed 's/ $//')"
printf 'up 1\nup{job="x" 2\n' | "$bin" --series -m 2 -k 0 >/dev/null 2>err.txt; check "exposition syntax error exit" 1 $?
contains "exposition syntax error names the line" "line 2" "$(cat err.txt)"
"$bin" --series -m 2 --split-out 'no-pattern.txt' m.prom 2>/dev/null; check "split-out without %d" 2 $?

finish hashmod_shard_test
