# A cancel from another session (pg_cancel_backend, what Ctrl-C in psql sends) stops a long C++
# loop promptly, its objects are destroyed, and the cancelled session keeps working.
set -eu
log=$(mktemp)
createdb pgdb_e2e_cancel
trap 'dropdb --if-exists pgdb_e2e_cancel; rm -f "$log"' EXIT
psql -X -q -d pgdb_e2e_cancel -c "CREATE EXTENSION pgdb_tools"

started=$(date +%s)
psql -X -d pgdb_e2e_cancel -v ON_ERROR_STOP=0 -At \
  -c "SET application_name = 'pgdb_e2e_cancel'" \
  -c "SELECT pgdb_tools._selftest_spin(120)" \
  -c "SELECT 'live objects: ' || pgdb_tools._selftest_live_objects()" >"$log" 2>&1 &
spinner=$!

pid=""
for _ in $(seq 100); do
  pid=$(psql -X -At -d pgdb_e2e_cancel -c "SELECT pid FROM pg_stat_activity
          WHERE application_name = 'pgdb_e2e_cancel' AND query LIKE '%_selftest_spin%' AND state = 'active'")
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "the spinning session never showed up"; kill $spinner; exit 1; }
psql -X -At -d pgdb_e2e_cancel -c "SELECT pg_cancel_backend($pid)"
wait $spinner || true
elapsed=$(( $(date +%s) - started ))
cat "$log"
grep -q "canceling statement due to user request" "$log"
grep -q "live objects: 0" "$log"
[ "$elapsed" -lt 60 ] || { echo "cancel took ${elapsed}s"; exit 1; }
echo "cancelled after ${elapsed}s"
