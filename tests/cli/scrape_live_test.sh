#!/usr/bin/env bash
# ctest-cost: 17 (seconds on 2 cores, 2026-11-23)
# Whole-command behaviour of tsdb-scrape in scrape mode, against the HTTP
# server scrape_test_server.py on 127.0.0.1 (free port, killed by PID at
# exit, every wait bounded): --once output and exit statuses, broken targets
# (refused, hanging, garbage, HTTP 500, body_size_limit) next to good ones,
# TLS (ca_file, server_name, insecure_skip_verify),
# headers sent, gzip, OpenMetrics, auth, limits, honor_labels, SIGHUP reload
# (good and bad), file_sd changes, SIGTERM, --listen, --db, the pipe into
# an import, usage errors. Args: BUILD_DIR SOURCE_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)/tsdb-scrape"
src="$(cd "$2" && pwd)"
source "$src/tests/cli/lib.sh"

pids=()
cleanup_pids() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]+"${pids[@]}"}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup_pids EXIT
yes_no() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi; }
# wait_for SECONDS COMMAND: polls COMMAND every 0.1 s; false after SECONDS.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  while ((SECONDS < deadline)); do
    eval "$1" && return 0
    sleep 0.1
  done
  return 1
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

mkdir srv
printf '# TYPE m gauge\nm{a="1"} 5\nm{a="2",job="exposed"} 6\n' >srv/metrics.prom
printf '# TYPE c counter\nc_total 3\nc_created 1700000000\n# EOF\n' >srv/metrics.om
timeout 300 python3 "$src/tests/cli/scrape_test_server.py" srv srv/port >srv/log 2>&1 &
pids+=($!)
wait_for 10 '[ -s srv/port ]' || { echo "FAIL test server did not start"; cat srv/log; exit 1; }
P=$(cat srv/port)
T=127.0.0.1:$P
# The first sample of a series in FILE: "value" (no timestamp).
val() { grep -F "$1" "$2" | head -1 | awk '{print $2}'; }

# --- --once: good targets beside broken ones --------------------------------
refused=127.0.0.1:$(free_port)
"$bin" --once --timeout 1s "$T" "$T/om" "$T/gzip" "http://$T/redirect" "$refused" "$T/hang" "$T/garbage" \
  "$T/status500" >once.out 2>once.err
check "--once with some targets down exits 0" 0 $?
check "plain text target" 5 "$(val "m{a=\"1\",instance=\"$T\",job=\"tsdb-scrape\"}" once.out)"
check "conflicting exposed job becomes exported_job" 6 \
  "$(val "m{a=\"2\",exported_job=\"exposed\",instance=\"$T\",job=\"tsdb-scrape\"}" once.out)"
check "OpenMetrics content type: counter and _created" "3 1.7e+09" \
  "$(val 'c_total{' once.out) $(val 'c_created{' once.out)"
check "every line has a millisecond timestamp" "" "$(awk 'NF != 3 || $3 !~ /^[0-9]+$/ || length($3) != 13' once.out)"
check "one up series per target" 8 "$(grep -c '^up{' once.out)"
check "up 1 for the four good targets" 4 "$(grep '^up{' once.out | grep -c ' 1 ')"
for what in "$refused" "$T/hang" "$T/garbage" "$T/status500"; do
  contains "failure logged: $what" "target=http://$what" "$(cat once.err)"
done
contains "refused reason" "Couldn't connect" "$(grep "$refused" once.err)"
contains "timeout reason" "timeout after 1000ms" "$(grep /hang once.err)"
contains "garbage reason names the line" "line 1, column 1" "$(grep /garbage once.err)"
contains "HTTP status reason" "server returned HTTP status 500 Internal Server Error" "$(grep /status500 once.err)"
contains "summary warning" 'msg="some targets are down" down=4 targets=8' "$(cat once.err)"
check "report series per target" 40 "$(grep -cE '^(up|scrape_duration_seconds|scrape_samples_scraped|scrape_samples_post_metric_relabeling|scrape_series_added)\{' once.out)"
check "scrape_samples_scraped of the text target" 2 \
  "$(grep "^scrape_samples_scraped{instance=\"$T\"" once.out | awk '{print $2}' | sort -u | tr '\n' ' ' | awk '{print $NF}')"

"$bin" --once "$refused" >down.out 2>down.err
check "--once with every target down exits 1" 1 $?
check "... and still writes up 0" "0" "$(val 'up{' down.out)"
contains "... and says so" "every scrape failed" "$(cat down.err)"

# A 20 MB body against --body-size-limit (the default for jobs that set none).
"$bin" --once --body-size-limit 1MiB "$T/huge" >huge.out 2>huge.err
check "--body-size-limit: a bigger body is up 0" 0 "$(val 'up{' huge.out)"
contains "--body-size-limit reason" "body size limit exceeded (limit 1048576 bytes)" "$(cat huge.err)"
"$bin" --once --body-size-limit 0 "$T/huge" >huge0.out 2>/dev/null
check "--body-size-limit 0: no limit" 1 "$(val 'up{' huge0.out)"

# --- the request Prometheus sends --------------------------------------------
"$bin" --once --timeout 2500ms "$T/headers" >hdr.out 2>/dev/null
contains "Accept header as Prometheus 2.42" 'name="accept",value="application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"' "$(cat hdr.out)"
contains "timeout header in seconds" 'name="x-prometheus-scrape-timeout-seconds",value="2.5"' "$(cat hdr.out)"
contains "gzip offered" 'name="accept-encoding",value="gzip"' "$(cat hdr.out)"
contains "user agent" 'name="user-agent",value="tsdb-scrape/' "$(cat hdr.out)"

# --- a configuration: limits, auth, honor_labels, external labels ------------
printf 'secret\n' >pw.txt
printf ' token42 \n' >token.txt
cat >limits.yml <<EOF
global:
  scrape_interval: 1s
  external_labels:
    worker: "0"
scrape_configs:
  - job_name: big
    body_size_limit: 1KB
    metrics_path: /huge
    static_configs: [{targets: ['$T']}]
  - job_name: samples
    sample_limit: 1
    static_configs: [{targets: ['$T']}]
  - job_name: labels
    label_limit: 3
    static_configs: [{targets: ['$T']}]
  - job_name: basic
    metrics_path: /auth
    basic_auth: {username: user, password_file: pw.txt}
    static_configs: [{targets: ['$T']}]
  - job_name: bearer
    metrics_path: /auth
    authorization: {credentials_file: token.txt}
    static_configs: [{targets: ['$T']}]
  - job_name: noauth
    metrics_path: /auth
    static_configs: [{targets: ['$T']}]
  - job_name: honor
    honor_labels: true
    static_configs: [{targets: ['$T'], labels: {a: from-target}}]
  - job_name: relabel
    static_configs: [{targets: ['$T']}]
    metric_relabel_configs:
      - {source_labels: [a], regex: '2', action: drop}
EOF
"$bin" --once --config limits.yml >cfg.out 2>cfg.err
check "--config --once exits 0" 0 $?
up() { grep "^up{" cfg.out | grep "job=\"$1\"" | awk '{print $2}'; }
check "body_size_limit: up 0" 0 "$(up big)"
contains "body_size_limit reason" "body size limit exceeded (limit 1024 bytes)" "$(grep job=big cfg.err)"
check "sample_limit: up 0" 0 "$(up samples)"
contains "sample_limit reason" "sample limit exceeded" "$(grep job=samples cfg.err)"
check "sample_limit: nothing stored" "" "$(grep '^m{' cfg.out | grep 'job="samples"')"
check "sample_limit: all samples counted" 2 "$(grep '^scrape_samples_scraped{' cfg.out | grep 'job="samples"' | awk '{print $2}')"
check "label_limit: up 0" 0 "$(up labels)"
contains "label_limit reason" "label_limit exceeded (metric: m, number of labels: 4, limit: 3)" "$(grep job=labels cfg.err)"
check "basic_auth from password_file" "1 2" "$(up basic) $(grep '^m{' cfg.out | grep -c 'job="basic"')"
check "bearer from credentials_file" "1 2" "$(up bearer) $(grep '^m{' cfg.out | grep -c 'job="bearer"')"
check "no credentials: 401 is up 0" 0 "$(up noauth)"
contains "401 reason" "server returned HTTP status 401" "$(grep job=noauth cfg.err)"
check "honor_labels: exposed label wins" 1 "$(grep '^m{a="1",instance=' cfg.out | grep -c 'job="honor"')"
check "honor_labels: exposed job wins" 1 "$(grep '^m{a="2",instance=' cfg.out | grep -c 'job="exposed"')"
check "metric_relabel_configs drop" "1 1" "$(grep '^m{' cfg.out | grep -c 'job="relabel"') $(grep '^scrape_samples_post_metric_relabeling{' cfg.out | grep 'job="relabel"' | awk '{print $2}')"
check "external labels on every line" "" "$(grep -v 'worker="0"' cfg.out)"

# --- TLS: ca_file, server_name, insecure_skip_verify --------------------------
if command -v openssl >/dev/null; then
  mkdir tls
  openssl req -x509 -newkey rsa:2048 -nodes -keyout tls/key.pem -out tls/cert.pem -days 2 \
    -subj "/CN=scrape.test" -addext "subjectAltName=DNS:scrape.test" >/dev/null 2>&1
  timeout 300 python3 "$src/tests/cli/scrape_test_server.py" srv tls/port tls/cert.pem tls/key.pem >tls/log 2>&1 &
  pids+=($!)
  wait_for 10 '[ -s tls/port ]' || { echo "FAIL TLS test server did not start"; cat tls/log; }
  S=127.0.0.1:$(cat tls/port)
  cat >tls.yml <<EOF
scrape_configs:
  - job_name: named
    scheme: https
    metrics_path: /host
    tls_config: {ca_file: tls/cert.pem, server_name: scrape.test}
    static_configs: [{targets: ['$S']}]
  - job_name: unnamed
    scheme: https
    tls_config: {ca_file: tls/cert.pem}
    static_configs: [{targets: ['$S']}]
  - job_name: insecure
    scheme: https
    tls_config: {insecure_skip_verify: true}
    static_configs: [{targets: ['$S']}]
EOF
  "$bin" --once --config tls.yml >tls.out 2>tls.err
  check "TLS: server_name verified, Host kept" 1 "$(val "request_host{host=\"$S\",instance=\"$S\",job=\"named\"}" tls.out)"
  check "TLS: certificate name mismatch is up 0" 0 "$(grep '^up{' tls.out | grep 'job="unnamed"' | awk '{print $2}')"
  contains "TLS: mismatch reason" "127.0.0.1" "$(grep job=unnamed tls.err)"
  check "TLS: insecure_skip_verify" 1 "$(grep '^up{' tls.out | grep 'job="insecure"' | awk '{print $2}')"
fi

# --- the pipe into an import, and --db --------------------------------------
"$bin" --once "$T" 2>/dev/null | "$bin" --db piped - 2>pipe.err
check "scrape | import exits 0" 0 $?
contains "import took every line" "series=7 samples=7" "$(cat pipe.err)"
"$bin" --once --db live "$T" 2>db.err >db.out
check "--once --db exits 0" 0 $?
check "--db: nothing on stdout" "" "$(cat db.out)"
yes_no "--db: WAL written" '[ -n "$(find live/wal -type f -size +0 2>/dev/null)" ]'
"$bin" --once --db live --stdout --wal-compression zstd "$T" >db2.out 2>db2.err
check "--db again (WAL replayed) with --stdout" 0 $?
contains "--stdout prints beside --db" "up{instance=\"$T\",job=\"tsdb-scrape\"} 1" "$(cat db2.out)"
contains "replay found the first run's series" "series=7" "$(cat db2.err)"

# --- long-running: --listen, SIGHUP (good and bad), file_sd, SIGTERM ---------
LP=$(free_port)
printf '[{"targets": ["%s"], "labels": {"g": "1"}}]\n' "$T" >sd.json
cat >live.yml <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: one
    static_configs: [{targets: ['$T']}]
  - job_name: sd
    file_sd_configs: [{files: [sd.json]}]
EOF
"$bin" --config live.yml --listen "127.0.0.1:$LP" >live.out 2>live.err &
sp=$!
pids+=($sp)
metrics() { curl -fsS --max-time 5 --noproxy '*' "http://127.0.0.1:$LP/metrics"; }
yes_no "--listen serves /metrics" "wait_for 10 'metrics 2>/dev/null | grep -q \"tsdb_scrape_target_up{scrape_job=\\\"one\\\"\"'"
check "/-/healthy" "Healthy." "$(curl -fsS --max-time 5 --noproxy '*' "http://127.0.0.1:$LP/-/healthy")"
yes_no "both jobs scraped" "wait_for 10 'grep -q \"^up{g=\\\"1\\\",instance=\\\"$T\\\",job=\\\"sd\\\"} 1\" live.out && grep -q \"job=\\\"one\\\"} 1\" live.out'"
contains "self metrics: scrapes counted" 'tsdb_scrape_scrapes_total{scrape_job="one"}' "$(metrics)"
contains "self metrics: appended" 'tsdb_scrape_samples_appended_total{sink="stdout"}' "$(metrics)"

# file_sd: a second group appears without a reload
printf '[{"targets": ["%s"], "labels": {"g": "1"}}, {"targets": ["%s"], "labels": {"g": "2"}}]\n' "$T" "$T" >sd.json.tmp
mv sd.json.tmp sd.json
yes_no "file_sd change picked up" "wait_for 15 'grep -q \"^up{g=\\\"2\\\"\" live.out'"

# SIGHUP with a new job
sed -i 's/job_name: one/job_name: two/' live.yml
kill -HUP $sp
yes_no "reload logged" "wait_for 10 'grep -q \"msg=\\\"config reloaded\\\"\" live.err'"
yes_no "new job scraped after reload" "wait_for 10 'grep -q \"job=\\\"two\\\"} 1\" live.out'"
# SIGHUP with a broken file: logged, the old configuration goes on
echo "scrape_configs: [" >live.yml
kill -HUP $sp
yes_no "bad reload logged" "wait_for 10 'grep -q \"config reload failed\" live.err'"
contains "bad reload names the file and line" "live.yml: line " "$(grep 'config reload failed' live.err)"
yes_no "reload failure in self metrics" "wait_for 5 'metrics | grep -q \"^tsdb_scrape_config_last_reload_successful 0\"'"
n=$(grep -c 'job="two"} 1' live.out)
yes_no "still scraping after the bad reload" "wait_for 10 '[ \$(grep -c \"job=\\\"two\\\"} 1\" live.out) -gt $n ]'"
kill -TERM $sp
stopped=1
wait_for 15 "! kill -0 $sp 2>/dev/null" && stopped=0
check "SIGTERM stops within its bound" 0 $stopped
wait $sp
check "SIGTERM exits 0" 0 $?
contains "stop summary" 'msg=stopped' "$(cat live.err)"
check "every output line is complete" "" "$(awk 'NF != 3' live.out)"

# A hanging target delays SIGTERM at most by its timeout.
"$bin" --interval 2s --timeout 2s "$T/hang" >hang.out 2>hang.err &
hp=$!
pids+=($hp)
wait_for 10 "grep -q /hang srv/requests.log" >/dev/null
sleep 0.3
kill -TERM $hp
t0=$SECONDS
wait_for 10 "! kill -0 $hp 2>/dev/null"
wait $hp
check "SIGTERM with a scrape in flight exits 0" 0 $?
yes_no "... after at most the timeout" "[ $((SECONDS - t0)) -le 4 ]"

# A closed pipe stops the scraper quietly.
timeout 20 "$bin" --interval 1s "$T" 2>pipe2.err | head -1 >/dev/null
check "reader gone: exit 0" 0 "${PIPESTATUS[0]}"

# --- usage errors ------------------------------------------------------------
echo "m 1" >file.prom
"$bin" --once file.prom "$T" 2>u.err; check "files and targets mixed" 2 $?
contains "mixing message" "cannot mix files" "$(cat u.err)"
"$bin" --config live.yml "$T" 2>/dev/null; check "--config and targets" 2 $?
"$bin" --once 2>/dev/null; check "nothing to do" 2 $?
"$bin" --db x --once file.prom 2>/dev/null; check "--once while importing" 2 $?
"$bin" --memory-limit 1GiB "$T" 2>/dev/null; check "--memory-limit while scraping" 2 $?
"$bin" --interval 1s --timeout 2s "$T" 2>/dev/null; check "timeout above interval" 2 $?
"$bin" --interval soon "$T" 2>/dev/null; check "bad interval" 2 $?
"$bin" --once --listen nowhere "$T" 2>/dev/null; check "bad --listen" 2 $?
"$bin" --once --db y --wal-compression lz4 "$T" 2>/dev/null; check "bad --wal-compression" 2 $?
"$bin" --once --config missing.yml 2>u.err; check "missing config file" 1 $?
contains "missing config named" "missing.yml" "$(cat u.err)"
yes_no "host:port that is a file is a file" "[ \"\$(cd srv && touch 'h:1' && \"$bin\" --db ../imp h:1 2>&1; echo \$?)\" != 2 ]"

finish scrape_live
