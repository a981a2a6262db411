#!/usr/bin/env bash
# `make demo`: installs what is missing, builds and installs pgdb_tools, starts a throwaway server
# that stays up, creates database pgdb_demo with pg_cron and pgdb_tools, and runs
# examples/demo.sql. `make demo-stop` stops it and removes its files.
set -u
source "$(dirname "$0")/lib.sh"

DIR=${PGDB_DEMO_DIR:-/tmp/pgdb_tools_demo}
PORT=${PGDB_DEMO_PORT:-54330}
DB=pgdb_demo
PSQL=("$PGBIN/psql" -X -h "$DIR" -p "$PORT" -U postgres -d "$DB")

case "${1:-start}" in
  start)
    ensure_packages "${BUILD_PACKAGES[@]}" || exit 1
    build_and_install || exit 1
    echo "== Starting the demo server in $DIR (port $PORT)"
    cluster_start "$DIR" "$PORT" "$DB" || exit 1
    "${PSQL[@]}" -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_cron; CREATE EXTENSION pgdb_tools;" || exit 1
    echo "== examples/demo.sql"
    "${PSQL[@]}" -v ON_ERROR_STOP=1 --echo-all -f "$REPO/examples/demo.sql" || exit 1
    cat <<MSG

The demo server is running (database $DB, pg_cron and pgdb_tools installed).
  Connect:  psql -h $DIR -p $PORT -U postgres $DB
  Stop:     make demo-stop
MSG
    ;;
  stop)
    if [ -f "$DIR/data/postmaster.pid" ]; then
      cluster_stop "$DIR"
      echo "Demo server stopped."
    else
      echo "No demo server is running in $DIR."
    fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
