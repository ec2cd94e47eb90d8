#!/usr/bin/env bash
# Benchmarks webhook delivery: a release server over the demo directory (480 assets), one
# admin subscription to a local receiver (benches/webhook_receiver.py, which checks every
# signature), and a backlog of N asset changes (default 100,000, written straight into the
# audit log while no dispatcher runs, so they wait in the outbox). Then the server restarts
# with its dispatcher, and the clock runs until the receiver has every delivery: fan-out
# (matching each change to the subscription and building its body) and delivery together.
# Everything runs on 127.0.0.1 on this machine; all it starts is stopped on exit.
#
#   benches/webhooks.sh                       # N = 100000, 16 deliveries in flight
#   N=20000 CONCURRENCY="16 64" benches/webhooks.sh
#
# Record figures in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
n=${N:-100000}
concurrencies=${CONCURRENCY:-16}
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }

. benches/common.sh
command -v curl >/dev/null || apt_install curl
if [ -x /usr/bin/psql ]; then psql=/usr/bin/psql; else apt_install postgresql-client; psql=/usr/bin/psql; fi
command -v python3 >/dev/null || die "python3 is needed"
cargo build --release --locked -q
bin=$root/target/release/community-assets

work=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-webhooks-bench.XXXXXX")
chmod 755 "$work"
server="" receiver="" cluster_port=""
stop_server() {
  if [ -n "$server" ]; then kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  server=""
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  if [ -n "$receiver" ]; then kill "$receiver" 2>/dev/null || true; fi
  if [ -n "$cluster_port" ]; then
    "$bin" cluster stop --data-dir "$work/pg" --pg-port "$cluster_port" >>"$work/cluster.log" 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server CONCURRENCY: serves on $port with that many deliveries in flight (0: none).
start_server() {
  DATABASE_URL=$db CA_WEBHOOK_ALLOW_PRIVATE_URLS=true CA_WEBHOOK_CONCURRENCY=$1 \
    "$bin" serve --bind "127.0.0.1:$port" --demo-data false \
    --rate-limit-per-ip 0 --rate-limit-per-key 0 >>"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do
    kill -0 "$server" 2>/dev/null || fail_with_log "$work/serve.log" "the server exited"
    curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && return
    sleep 0.5
  done
  fail_with_log "$work/serve.log" "the server did not become ready"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $n changes over the demo directory"
cluster_port=$(free_port)
db=$("$bin" cluster start --ephemeral --data-dir "$work/pg" --pg-port "$cluster_port" --database webhooks \
  2>>"$work/cluster.log") || fail_with_log "$work/cluster.log" "the cluster did not start"
DATABASE_URL=$db "$bin" seed >"$work/seed.log" 2>&1 || fail_with_log "$work/seed.log" "seeding failed"
key=$(DATABASE_URL=$db "$bin" keys create --role admin --name bench 2>>"$work/keys.log")
port=$(free_port)
hook_port=$(free_port)

for concurrency in $concurrencies; do
  "$psql" "$db" -X -q -c "DELETE FROM webhook_subscriptions" >/dev/null
  start_server 0
  secret=$(curl -sf -X POST "http://127.0.0.1:$port/v1/webhooks" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d "{\"url\": \"http://127.0.0.1:$hook_port/hook\"}" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')
  stop_server
  per=$(( (n + 99) / 100 ))
  for t in $(seq 1 100); do
    echo "INSERT INTO audit_events (actor_kind, action, entity_type, entity_id, organization_id, after)
          SELECT 'command_line', 'update', 'asset', a.id, a.organization_id, audit_snapshot('asset', a.id)
          FROM generate_series(1, $per) g
          JOIN LATERAL (SELECT id, organization_id FROM assets WHERE status = 'published'
                        OFFSET (g % 400) LIMIT 1) a ON true;"
  done | "$psql" "$db" -X -q -v ON_ERROR_STOP=1 >"$work/fill.log" 2>&1 || fail_with_log "$work/fill.log" "writing changes failed"
  queued=$("$psql" "$db" -X -At -c "SELECT count(*) FROM webhook_outbox")

  python3 benches/webhook_receiver.py "$hook_port" "$queued" "$secret" "$work/figures.json" >"$work/receiver.out" 2>&1 &
  receiver=$!
  for _ in $(seq 1 100); do grep -q ready "$work/receiver.out" && break; sleep 0.1; done
  started=$(python3 -c 'import time; print(time.time())')
  start_server "$concurrency"
  wait "$receiver" || fail_with_log "$work/receiver.out" "the receiver failed"
  receiver=""
  python3 - "$started" "$queued" "$concurrency" "$(cat "$work/figures.json")" <<'PY'
import json, sys
started, queued, concurrency, figures = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
elapsed = figures["last"] - started
check = "every one once, signatures good" if figures["requests"] == figures["distinct"] == queued and figures["bad_signatures"] == 0 else f"CHECK: {figures}"
print(f"concurrency {concurrency:>3}: {queued} changes delivered in {elapsed:.1f} s from a cold start: {queued / elapsed:,.0f} deliveries/s ({check})")
PY
  sleep 1
  delivered=$("$psql" "$db" -X -At -c "SELECT count(*) FILTER (WHERE status = 'delivered') || ' delivered, ' || count(*) FILTER (WHERE status <> 'delivered') || ' not' FROM webhook_deliveries")
  echo "  delivery log: $delivered"
  stop_server
done
