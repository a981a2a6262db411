# `make demo` leaves a server a person can connect to, with the demo loaded; `make demo-stop`
# stops it. Runs on its own port and directory so a developer's demo is left alone.
set -eu
# Beside the test cluster's port, so checkouts testing at once on other ports do not meet.
export PGDB_DEMO_PORT=$(( ${PGPORT:-54329} + 9 ))
export PGDB_DEMO_DIR=/tmp/pgdb_tools_demo_e2e_$PGDB_DEMO_PORT
unset PGHOST PGPORT PGDATABASE
trap 'make -s -C "$REPO" demo-stop >/dev/null 2>&1 || true' EXIT
out=$(make -s -C "$REPO" demo 2>&1) || { echo "$out"; exit 1; }
echo "$out" | tail -n 4
echo "$out" | grep -q "psql -h $PGDB_DEMO_DIR -p $PGDB_DEMO_PORT -U postgres pgdb_demo"
echo "$out" | grep -q "make demo-stop"
version=$(psql -X -At -h "$PGDB_DEMO_DIR" -p "$PGDB_DEMO_PORT" -U postgres -d pgdb_demo -c "SELECT pgdb_tools.version()")
echo "demo server answers: version $version"
[ -n "$version" ]
make -s -C "$REPO" demo-stop
if psql -X -At -h "$PGDB_DEMO_DIR" -p "$PGDB_DEMO_PORT" -U postgres -d pgdb_demo -c "SELECT 1" 2>/dev/null; then
  echo "the demo server is still running after demo-stop"; exit 1
fi
