# `make demo` leaves a server a person can connect to, with the demo loaded; run again, it keeps
# the databases that person added and recreates only pgdb_demo (a server holding nothing else is
# made afresh); `make demo-stop` stops it. Runs on its own port and directory so a developer's
# demo is left alone.
set -eu
# Beside the test cluster's port, so checkouts testing at once on other ports do not meet.
export PGDB_DEMO_PORT=$(( ${PGPORT:-54329} + 9 ))
export PGDB_DEMO_DIR=/tmp/pgdb_tools_demo_e2e_$PGDB_DEMO_PORT
unset PGHOST PGPORT PGDATABASE
trap 'make -s -C "$REPO" demo-stop >/dev/null 2>&1 || true' EXIT
demo_psql() { psql -X -At -h "$PGDB_DEMO_DIR" -p "$PGDB_DEMO_PORT" -U postgres "$@"; }
make -s -C "$REPO" demo-stop >/dev/null 2>&1 || true

echo "-- a cold start"
out=$(make -s -C "$REPO" demo 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep '^== '
echo "$out" | grep -q "psql -h $PGDB_DEMO_DIR -p $PGDB_DEMO_PORT -U postgres pgdb_demo"
echo "$out" | grep -q "make demo-stop"
for step in "Checking Debian packages" "Building and installing pgdb_tools" "Starting the demo server" \
            "Installing pg_cron and pgdb_tools in database pgdb_demo" "Loading examples/demo.sql"; do
  echo "$out" | grep -q "^== $step" || { echo "no progress line '== $step'"; exit 1; }
done
version=$(demo_psql -d pgdb_demo -c "SELECT pgdb_tools.version()")
echo "demo server answers: version $version"
[ -n "$version" ]

echo "-- a database of the user's, then make demo again: kept"
demo_psql -d postgres -c "CREATE DATABASE mine" >/dev/null
demo_psql -d mine -c "CREATE TABLE notes (id int); INSERT INTO notes VALUES (42)" >/dev/null
demo_psql -d pgdb_demo -c "CREATE TABLE scratch (id int)" >/dev/null
out=$(make -s -C "$REPO" demo 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep '^== \|^   Only'
echo "$out" | grep -q "^== Keeping the demo server in $PGDB_DEMO_DIR .*databases you added (mine)"
[ "$(demo_psql -d mine -c 'SELECT id FROM notes')" = 42 ] || { echo "database mine lost its table"; exit 1; }
[ "$(demo_psql -d pgdb_demo -c "SELECT to_regclass('scratch') IS NULL")" = t ] ||
  { echo "pgdb_demo was not recreated"; exit 1; }
[ -n "$(demo_psql -d pgdb_demo -c 'SELECT pgdb_tools.version()')" ]
# pg_cron works in pgdb_demo, which was dropped under it: its launcher must come back.
for _ in $(seq 1 20); do
  n=$(demo_psql -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'")
  [ "$n" = 1 ] && break
  sleep 0.5
done
[ "$n" = 1 ] || { echo "the pg_cron launcher did not come back after pgdb_demo was recreated"; exit 1; }
echo "pg_cron launcher running again"

echo "-- the user's database gone, make demo again: the server is made afresh"
demo_psql -d postgres -c "DROP DATABASE mine" >/dev/null
out=$(make -s -C "$REPO" demo 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep '^== '
echo "$out" | grep -q "^== Replacing the demo server in $PGDB_DEMO_DIR"

make -s -C "$REPO" demo-stop
if demo_psql -d pgdb_demo -c "SELECT 1" 2>/dev/null; then
  echo "the demo server is still running after demo-stop"; exit 1
fi
