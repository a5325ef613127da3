#!/usr/bin/env bash
# ctest-cost: 35 (seconds on 2 cores, 2026-11-23)
# Whole-command behaviour of tsdb-compact: compaction keeps every sample,
# a second run does nothing, --dry-run changes nothing, retention, delete,
# leftovers of interrupted work, locks, bad input (failed groups, the others
# go on), downsampling, exit statuses. Data comes from tsdb-scrape --db.
# Args: BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$(cd "$1" && pwd)
bin=$build/tsdb-compact
src=$(cd "$2" && pwd)
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
scrape=$build/tsdb-scrape
inspect=$build/tsdb-inspect

# N series of a counter every STEP seconds for HOURS hours from a 2h
# boundary (2023-11-14T22:00Z), or OFFSET hours later.
gen() {  # gen FILE SERIES HOURS STEP_S [OFFSET_H]
  python3 - "$@" <<'PY'
import sys
path, n, hours, step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
start = 1700000000000 - 1700000000000 % 7200000 + (int(sys.argv[5]) if len(sys.argv) > 5 else 0) * 3600000
with open(path, "w") as f:
    for t in range(start, start + hours * 3600000, step * 1000):
        for i in range(n):
            f.write(f'm_total{{i="{i}"}} {(t - start) // 1000 + i} {t}\n')
PY
}
blocks() { "$inspect" -q list "$1" | wc -l; }
tree() { (cd "$1" && find . -type f -not -name compact.lock -exec md5sum {} + | sort); }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

gen in.prom 20 12 15
"$scrape" -q --db data in.prom
check "import made 6 blocks" 6 "$(blocks data)"
"$inspect" -q dump data >before.txt

# help, docs, usage errors
"$bin" --help >out.txt; check "help exit" 0 $?
contains "help lists delete" "delete" "$(cat out.txt)"
"$bin" delete --help >/dev/null; check "delete help exit" 0 $?
python3 "$src/tests/cli/docs_in_step.py" "$bin" "$src" >/dev/null; check "docs in step" 0 $?
"$bin" 2>/dev/null; check "no DIR exit" 2 $?
"$bin" -o yaml data 2>/dev/null; check "bad format exit" 2 $?
"$bin" --retention 3x data 2>err.txt; check "bad duration exit" 2 $?
contains "bad duration names the flag" "--retention" "$(cat err.txt)"
"$bin" --retention.size 3XB data 2>/dev/null; check "bad size exit" 2 $?
"$bin" --downsample --retention.raw 1d data 2>err.txt; check "raw retention under 40h exit" 2 $?
"$bin" --downsample.dir data data 2>/dev/null; check "downsample dir = DIR exit" 2 $?
"$bin" delete data 2>/dev/null; check "delete without --match exit" 2 $?
"$bin" delete --match 'up{' data 2>/dev/null; check "delete bad selector exit" 2 $?
"$bin" nope/ 2>err.txt; check "missing dir exit" 1 $?
contains "missing dir message" "nope: no such directory" "$(cat err.txt)"

# dry run: a plan on stdout, nothing changed, no lock file
t0=$(tree data)
"$bin" -n data >plan.txt 2>/dev/null; check "dry run exit" 0 $?
check "dry run plans two compactions" 2 "$(grep -c '^compact ' plan.txt)"
check "dry run changes nothing" "$t0" "$(tree data)"
check "dry run takes no lock" "no" "$([ -e data/compact.lock ] && echo yes || echo no)"

# compaction: every sample kept, lineage as Prometheus writes it, idempotent
"$bin" -o json data >report.json 2>err.txt; check "compact exit" 0 $?
check "two groups compacted" 2 "$(field 'len(d["compacted"])' <report.json)"
check "first group leveled" leveled "$(field 'd["compacted"][0]["reason"]' <report.json)"
check "blocks after" 3 "$(blocks data)"
"$inspect" -q dump data >after.txt
check "same samples after compaction" "$(md5sum <before.txt)" "$(md5sum <after.txt)"
"$inspect" -q verify data >/dev/null; check "verify after compaction" 0 $?
check "level 3 block" 3 "$("$inspect" -q list -o json data | field 'max(b["level"] for b in d)')"
t1=$(tree data)
"$bin" data 2>err.txt; check "second run exit" 0 $?
contains "second run: nothing to do" "nothing to do" "$(cat err.txt)"
check "second run changes nothing" "$t1" "$(tree data)"
check "dry run after: nothing to do" "nothing to do" "$("$bin" -n data 2>/dev/null)"

# overlapping blocks (the same import twice): one sample per timestamp
gen small.prom 3 4 15
"$scrape" -q --db ov small.prom
"$scrape" -q --db ov small.prom 2>/dev/null
"$inspect" -q dump ov >ov_before.txt
"$bin" -q ov; check "vertical compaction exit" 0 $?
"$inspect" -q dump ov >ov_after.txt
check "overlap: samples once" "$(md5sum <ov_before.txt)" "$(md5sum <ov_after.txt)"
check "overlap: 3 series x 4h x 240/h" 2880 "$(wc -l <ov_after.txt)"

# overlapping blocks that disagree: the block written first wins, reported
printf 'c{k="a"} 1 1700000000000\nc{k="a"} 2 1700000015000\n' >first.prom
printf 'c{k="a"} 9 1700000000000\nc{k="a"} 2 1700000015000\nc{k="a"} 3 1700000030000\n' >second.prom
"$scrape" -q --db conf first.prom
"$scrape" -q --db conf second.prom 2>/dev/null
"$bin" conf 2>err.txt; check "conflicting blocks exit" 0 $?
contains "conflict reported" 'disagree at some timestamps; kept the value of the block written first" conflicts=1 first="{__name__=\"c\", k=\"a\"} at 1700000000000"' "$(cat err.txt)"
check "the first-written value kept" "c{k=\"a\"} 1 1700000000000
c{k=\"a\"} 2 1700000015000
c{k=\"a\"} 3 1700000030000" "$("$inspect" -q dump conf)"

# retention by time: blocks ending 4h or more before the newest one's end go
newest_max=$("$inspect" -q list -o json data | field 'max(b["max_time_ms"] for b in d)')
want=$("$inspect" -q list -o json data | field "sum(1 for b in d if $newest_max - b['max_time_ms'] < 4*3600000)")
"$bin" -q --retention 4h data; check "retention exit" 0 $?
check "retention kept blocks" "$want" "$(blocks data)"
check "retention: the deleted samples are gone" 1 "$([ "$("$inspect" -q dump data | wc -l)" -lt "$(wc -l <after.txt)" ] && echo 1)"

# retention by size: the oldest blocks go while blocks and wal/ exceed it
"$scrape" -q --db sized in.prom
mkdir -p sized/wal && head -c 10000 /dev/zero >sized/wal/00000000
one=$(for b in sized/0*; do find "$b" -type f -printf '%s\n' | awk '{s += $1} END {print s}'; done | sort -n | tail -1)
"$bin" -q --max-block-duration 2h --retention.size $((10000 + one * 5 / 2))B -o json sized >sized.json
check "size retention deletes the oldest blocks" "retention-size retention-size retention-size retention-size" \
  "$(field '" ".join(x["reason"] for x in d["deleted"])' <sized.json)"
check "size retention keeps the newest two" 2 "$(blocks sized)"

# delete: tombstones hide samples at once; a compaction removes them
cp -r ov del
"$bin" delete -q --match 'm_total{i="1"}' del; check "delete exit" 0 $?
check "deleted series hidden" 0 "$("$inspect" -q dump del | grep -c 'i="1"')"
check "numTombstones in both blocks' meta" 2 "$(cat del/*/meta.json | grep -c '"numTombstones": 1')"
"$bin" delete --match 'm_total{i="2"}' --min-time 1699999200 --max-time 1700000100 -o json del >del.json
check "delete json names one block" 1 "$(field 'len(d["blocks"])' <del.json)"
"$bin" delete -q --match 'm_total{i="2"}' --min-time 1699999200 --max-time 1700000100 del
check "deleting again adds nothing" 1 "$(cat del/*/meta.json | grep -c '"numTombstones": 2')"
# Every series of the older block deleted: Prometheus's rule rewrites it
# alone; nothing is left, so it goes.
"$bin" delete -q --match 'm_total' --max-time 1700006399 del
"$bin" -o json del >del2.json 2>/dev/null; check "tombstone compaction exit" 0 $?
check "fully deleted block rewritten alone" tombstones "$(field 'd["compacted"][0]["reason"]' <del2.json)"
check "fully deleted block: no output" None "$(field 'd["compacted"][0]["output"]' <del2.json)"
check "one block left" 1 "$(blocks del)"
check "deleted series still gone" 0 "$("$inspect" -q dump del | grep -c 'i="1"')"
# More than 5% of a large block's series: rewritten alone, tombstones applied.
gen tomb.prom 20 14 15 2
"$scrape" -q --db tomb tomb.prom
"$bin" -q --max-block-duration 6h tomb
check "tomb: 6h, 6h and 2h blocks" "6h 6h 2h" "$("$inspect" -q list -o json tomb | field '" ".join(b["duration"] for b in sorted(d, key=lambda b: b["min_time_ms"]))')"
"$bin" delete -q --match 'm_total{i=~"1|2"}' --max-time 1700024400 tomb
"$inspect" -q dump tomb >tomb_before.txt
"$bin" -o json --max-block-duration 6h tomb >tomb.json 2>/dev/null
check "tombstone rule: one block rewritten" tombstones "$(field 'd["compacted"][0]["reason"]' <tomb.json)"
check "tombstone rule: level + 1" 3 "$(field 'd["compacted"][0]["level"]' <tomb.json)"
check "tombstone rule: no tombstones left" 0 "$(cat tomb/*/meta.json | grep -c numTombstones)"
"$inspect" -q dump tomb >tomb_after.txt
check "tombstone rule: same samples" "$(md5sum <tomb_before.txt)" "$(md5sum <tomb_after.txt)"

# leftovers of interrupted work, and the parents of a finished merge
"$scrape" -q --db crash in.prom
first=$(ls crash | head -1)
cp -r "crash/$first" saved_parent
"$bin" -q crash
mkdir -p crash/01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation/chunks crash/01ARZ3NDEKTSV4RRFFQ69G5FAW.tmp-for-deletion
cp -r saved_parent "crash/$first"  # as if killed after the rename, before deleting the inputs
"$bin" -o json crash >crash.json 2>/dev/null; check "clean-up exit" 0 $?
check "leftovers removed" 2 "$(field 'len(d["removed"])' <crash.json)"
check "parent deleted" parent "$(field 'd["deleted"][0]["reason"]' <crash.json)"
check "no leftovers on disk" "" "$(ls crash | grep tmp)"
"$inspect" -q dump crash >crash_dump.txt
check "clean-up kept every sample once" "$(md5sum <before.txt)" "$(md5sum <crash_dump.txt)"

# locks: a foreign DIR/lock holder is refused unless --force; one of ours is not
cp -r ov locked
flock locked/lock sleep 30 &
holder=$!
sleep 0.3
"$bin" locked 2>err.txt; check "foreign lock exit" 1 $?
contains "foreign lock names the holder" "flock" "$(cat err.txt)"
"$bin" -n locked >/dev/null 2>&1; check "foreign lock: dry run refused too" 1 $?
"$bin" -q --force locked 2>/dev/null; check "--force exit" 0 $?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
cp "$(command -v flock)" ./tsdb-holder
"$scrape" -q --db ours small.prom
"$scrape" -q --db ours small.prom 2>/dev/null
./tsdb-holder ours/lock sleep 30 &
holder=$!
sleep 0.3
"$bin" -q ours; check "our writer's lock: compacts beside it" 0 $?
check "our writer's lock: compacted" 2 "$(blocks ours)"
"$bin" delete -q --match 'm_total{i="0"}' ours 2>/dev/null; check "delete beside our writer" 0 $?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
flock ov/compact.lock sleep 30 &
holder=$!
sleep 0.3
"$bin" ov 2>err.txt; check "compact.lock held exit" 1 $?
contains "compact.lock held message" "compact.lock is held" "$(cat err.txt)"
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# bad input: the failing group is reported with its block, left as it was,
# and the other groups are done (or nothing more with --halt-on-error)
gen two.prom 5 16 60  # 8 blocks: [0,6h) and [6h,12h) windows compact separately
"$scrape" -q --db bad two.prom
mapfile -t bb < <(ls bad | grep -v compact.lock)
cp -r bad bad_halt
python3 - "bad/${bb[1]}/chunks/000001" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[40] ^= 0x5a; open(p, 'wb').write(b)
PY
corrupt_sum=$(tree "bad/${bb[1]}")
"$bin" -o json bad >bad.json 2>err.txt; check "corrupt chunk exit" 1 $?
contains "error names the block" "${bb[1]}" "$(cat err.txt)"
contains "error says checksum" "checksum" "$(cat err.txt)"
check "the other group was compacted" 1 "$(field 'len(d["compacted"])' <bad.json)"
check "corrupt input left as it was" "$corrupt_sum" "$(tree "bad/${bb[1]}")"
check "no temporary folder left" "" "$(ls bad | grep tmp)"
sed -i 's/"version": 1/"version": 7/' "bad_halt/${bb[4]}/meta.json"
"$bin" --halt-on-error bad_halt 2>err.txt; check "--halt-on-error exit" 1 $?
contains "unknown version named" "${bb[4]}/meta.json: unexpected meta file version 7" "$(cat err.txt)"
check "--halt-on-error: nothing compacted" 8 "$(ls bad_halt | grep -vc compact.lock)"
"$bin" bad_halt 2>err.txt >/dev/null; check "unknown version: exit 1" 1 $?
check "unknown version: the others compacted" 1 "$([ "$(ls bad_halt | grep -vc compact.lock)" -lt 8 ] && echo 1)"
check "unknown version: block kept" 1 "$([ -d "bad_halt/${bb[4]}" ] && echo 1)"
"$scrape" -q --db trunc two.prom
t=$(ls trunc | head -1)
truncate -s 100 "trunc/$t/index"
"$bin" trunc 2>err.txt >/dev/null; check "truncated index exit" 1 $?
contains "truncated index names the block" "$t/index" "$(cat err.txt)"

# downsampling: 4.5 days at 60s; raw blocks reach 54h and go to 5m
gen long.prom 4 108 60
"$scrape" -q --db ds long.prom
"$bin" -q --downsample ds; check "downsample exit" 0 $?
check "a 5m block" "5m" "$("$inspect" -q list -o json ds/downsampled | field 'd[0]["resolution"]')"
check "5m block is 54h" "2d6h" "$("$inspect" -q list -o json ds/downsampled | field 'd[0]["duration"]')"
"$inspect" -q dump ds/downsampled >/dev/null 2>&1; check "dump of downsampled blocks needs --aggregate" 2 $?
check "count aggregate: every raw sample of the 54h counted once" $((4 * 60 * 54)) \
  "$("$inspect" -q dump --aggregate count ds/downsampled | awk '{s += $2} END {print s}')"
check "max aggregate: one sample per 5m window and series" $((4 * 12 * 54)) \
  "$("$inspect" -q dump --aggregate max ds/downsampled | wc -l)"
cp -r ds ds_ret
"$bin" -q --downsample --retention.raw 40h -o json ds_ret >ret.json; check "raw retention exit" 0 $?
check "raw retention (wall clock): every raw block of 2023 goes" 0 "$(blocks ds_ret)"
check "raw retention: the 5m block stays" 1 "$(blocks ds_ret/downsampled)"
t2=$(tree ds)
"$bin" --downsample ds 2>err.txt; check "downsample second run" 0 $?
contains "downsample second run: nothing to do" "nothing to do" "$(cat err.txt)"
check "downsample second run changes nothing" "$t2" "$(tree ds)"

finish compact_test
