#!/usr/bin/env bash
# sfhook's benchmarks, each measured side by side with the tool it is
# compared to, in one run. Usage:
#
#   benches/run.sh [delivery|log|tail|all]      (default: all)
#
# `tail` is the part of `log` that reads the end of the log (the newest 50,
# a --since window) against tail -n 50; it skips the minutes jq takes.
#
# Installs what it needs (nginx, wrk, hyperfine, ripgrep, jq, curl, GNU time)
# from Debian's packages when missing, builds sfhook in release mode, starts
# nginx on 127.0.0.1:18787 as a fast local receiver, and prints a Markdown
# table of results. RECORDS=N sets the size of the generated log (default
# 1,000,000); BURST=N the number of mocks in a burst (default 10,000).
set -euo pipefail

cd "$(dirname "$0")/.."
what=${1:-all}
records=${RECORDS:-1000000}
burst=${BURST:-10000}
concurrency=32
port=18787
url="http://127.0.0.1:$port/payload"

need() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1
  fi
}
need nginx:nginx-light wrk:wrk hyperfine:hyperfine rg:ripgrep jq:jq curl:curl /usr/bin/time:time

cargo build --release --quiet --bin sfhook --example gen_log
sfhook=$PWD/target/release/sfhook
gen_log=$PWD/target/release/examples/gen_log

work=$(mktemp -d)
trap 'nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/nginx"
cp benches/nginx.conf "$work/nginx/"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
for _ in $(seq 50); do curl -s -o /dev/null "$url" && break; sleep 0.1; done

export SFHOOK_SECRET=bench-secret-0123456789abcdef
export SFHOOK_HOME=$work/home
unset SFHOOK_URL SFHOOK_PROFILE NO_COLOR HTTP_PROXY HTTPS_PROXY http_proxy https_proxy

# mean wall time in seconds of hyperfine's command number $2 in $1
mean() { jq -r ".results[$2].mean" "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
peak_mb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{ printf "%.1f", $1 / 1024 }'; }

echo "| benchmark | sfhook | compared with | ratio | target |"
echo "|---|---|---|---|---|"

if [ "$what" = delivery ] || [ "$what" = all ]; then
  # The same signed POST that `mock` makes, for curl and wrk.
  "$sfhook" events show device-enrolled | jq -c . | tr -d '\n' >"$work/body.json"
  signature=$("$sfhook" sign "$work/body.json")
  headers=(-H 'Content-Type: application/json' -H "X-SF-Signature: $signature"
    -H 'X-SF-Event: device.enrolled' -H 'X-SF-Mock: true'
    -H 'X-SF-Request-ID: 6f1c2a7e-3b7d-4f0e-9a51-0b8d2f5e7c11')
  curl_cmd="curl -s -o /dev/null -X POST ${headers[*]@Q} --data-binary @$work/body.json $url"

  hyperfine -N --warmup 20 --runs 300 --export-json "$work/one.json" \
    "$sfhook mock device-enrolled --url $url" "$curl_cmd" >/dev/null 2>&1
  one=$(mean "$work/one.json" 0)
  one_curl=$(mean "$work/one.json" 1)
  echo "| one mock to a local receiver (wall time) | $(ms "$one") | curl: $(ms "$one_curl") | $(ratio "$one" "$one_curl")× curl | ≤ 1.2× |"

  best=0
  for _ in 1 2 3; do
    rate=$("$sfhook" mock device-enrolled --url "$url" --count "$burst" --concurrency "$concurrency" --json | jq .requests_per_second)
    best=$(awk -v a="$best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
  done

  start=$(date +%s.%N)
  seq "$burst" | xargs -P"$concurrency" -I{} curl -s -o /dev/null -X POST "${headers[@]}" --data-binary @"$work/body.json" "$url"
  end=$(date +%s.%N)
  xargs_rate=$(awk -v n="$burst" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", n / (b - a) }')

  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    echo "wrk.headers[\"X-SF-Signature\"] = \"$signature\""
    echo 'wrk.headers["X-SF-Event"] = "device.enrolled"'
    echo 'wrk.headers["X-SF-Mock"] = "true"'
    echo 'wrk.headers["X-SF-Request-ID"] = "6f1c2a7e-3b7d-4f0e-9a51-0b8d2f5e7c11"'
    echo "local f = io.open(\"$work/body.json\", \"rb\"); wrk.body = f:read(\"*a\"); f:close()"
  } >"$work/post.lua"
  wrk_rate=$(wrk -t2 -c"$concurrency" -d10s -s "$work/post.lua" "$url" | awk '/Requests\/sec/ { printf "%.0f", $2 }')

  echo "| burst of $burst mocks at concurrency $concurrency (requests/s) | $best | xargs -P$concurrency curl: $xargs_rate | $(ratio "$best" "$xargs_rate")× | ≥ 10× |"
  echo "| same burst (requests/s) | $best | wrk -c$concurrency, same body: $wrk_rate | $(ratio "$best" "$wrk_rate")× | ≥ 0.5× |"
fi

if [ "$what" = log ] || [ "$what" = tail ] || [ "$what" = all ]; then
  mkdir -p "$SFHOOK_HOME"
  log=$SFHOOK_HOME/deliveries.jsonl
  "$gen_log" --records "$records" --out "$log"
  size=$(du -h "$log" | cut -f1)
  cat "$log" >/dev/null # into the page cache, for every contender alike

  if [ "$what" != tail ]; then
    hyperfine -N --warmup 2 --runs 10 --export-json "$work/code.json" \
      "$sfhook logs --code 500 --json" "rg '\"response_code\":500' $log" >/dev/null 2>&1
    code=$(mean "$work/code.json" 0)
    code_rg=$(mean "$work/code.json" 1)
    hyperfine -N --runs 1 --export-json "$work/jq.json" "jq -c 'select(.response_code==500)' $log" >/dev/null 2>&1
    code_jq=$(mean "$work/jq.json" 0)
    echo "| logs --code 500 --json, $records records ($size) | $(ms "$code") | rg: $(ms "$code_rg") | $(ratio "$code" "$code_rg")× rg | ≤ 1.5× |"
    echo "| same | $(ms "$code") | jq: $(ms "$code_jq") | $(ratio "$code_jq" "$code")× faster than jq | ≥ 20× |"

    # CSV for a spreadsheet: every field, the payload as JSON text.
    hyperfine -N --warmup 2 --runs 10 --export-json "$work/csv.json" \
      "$sfhook logs --code 500 --format csv" >/dev/null 2>&1
    csv=$(mean "$work/csv.json" 0)
    fields='.request_id,.event_id,.event,.timestamp,.url,.response_code,.success,.error,.duration_ms,.attempt,.redelivery_of,.profile,(.payload|tojson),.response_body'
    hyperfine -N --runs 1 --export-json "$work/jqcsv.json" \
      "jq -r 'select(.response_code==500) | [$fields] | @csv' $log" >/dev/null 2>&1
    csv_jq=$(mean "$work/jqcsv.json" 0)
    echo "| logs --code 500 --format csv | $(ms "$csv") | jq @csv: $(ms "$csv_jq") | $(ratio "$csv_jq" "$csv")× faster than jq | ≥ 20× |"

    hyperfine -N --warmup 2 --runs 10 --export-json "$work/summary.json" \
      "$sfhook logs summary" "rg -c '\"success\":true' $log" >/dev/null 2>&1
    summary=$(mean "$work/summary.json" 0)
    summary_rg=$(mean "$work/summary.json" 1)
    echo "| logs summary | $(ms "$summary") | rg -c: $(ms "$summary_rg") | $(ratio "$summary" "$summary_rg")× rg | ≤ 2× |"
  fi

  # What admins type most: the newest 50, and a recent window, against
  # tail -n 50 of the same file (issue 13: within 3x).
  since=$(tail -n 40 "$log" | head -n 1 | jq -r .timestamp)
  mkdir -p "$work/no-log"
  chmod 700 "$work/no-log"
  hyperfine -N --warmup 5 --runs 100 --export-json "$work/tail.json" \
    "tail -n 50 $log" "$sfhook logs --json --limit 50" "$sfhook logs --limit 50" \
    "$sfhook logs --json --since $since" "$sfhook logs --json --since 1h" \
    "$sfhook --home $work/no-log logs --json --limit 50" >/dev/null 2>&1
  tail50=$(mean "$work/tail.json" 0)
  newest=$(mean "$work/tail.json" 1)
  newest_tsv=$(mean "$work/tail.json" 2)
  window=$(mean "$work/tail.json" 3)
  hour=$(mean "$work/tail.json" 4)
  floor=$(mean "$work/tail.json" 5)
  hour_count=$("$sfhook" logs --json --since 1h | wc -l)
  echo "| logs --json --limit 50 | $(ms "$newest") | tail -n 50: $(ms "$tail50") | $(ratio "$newest" "$tail50")× tail | ≤ 3× |"
  echo "| logs --limit 50 (tab-separated) | $(ms "$newest_tsv") | tail -n 50: $(ms "$tail50") | $(ratio "$newest_tsv" "$tail50")× tail | ≤ 3× |"
  echo "| logs --json --since (the newest 40) | $(ms "$window") | tail -n 50: $(ms "$tail50") | $(ratio "$window" "$tail50")× tail | ≤ 3× |"
  echo "| logs --json --since 1h ($hour_count records) | $(ms "$hour") | tail -n 50: $(ms "$tail50") | $(ratio "$hour" "$tail50")× tail | |"
  hyperfine -N --runs 1 --export-json "$work/jqsince.json" \
    "jq -c 'select(.timestamp >= \"$since\")' $log" >/dev/null 2>&1
  since_jq=$(mean "$work/jqsince.json" 0)
  echo "| same, on an empty log (sfhook's start-up alone) | $(ms "$floor") | tail -n 50: $(ms "$tail50") | $(ratio "$floor" "$tail50")× tail | |"
  echo "| peak memory, logs --json --limit 50 | $(peak_mb "$sfhook" logs --json --limit 50) MB | | | ≤ 32 MB |"
  echo "| logs --json --since (the newest 40) | $(ms "$window") | jq select(.timestamp >= ...): $(ms "$since_jq") | $(ratio "$since_jq" "$window")× faster than jq | |"

  if [ "$what" != tail ]; then
    echo "| peak memory, logs --code 500 --json | $(peak_mb "$sfhook" logs --code 500 --json) MB | | | ≤ 32 MB |"
    echo "| peak memory, logs summary | $(peak_mb "$sfhook" logs summary) MB | | | ≤ 32 MB |"

    # Appending one delivery: `send` with the big log against an empty one.
    "$sfhook" configure --url "$url" >/dev/null 2>&1
    "$sfhook" activate >/dev/null 2>&1
    "$sfhook" subscribe device-enrolled >/dev/null 2>&1
    empty=$work/empty
    mkdir -p "$empty"
    cp "$SFHOOK_HOME/config.toml" "$empty/"
    chmod 600 "$empty/config.toml"
    hyperfine -N --warmup 10 --runs 200 --export-json "$work/append.json" \
      "$sfhook --home $SFHOOK_HOME send device-enrolled" "$sfhook --home $empty send device-enrolled" >/dev/null 2>&1
    big=$(mean "$work/append.json" 0)
    small=$(mean "$work/append.json" 1)
    echo "| send (one logged delivery) to a $records-record log | $(ms "$big") | to an empty log: $(ms "$small") | $(ratio "$big" "$small")× | ≤ 1.1× |"
  fi
fi
