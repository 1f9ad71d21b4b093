#!/bin/bash
# The standby: on an empty data directory, a base backup of the primary with a standby configuration
# (-R); then the image's usual entrypoint starts it as a hot standby. After a failover the archive
# node promotes it; to make the old primary a standby again, empty its volume and give it this entrypoint.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  PGPASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"  # assigned apart from export, so set -e sees a failed read
  export PGPASSWORD
  until pg_isready -h postgres-primary -U "$POSTGRES_USER" -d "$POSTGRES_DB"; do sleep 1; done
  mkdir -p "$PGDATA" && chown postgres "$PGDATA" && chmod 700 "$PGDATA"
  gosu postgres pg_basebackup -h postgres-primary -U "$POSTGRES_USER" -D "$PGDATA" -X stream -c fast -R
  printf "primary_conninfo = 'host=postgres-primary user=%s password=%s application_name=standby'\n" \
    "$POSTGRES_USER" "$PGPASSWORD" >> "$PGDATA/postgresql.auto.conf"
fi
exec docker-entrypoint.sh postgres -c hot_standby=on
