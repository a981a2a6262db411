#!/usr/bin/env bash
# `make demo`: installs what is missing, builds and installs pgdb_tools, starts a throwaway server
# that stays up, creates database pgdb_demo with pg_cron and pgdb_tools, and runs
# examples/demo.sql. Run again, it keeps a server that holds databases someone added (and
# recreates only pgdb_demo); a server holding only pgdb_demo is made afresh. `make demo-stop`
# stops it and removes its files.
set -u
source "$(dirname "$0")/lib.sh"

DIR=${PGDB_DEMO_DIR:-/tmp/pgdb_tools_demo}
PORT=${PGDB_DEMO_PORT:-54330}
DB=pgdb_demo
# The server: PostgreSQL 15, or the one of PG_CONFIG (make demo PG_CONFIG=...). Stopping needs
# no installation; starting installs what is missing first (below).
DEMO_PG_CONFIG=${PG_CONFIG:-$PG15_CONFIG}
use_postgres "$DEMO_PG_CONFIG" 2>/dev/null || true
psql_demo() { "$PGBIN/psql" -X -h "$DIR" -p "$PORT" -U postgres -d "$DB" "$@"; }

# user_databases: the databases of the running demo server that the demo did not make.
user_databases() {
  "$PGBIN/psql" -X -At -h "$DIR" -p "$PORT" -U postgres -d postgres -c \
    "SELECT string_agg(datname, ', ' ORDER BY datname) FROM pg_database
      WHERE datname NOT IN ('postgres', 'template0', 'template1', '$DB')"
}

# load_demo: installs pg_cron and pgdb_tools in database pgdb_demo and runs the demo.
load_demo() {
  echo "== Installing pg_cron and pgdb_tools in database $DB"
  psql_demo -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_cron; CREATE EXTENSION pgdb_tools;" ||
    return 1
  echo "== Loading examples/demo.sql"
  psql_demo -v ON_ERROR_STOP=1 --echo-all -f "$REPO/examples/demo.sql"
}

case "${1:-start}" in
  start)
    echo "== Checking Debian packages (the first run installs PostgreSQL 15, pg_cron and the build tools: a few minutes)"
    ensure_packages "${BUILD_PACKAGES[@]}" && ensure_postgres "$DEMO_PG_CONFIG" || exit 1
    build_and_install || exit 1
    # A demo server a person has added databases to is theirs: keep it and replace only the
    # demo's own database. Without such databases the server is made afresh.
    kept=
    if [ -f "$DIR/data/PG_VERSION" ]; then
      if [ ! -f "$DIR/data/postmaster.pid" ]; then
        as_cluster_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null ||
          { echo "The demo server in $DIR does not start (see $DIR/server.log); make demo-stop removes it." >&2; exit 1; }
      fi
      kept=$(user_databases) || { echo "The demo server in $DIR does not answer on port $PORT; make demo-stop removes it." >&2; exit 1; }
    fi
    if [ -n "$kept" ]; then
      echo "== Keeping the demo server in $DIR (port $PORT): it holds databases you added ($kept)."
      echo "   Only database $DB is dropped and made again; make demo-stop removes the server and all of them."
      echo "== Recreating database $DB"
      "$PGBIN/psql" -X -q -h "$DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" || exit 1
      # The drop ended pg_cron's launcher, which works in $DB and is not started again by itself.
      echo "== Restarting the demo server, so pg_cron works in the new $DB (open sessions reconnect)"
      as_cluster_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -m fast -w -t 60 restart >/dev/null ||
        { cat "$DIR/server.log"; exit 1; }
    else
      [ -f "$DIR/data/PG_VERSION" ] && echo "== Replacing the demo server in $DIR (it holds no database but $DB)"
      echo "== Starting the demo server in $DIR (port $PORT)"
      cluster_start "$DIR" "$PORT" "$DB" || exit 1
    fi
    load_demo || exit 1
    cat <<MSG

The demo server is running (database $DB, pg_cron and pgdb_tools installed).
  Connect:  psql -h $DIR -p $PORT -U postgres $DB
  Stop:     make demo-stop   (removes the server and every database in it)
  make demo again keeps databases you add (createdb -h $DIR -p $PORT -U postgres NAME) and
  replaces only $DB.
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
