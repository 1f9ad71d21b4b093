#!/bin/bash
# Runs once, when the primary's data directory is created: let the standby stream (password auth).
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
