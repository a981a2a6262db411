# SQL-level fuzz of every public function of pgdb_tools, generated from the catalog
# (test/hostile/fuzz_calls.sql): each argument in turn NULL and every hostile value of its type
# (test/hostile/fuzz_args.sql), the others valid, against the fixtures of
# test/hostile/fixtures.sql; plus each function's valid call under odd session settings, and every
# view, as a superuser; then, as the tables' owner (a non-superuser), every argument that names an
# object with every hostile value of its type. Each call runs in its own transaction, rolled back
# (procedures autocommitted, last), with statement_timeout (test/hostile/driver.sh detects calls
# that ignore it).
#
# Passes when every call succeeded or raised an ERROR whose SQLSTATE is not internal (XX), system
# (58), resources (53) or cancel (57: a timeout fails), every valid call succeeded, no backend
# crashed or had to be killed, and the server log gained no "terminated by signal" line.
# The functions that need pg_cron are fuzzed in the database pg_cron works in ($PGDATABASE).
#
#   HOSTILE_FUZZ_LIST=1   also print every call with its outcome (coverage review)
#   HOSTILE_ONLY=REGEX    only the calls whose title matches (e.g. '^create_partitioned')
#   HOSTILE_BUDGET=S      the time budget in seconds of each pass (default 150)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/hostile/driver.sh"
DB=pgdb_e2e_fuzz
CRON_DB=${PGDATABASE:?}
work=$(mktemp -d)
chmod 755 "$work"

sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
drop_cron_fixtures() {
  sql -d "$CRON_DB" >/dev/null 2>&1 <<'SQL'
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS app, other, hostile CASCADE;
DROP EXTENSION IF EXISTS pg_cron;
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'hostile_owner') THEN DROP OWNED BY hostile_owner; END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'hostile_other') THEN DROP OWNED BY hostile_other; END IF;
END $$;
SQL
}
cleanup() {
  dropdb --if-exists "$DB" 2>/dev/null
  drop_cron_fixtures
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS hostile_owner" -c "DROP ROLE IF EXISTS hostile_other" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# setup DB: the fixtures and the argument tables
setup() {
  sql -d "$1" -f "$here/hostile/fixtures.sql" >/dev/null &&
    sql -d "$1" -f "$here/hostile/fuzz_args.sql" >/dev/null
}

dropdb --if-exists "$DB" 2>/dev/null
drop_cron_fixtures
psql -X -q -d postgres -c "DROP ROLE IF EXISTS hostile_owner" -c "DROP ROLE IF EXISTS hostile_other" 2>/dev/null
hostile_create_roles hostile_owner hostile_other || exit 1
createdb "$DB" || exit 1
setup "$DB" || { echo "fixtures failed"; exit 1; }
sql -d "$CRON_DB" -c "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null || exit 1
setup "$CRON_DB" || { echo "fixtures failed in $CRON_DB"; exit 1; }

# The temporary table the calls may name, in every session.
HOSTILE_SESSION_SETUP="SET client_min_messages = error;
CREATE TEMP TABLE fx_tmp (id integer PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), title text);"
HOSTILE_APP=pgdb_hostile_fuzz

log_start=$(hostile_log_size)
failures=0
total=0
report() {  # report TITLE: prints a failure line (titles are on stdin's side: see below)
  printf '  FAIL %s\n' "$*"
  failures=$((failures + 1))
}

for pass in main cron; do
  db=$DB; cron=false
  [ $pass = cron ] && { db=$CRON_DB; cron=true; }
  psql -X -At -F $'\t' -v cron=$cron -d "$db" -f "$here/hostile/fuzz_calls.sql" >"$work/all.$pass" ||
    { echo "generating the calls failed"; exit 1; }
  if [ -n "${HOSTILE_ONLY:-}" ]; then
    awk -F'\t' -v re="$HOSTILE_ONLY" '$5 ~ re' "$work/all.$pass" >"$work/sel.$pass"
  else
    cp "$work/all.$pass" "$work/sel.$pass"
  fi
  awk -F'\t' 'BEGIN { OFS = "\t" } $2 != "missing" { print $1, $2, $3, $4 }' "$work/sel.$pass" >"$work/calls.$pass"
  awk -F'\t' 'BEGIN { OFS = "\t" } { print $1, $5, ($6 == "" ? "-" : $6) }' "$work/sel.$pass" >"$work/titles.$pass"
  n=$(wc -l <"$work/calls.$pass")
  total=$((total + n))
  echo "== pass $pass: $n calls in database $db"
  started=$(date +%s)
  hostile_run "$work/calls.$pass" "$work/results.$pass" "$db"
  echo "   ran in $(($(date +%s) - started))s"

  echo "== pass $pass: failures"
  # join: id -> title, outcome, sqlstate, message
  awk -F'\t' 'BEGIN { OFS = "\t" } NR == FNR { t[$1] = $2; m[$1] = $3; next } { print $1, t[$1], m[$1], $2, $3, $4 }' \
    "$work/titles.$pass" "$work/results.$pass" | sort -n >"$work/joined.$pass"
  while IFS=$'\t' read -r _ title; do
    report "$title"
  done < <(awk -F'\t' '$2 == "missing" { print $1 "\t" $5 }' "$work/sel.$pass")
  while IFS=$'\t' read -r id title refuse outcome state msg; do
    bad=""
    case $outcome in
      ok) [ "$refuse" != - ] && bad="accepted a value it must refuse: $refuse" ;;
      error)
        if hostile_bad_sqlstate "$state"; then bad="ERROR $state: $msg"
        elif [[ $title == *" baseline"* ]]; then bad="valid call failed: ERROR $state: $msg"
        fi ;;
      *) bad="$(tr a-z A-Z <<<"$outcome") $msg" ;;
    esac
    [ -n "$bad" ] && report "#$id $title -> $bad"
    if [ -n "${HOSTILE_FUZZ_LIST:-}" ]; then
      sqltext=$(awk -F'\t' -v id="$id" '$1 == id { print $3 " " $4; exit }' "$work/calls.$pass")
      printf '  call #%s %s -> %s %s %s\n      %s\n' "$id" "$title" "$outcome" "$state" "$msg" "$sqltext"
    fi
  done <"$work/joined.$pass"
  summary=$(awk -F'\t' '{ c[$4 == "error" ? $4 " " substr($5, 1, 2) : $4]++ }
                        END { for (k in c) printf "%s: %d, ", k, c[k] }' "$work/joined.$pass")
  echo "   outcomes: ${summary%, }"
done

echo "== server log"
crashes=$(hostile_log_since "$log_start" | grep -E "$HOSTILE_LOG_CRASH_RE")
if [ -n "$crashes" ]; then
  echo "$crashes" | sed 's/^/  FAIL server log: /'
  failures=$((failures + $(wc -l <<<"$crashes")))
else
  echo "   no crash lines"
fi

echo "hostile_fuzz: $total calls, $failures failures"
[ "$failures" -eq 0 ]
