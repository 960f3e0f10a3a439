#!/bin/bash
# Entrypoint of the streaming replica in docker/compose.yaml (the official
# postgres image, started as `bash replica-entrypoint.sh postgres ...`).
#
# On an empty volume it clones the primary with pg_basebackup over the
# replication slot that primary-init.sh created, writing standby.signal and
# primary_conninfo (--write-recovery-conf); then, on every start, it hands over
# to the image's own entrypoint, which finds a data directory and runs the
# server as a hot standby: read-only queries, WAL streamed from the primary.
#
# The replication password is written to a password file outside the data
# directory at each start (never into postgresql.auto.conf), so it does not
# travel with backups or copies of the volume.
set -Eeo pipefail

: "${PRIMARY_HOST:?PRIMARY_HOST is required}"
: "${REPLICATION_PASSWORD:?REPLICATION_PASSWORD is required}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICATION_USER="${REPLICATION_USER:-replicator}"
REPLICATION_SLOT="${REPLICATION_SLOT:-passerelle_replica_1}"

if [ "$(id -u)" = '0' ]; then
  # As the image's entrypoint does: own the data directory, then drop to postgres.
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec gosu postgres bash "${BASH_SOURCE[0]}" "$@"
fi

# libpq reads it for pg_basebackup now, and the WAL receiver later: PGPASSFILE
# is recorded in primary_conninfo as passfile=..., the password is not.
export PGPASSFILE=/tmp/replication.pgpass
escaped="${REPLICATION_PASSWORD//\\/\\\\}"
escaped="${escaped//:/\\:}"
(umask 077 && printf '%s:%s:*:%s:%s\n' "$PRIMARY_HOST" "$PRIMARY_PORT" "$REPLICATION_USER" "$escaped" >"$PGPASSFILE")

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: cloning ${PRIMARY_HOST}:${PRIMARY_PORT} over slot ${REPLICATION_SLOT}"
  until pg_isready --quiet --host="$PRIMARY_HOST" --port="$PRIMARY_PORT"; do sleep 1; done
  pg_basebackup \
    --host="$PRIMARY_HOST" --port="$PRIMARY_PORT" --username="$REPLICATION_USER" --no-password \
    --pgdata="$PGDATA" --wal-method=stream --slot="$REPLICATION_SLOT" \
    --write-recovery-conf --checkpoint=fast
  echo 'replica: base backup done, starting as a hot standby'
fi

exec docker-entrypoint.sh "$@"
