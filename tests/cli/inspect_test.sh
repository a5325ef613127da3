#!/usr/bin/env bash
# Whole-command behaviour of tsdb-inspect: exit statuses (0/1/2/3), broken
# pipes, subcommand help, output formats. Blocks come from promtool's fixture
# block (tests/data/promtool_block) and from our own dump re-imported by
# promtool when it is installed. Args: BUILD_DIR SOURCE_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)/tsdb-inspect"
src=$(cd "$2" && pwd)
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

fixture=$src/tests/data/promtool_block
ulid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ulid"])' "$fixture/meta.json")
mkdir -p data/wal data/chunks_head
cp -r "$fixture" "data/$ulid"
rm -f "data/$ulid/input.om.txt" "data/$ulid/PROMTOOL_VERSION"
samples=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["numSamples"])' "$fixture/meta.json")

# help: top level lists the subcommands, each subcommand its own flags
"$bin" --help >out.txt; check "help exit" 0 $?
contains "help lists dump" "dump" "$(cat out.txt)"
"$bin" dump --help >out.txt; check "dump help exit" 0 $?
contains "dump help lists --match" "--match" "$(cat out.txt)"
"$bin" verify --help >/dev/null; check "verify help exit" 0 $?

# list
check "list rows" 1 "$("$bin" list data | wc -l)"
check "list tsv ulid" "$ulid" "$("$bin" list data | cut -f1)"
check "list json samples" "$samples" "$("$bin" list -o json data | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["samples"])')"
check "list after the subcommand: --quiet" 0 "$("$bin" list data --quiet >/dev/null; echo $?)"

# dump: every sample, a quiet broken pipe
check "dump samples" "$samples" "$("$bin" -q dump data | wc -l)"
check "dump openmetrics ends in EOF" "# EOF" "$("$bin" -q dump -o openmetrics data | tail -1)"
check "dump --match" "$("$bin" -q dump data | grep -c '^a_requests_total{')" "$("$bin" -q dump --match a_requests_total data | wc -l)"
"$bin" dump data 2>/dev/null | head -1 >/dev/null
check "broken pipe exit status" 0 "${PIPESTATUS[0]}"

# exit statuses
"$bin" -q verify data >out.txt; check "verify healthy" 0 $?
check "verify healthy prints nothing" "" "$(cat out.txt)"
check "verify json healthy" "[]" "$("$bin" -q verify -o json data)"
"$bin" dump --match 'up{' data 2>err.txt >/dev/null; check "bad selector exit" 2 $?
contains "bad selector message" "--match up{" "$(cat err.txt)"
"$bin" dump --min-time yesterday data 2>/dev/null >/dev/null; check "bad time exit" 2 $?
"$bin" list -o yaml data 2>/dev/null; check "bad format exit" 2 $?
"$bin" 2>/dev/null; check "no subcommand exit" 2 $?
"$bin" frobnicate data 2>/dev/null; check "unknown subcommand exit" 2 $?
"$bin" verify 2>/dev/null; check "missing DIR exit" 2 $?
"$bin" verify nope/ 2>err.txt; check "missing dir exit" 1 $?
contains "missing dir message" "nope/: no such directory" "$(cat err.txt)"
"$bin" dump nope/ 2>/dev/null; check "dump missing dir exit" 1 $?
"$bin" list nope/ 2>/dev/null; check "list missing dir exit" 1 $?

# corruption: exit 3 with the problem on stdout; the data directory is unchanged
cp -r data bad
before=$(cd bad && find . -type f -exec md5sum {} + | sort)
python3 - "bad/$ulid/chunks/000001" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[20] ^= 0xff
open(p, 'wb').write(b)
PY
mkdir "bad/$ulid.tmp-for-deletion"
"$bin" -q verify bad >out.txt; check "verify corrupt exit" 3 $?
contains "verify names chunk crc" "$ulid	chunks/000001	" "$(cat out.txt)"
contains "verify names leftover" "$ulid.tmp-for-deletion" "$(cat out.txt)"
"$bin" -q verify -o jsonl bad >out.txt; check "verify jsonl exit" 3 $?
check "verify jsonl kinds" "chunk-crc leftover" "$(python3 -c '
import json,sys
print(" ".join(sorted(json.loads(l)["kind"] for l in open("out.txt"))))')"
after=$(cd bad && find . -type f -exec md5sum {} + | sort)
before_fixed=$(printf '%s\n' "$before" | grep -v 'chunks/000001')
after_fixed=$(printf '%s\n' "$after" | grep -v 'chunks/000001')
check "verify changes nothing" "$before_fixed" "$after_fixed"
check "verify takes no lock" "" "$(ls bad/lock 2>/dev/null)"
rm "bad/$ulid/meta.json"
"$bin" -q verify bad >out.txt; check "missing meta.json exit" 3 $?
contains "missing meta.json reported" "meta.json" "$(cat out.txt)"
"$bin" list bad >/dev/null 2>err.txt; check "list with unreadable meta exit" 1 $?
"$bin" dump bad >/dev/null 2>err.txt; check "dump with unreadable meta exit" 1 $?

# a large block from promtool (if installed) for a broken pipe in the middle of the output
if command -v promtool >/dev/null 2>&1; then
  printf '# TYPE b counter\n' >big.om
  python3 -c '
import sys
sys.stdout.write("".join("b_total{i=\"%d\"} %d %d.%03d\n" % (i % 50, i, 1700006400 + i // 1000, i % 1000) for i in range(200000)))' >>big.om
  echo '# EOF' >>big.om
  promtool tsdb create-blocks-from openmetrics big.om bigdata >/dev/null 2>&1
  "$bin" dump bigdata 2>err.txt | head -3 >/dev/null
  check "big broken pipe exit" 0 "${PIPESTATUS[0]}"
  check "big broken pipe quiet" "" "$(cat err.txt)"
  check "big dump samples" 200000 "$("$bin" -q dump bigdata | wc -l)"
fi

finish inspect_test
