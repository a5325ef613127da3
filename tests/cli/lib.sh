# Shared by tests/cli/*_test.sh (sourced): a temporary working folder removed
# on exit, and assertions that count instead of stopping, so one run reports
# every failure. End a script with `finish NAME`.
#
#   source "$(dirname "$0")/lib.sh"
#   check NAME EXPECTED ACTUAL      # equal strings
#   contains NAME NEEDLE HAYSTACK   # substring
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
pass=0 fail=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: expected [$2], got [$3]"; fi
}
contains() {  # contains NAME NEEDLE HAYSTACK
  if [[ "$3" == *"$2"* ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: [$2] not in [$3]"; fi
}
finish() {  # finish NAME: the closing line, and the exit status
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
