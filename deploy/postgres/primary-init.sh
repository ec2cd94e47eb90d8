#!/usr/bin/env bash
# First start of the primary only (the postgres image runs /docker-entrypoint-initdb.d/* when
# the data directory is empty, as the postgres user, with a server on the local socket):
#   - `app`, the role the service logs in as: it owns the database but is not a superuser;
#   - `replicator`, the role the standby streams WAL as;
#   - the database, with postgis and pg_trgm created here because creating postgis needs a
#     superuser (the service's first migration then finds them and goes on as `app`);
#   - a physical replication slot for the standby, so the primary keeps the WAL it still needs;
#   - a pg_hba.conf line letting `replicator` connect for replication with a password.
set -euo pipefail
: "${APP_DB_PASSWORD:?set APP_DB_PASSWORD}" "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
db=${APP_DB_NAME:-community_assets}
slot=${REPLICATION_SLOT:-replica1}

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v app_password="$APP_DB_PASSWORD" -v repl_password="$REPLICATION_PASSWORD" \
  -v db="$db" -v slot="$slot" <<'SQL'
CREATE ROLE app LOGIN PASSWORD :'app_password';
CREATE ROLE replicator LOGIN REPLICATION PASSWORD :'repl_password';
CREATE DATABASE :"db" OWNER app;
\connect :"db"
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
SELECT pg_create_physical_replication_slot(:'slot');
SQL

echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
