#!/bin/bash
# Run once by the official postgres image (/docker-entrypoint-initdb.d) on the
# primary's empty volume, as its superuser, before the server first accepts
# connections from other containers.
#
# - The gateway's two logins (README, "Database logins"): the owner migrates
#   (the one-shot `migrate` service); the application's login owns nothing and
#   may only INSERT and SELECT on the audit log. The nodes get the latter only.
# - A replication login and a physical replication slot for the streaming
#   replica (replica-entrypoint.sh clones the primary with pg_basebackup over
#   that slot), and the pg_hba.conf line that lets it connect.
#
# Passwords come from the environment (the operator's .env), are passed to
# psql as variables and quoted by psql (:'name'): never pasted into SQL text.
# No `set -u`: the image sources scripts that are not executable.
set -Eeo pipefail

: "${PASSERELLE_OWNER_PASSWORD:?PASSERELLE_OWNER_PASSWORD is required}"
: "${PASSERELLE_APP_PASSWORD:?PASSERELLE_APP_PASSWORD is required}"
: "${REPLICATION_PASSWORD:?REPLICATION_PASSWORD is required}"
REPLICATION_USER="${REPLICATION_USER:-replicator}"
REPLICATION_SLOT="${REPLICATION_SLOT:-passerelle_replica_1}"

psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" \
  -v owner_password="$PASSERELLE_OWNER_PASSWORD" \
  -v app_password="$PASSERELLE_APP_PASSWORD" \
  -v replication_user="$REPLICATION_USER" \
  -v replication_password="$REPLICATION_PASSWORD" \
  -v replication_slot="$REPLICATION_SLOT" <<'SQL'
CREATE ROLE passerelle_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE passerelle_app LOGIN PASSWORD :'app_password';
CREATE ROLE passerelle_application NOLOGIN;
CREATE ROLE passerelle_audit_appender NOLOGIN;
GRANT passerelle_application, passerelle_audit_appender TO passerelle_owner WITH ADMIN OPTION;
GRANT passerelle_application TO passerelle_app;
ALTER DATABASE :"db" OWNER TO passerelle_owner;
ALTER SCHEMA public OWNER TO passerelle_owner;

-- REPLICATION and LOGIN only: it can stream WAL, and read nothing through SQL.
CREATE ROLE :"replication_user" WITH REPLICATION LOGIN PASSWORD :'replication_password';
-- The slot keeps the WAL the replica has not received yet (bounded by
-- max_slot_wal_keep_size in compose.yaml, so a replica gone for good cannot
-- fill the primary's disk).
SELECT pg_create_physical_replication_slot(:'replication_slot');
SQL

# Replication connections match only `replication` in pg_hba.conf, never `all`.
echo "host replication ${REPLICATION_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
