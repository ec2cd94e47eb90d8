#!/usr/bin/env bash
# Measures the HTTP API with wrk against a release build serving the demo directory from a
# throwaway private cluster. Bounded: each run lasts DURATION seconds against 127.0.0.1 only.
#   benches/http.sh            # default 10 s per endpoint, 2 threads, 8 connections
# Prints one line per endpoint: requests/s and latency percentiles. Record figures with the
# machine and data size in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
threads=${THREADS:-2}
connections=${CONNECTIONS:-8}

. benches/common.sh
bench_tools
cargo build --release --locked -q
bin=target/release/community-assets

data_dir=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-bench.XXXXXX")
port=${BENCH_PORT:-18080}
pg_port=${BENCH_PG_PORT:-55499}
"$bin" serve --bind "127.0.0.1:$port" --data-dir "$data_dir" --pg-port "$pg_port" \
  --rate-limit-per-ip 0 --rate-limit-per-key 0 >"$data_dir/serve.log" 2>&1 &
server=$!
cleanup() { kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data_dir"; }
trap cleanup EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done

asset=$(python3 -c 'import json; print(next(a["id"] for a in json.load(open("seed-data/demo/assets.json")) if a["schedule"]["weekly"]))')
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; demo directory: $(python3 -c 'import json; print(len(json.load(open("seed-data/demo/assets.json"))))') assets"
echo "wrk: ${threads} threads, ${connections} connections, ${duration}s per endpoint (server and load share the machine)"
# The feed page and the searches go through the conditional middleware (an ETag digest of every
# body) like every read; the gzip line is what a browser or feed reader that accepts it gets.
for path in /healthz /readyz "/v1/assets/$asset" /v1/interests "/oruk/services?per_page=50" \
  "/v1/assets?postcode=M32%200JG&limit=20" "/v1/assets.geojson?postcode=M32%200JG&limit=20" \
  "gzip /oruk/services?per_page=50"; do
  headers=()
  if [[ $path == gzip* ]]; then
    path=${path#gzip }
    headers=(-H "Accept-Encoding: gzip")
  fi
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "${headers[@]}" "http://127.0.0.1:$port$path")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
  printf '%-48s %10s req/s   p50 %8s   p99 %8s %s\n' "GET ${path/$asset/{id\}}${headers:+ (gzip)}" "$rps" "$p50" "$p99" "$errors"
done
