#!/usr/bin/env bash
# Entry point of the streaming hot standby (run as the postgres user). On the first start it
# copies the primary with `pg_basebackup -R` (which writes standby.signal and primary_conninfo)
# using the slot the primary made for it; on every start it then runs PostgreSQL, which
# replays the primary's WAL and answers read-only queries. Arguments go to `postgres`.
#
# To rebuild the standby from scratch (e.g. after it fell too far behind and its slot was
# invalidated), remove its volume and start it again.
set -euo pipefail
: "${PRIMARY_HOST:?set PRIMARY_HOST}" "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
PGDATA=${PGDATA:-/var/lib/postgresql/data/pgdata}
port=${PRIMARY_PORT:-5432}
slot=${REPLICATION_SLOT:-replica1}

# The password for pg_basebackup and for the WAL receiver, kept out of the data directory.
export PGPASSFILE=${PGPASSFILE:-$HOME/.pgpass}
umask 077
printf '%s:%s:replication:replicator:%s\n' "$PRIMARY_HOST" "$port" "$REPLICATION_PASSWORD" >"$PGPASSFILE"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: no data directory yet; copying the primary at $PRIMARY_HOST:$port"
  until pg_isready -q -h "$PRIMARY_HOST" -p "$port"; do sleep 2; done
  # Copy into a side directory and rename when complete, so an interrupted copy is redone
  # rather than started as if it were whole.
  rm -rf "$PGDATA.partial"
  mkdir -p "$PGDATA.partial"
  pg_basebackup --host="$PRIMARY_HOST" --port="$port" --username=replicator --no-password \
    --pgdata="$PGDATA.partial" --wal-method=stream --slot="$slot" --write-recovery-conf \
    --checkpoint=fast
  mv "$PGDATA.partial" "$PGDATA"
  echo "replica: copy complete; starting as a hot standby"
fi
chmod 700 "$PGDATA"
exec postgres -D "$PGDATA" "$@"
