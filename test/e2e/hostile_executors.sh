# The extension's trigger executors against hostile tables: every trigger function attached by
# hand with hostile arguments (BEFORE/AFTER, ROW/STATEMENT), and every kind installed through its
# API and then the columns it uses changed to other types, dropped or renamed; then INSERT,
# UPDATE, DELETE and TRUNCATE (test/hostile/executor_calls.sql). Each call runs in its own
# transaction, rolled back, as a superuser, through test/hostile/driver.sh.
#
# Passes when no statement raised an internal, system, resource or cancel error (XX, 58, 53, 57),
# no backend crashed or spun, and the server log gained no "terminated by signal" line. A clean
# error (a trigger refusing its arguments or a changed column) is what is expected.
#
#   HOSTILE_EXECUTORS_LIST=1   also print every call with its outcome
#   HOSTILE_ONLY=REGEX         only the calls whose title matches
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/hostile/driver.sh"
DB=pgdb_e2e_executors
work=$(mktemp -d)
chmod 755 "$work"
sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
drop_all() {
  dropdb --if-exists "$DB" 2>/dev/null
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS hostile_owner" -c "DROP ROLE IF EXISTS hostile_other" 2>/dev/null
}
trap 'drop_all; rm -rf "$work"' EXIT
drop_all
hostile_create_roles hostile_owner hostile_other || exit 1
createdb "$DB" || exit 1
sql -d "$DB" -f "$here/hostile/fixtures.sql" >/dev/null || { echo "fixtures failed"; exit 1; }

HOSTILE_SESSION_SETUP="SET client_min_messages = error;"
HOSTILE_APP=pgdb_hostile_executors
log_start=$(hostile_log_size)
failures=0
psql -X -At -F $'\t' -d "$DB" -f "$here/hostile/executor_calls.sql" >"$work/all" || { echo "generating the calls failed"; exit 1; }
if [ -n "${HOSTILE_ONLY:-}" ]; then
  awk -F'\t' -v re="$HOSTILE_ONLY" '$5 ~ re' "$work/all" >"$work/sel"
else
  cp "$work/all" "$work/sel"
fi
cut -f1-4 "$work/sel" >"$work/calls"
cut -f1,5 "$work/sel" >"$work/titles"
echo "== $(wc -l <"$work/calls") calls in database $DB"
started=$(date +%s)
hostile_run "$work/calls" "$work/results" "$DB"
echo "   ran in $(($(date +%s) - started))s"
echo "== failures"
awk -F'\t' 'BEGIN { OFS = "\t" } NR == FNR { t[$1] = $2; next } { print $1, t[$1], $2, $3, $4 }' \
  "$work/titles" "$work/results" | sort -n >"$work/joined"
while IFS=$'\t' read -r id title outcome state msg; do
  bad=""
  case $outcome in
    ok) ;;
    error) hostile_bad_sqlstate "$state" && bad="ERROR $state: $msg" ;;
    *) bad="$(tr a-z A-Z <<<"$outcome") $msg" ;;
  esac
  if [ -n "$bad" ]; then printf '  FAIL #%s %s -> %s\n' "$id" "$title" "$bad"; failures=$((failures + 1)); fi
  [ -n "${HOSTILE_EXECUTORS_LIST:-}" ] && printf '  call #%s %s -> %s %s %s\n' "$id" "$title" "$outcome" "$state" "$msg"
done <"$work/joined"
echo "   outcomes: $(awk -F'\t' '{ c[$3 == "error" ? $3 " " substr($4, 1, 2) : $3]++ } END { for (k in c) printf "%s: %d, ", k, c[k] }' "$work/joined")"
echo "== server log"
crashes=$(hostile_log_since "$log_start" | grep -E "$HOSTILE_LOG_CRASH_RE")
if [ -n "$crashes" ]; then
  echo "$crashes" | sed 's/^/  FAIL server log: /'
  failures=$((failures + $(wc -l <<<"$crashes")))
else
  echo "   no crash lines"
fi
echo "hostile_executors: $(wc -l <"$work/calls") calls, $failures failures"
[ "$failures" -eq 0 ]
