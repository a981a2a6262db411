# Snapshots under concurrent sessions: a REPEATABLE READ snapshot_create refuses a table that was
# rewritten after its transaction began (40001) rather than copying it empty; two in-place restores
# of the same tables listed in opposite orders queue instead of deadlocking; two sessions creating
# the same snapshot name get 42710 for the second, not a unique-index error; two replacing it
# leave the second one.
set -eu
db=pgdb_e2e_snap_concurrency
work=$(mktemp -d)
cleanup() {
  local rc=$?
  set +e
  wait 2>/dev/null
  dropdb --if-exists --force "$db" 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

dropdb --if-exists --force "$db" 2>/dev/null || true
createdb "$db"
q -q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
CREATE TABLE acct (id int PRIMARY KEY, bal int);
INSERT INTO acct SELECT g, 100 FROM generate_series(1, 1000) g;
CREATE TABLE t1 (id int PRIMARY KEY, v int);
CREATE TABLE t2 (id int PRIMARY KEY, t1_id int REFERENCES t1, v int);
INSERT INTO t1 SELECT g, g FROM generate_series(1, 100) g;
INSERT INTO t2 SELECT g, g, g FROM generate_series(1, 100) g;
SELECT pgdb_tools.snapshot_create('s12', ARRAY['t1', 't2']::regclass[]);
SELECT pgdb_tools.snapshot_create('s21', ARRAY['t2', 't1']::regclass[]);
SQL

# 1. REPEATABLE READ: the transaction's snapshot predates a rewrite of acct.
psql -X -At -d "$db" >"$work/rr.out" 2>&1 <<'SQL' &
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM t1;
SELECT pg_sleep(1.5);
\set VERBOSITY sqlstate
SELECT pgdb_tools.snapshot_create('rr', ARRAY['acct']::regclass[]);
ROLLBACK;
SQL
sleep 0.5
q -c "ALTER TABLE acct ALTER COLUMN bal TYPE bigint" >/dev/null
wait
echo "repeatable read after a rewrite: $(tr '\n' ' ' <"$work/rr.out")"
grep -q "40001" "$work/rr.out" || fail "expected a serialization failure (40001)"
# and without a concurrent change the same works and copies every row
q -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c "SELECT pgdb_tools.snapshot_create('rr_ok', ARRAY['acct']::regclass[])" -c "COMMIT" >/dev/null
[ "$(q -c "SELECT rows FROM pgdb_tools.snapshot_tables('rr_ok')")" = 1000 ] || fail "rr_ok should hold 1000 rows"

# 2. Opposite orders: a third session holds t1 so that both restores start waiting.
q -c "BEGIN" -c "LOCK t1 IN ACCESS SHARE MODE" -c "SELECT pg_sleep(1.5)" -c "COMMIT" >/dev/null &
sleep 0.3
q -c "SELECT count(*) FROM pgdb_tools.snapshot_restore('s12')" >"$work/a.out" 2>&1 &
a=$!
sleep 0.2
q -c "SELECT count(*) FROM pgdb_tools.snapshot_restore('s21')" >"$work/b.out" 2>&1 &
b=$!
wait $a || { cat "$work/a.out"; fail "restore s12 failed"; }
wait $b || { cat "$work/b.out"; fail "restore s21 failed"; }
wait
echo "overlapping restores: s12 -> $(cat "$work/a.out"), s21 -> $(cat "$work/b.out") tables"
[ "$(q -c "SELECT count(*) FROM t1")" = 100 ] || fail "t1 lost rows"

# 3. The same name from two sessions at once.
q -c "BEGIN" -c "SELECT pgdb_tools.snapshot_create('dup', ARRAY['t1']::regclass[])" -c "SELECT pg_sleep(1)" -c "COMMIT" >/dev/null &
sleep 0.3
psql -X -At -d "$db" -c '\set VERBOSITY sqlstate' -c "SELECT pgdb_tools.snapshot_create('dup', ARRAY['t1']::regclass[])" >"$work/dup.out" 2>&1 || true
wait
echo "second create of the same name: $(tr '\n' ' ' <"$work/dup.out")"
grep -q "42710" "$work/dup.out" || fail "expected 42710 for the second create"
[ "$(q -c "SELECT count(*) FROM pgdb_tools.snapshots WHERE name = 'dup'")" = 1 ] || fail "one snapshot named dup expected"

# 4. replace => true from two sessions at once: the second waits for the first and replaces the
# snapshot the first stored (its own, taken meanwhile), whether the old one was there or not:
# one snapshot of the name is left, the second's, and no copy of the others stays behind.
for start in with_old without_old; do
  [ "$start" = with_old ] && q -c "SELECT pgdb_tools.snapshot_create('rep', ARRAY['t1']::regclass[], replace => true)" >/dev/null
  q -c "BEGIN" -c "SELECT pgdb_tools.snapshot_create('rep', ARRAY['t1']::regclass[], note => 'first', replace => true)" \
    -c "SELECT pg_sleep(1)" -c "COMMIT" >"$work/rep1.out" 2>&1 &
  first=$!
  sleep 0.3
  q -c "SELECT pgdb_tools.snapshot_create('rep', ARRAY['t1', 't2']::regclass[], note => 'second', replace => true)" \
    >"$work/rep2.out" 2>&1 || { cat "$work/rep2.out"; fail "the second replace ($start) failed"; }
  wait $first || { cat "$work/rep1.out"; fail "the first replace ($start) failed"; }
  out=$(q -c "SELECT count(*) || ' ' || min(note) || ' ' || min(tables) FROM pgdb_tools.snapshots WHERE name = 'rep'")
  echo "two concurrent replaces ($start): $out"
  [ "$out" = "1 second 2" ] || fail "one snapshot named rep, the second's, expected ($start)"
  copies=$(q -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace
                   AND relkind = 'r' AND relname LIKE 's' || (SELECT snapshot_id FROM pgdb_tools.snapshots WHERE name = 'rep') || '\_%'")
  all=$(q -c "SELECT count(*) FROM pg_class c WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace AND relkind = 'r'")
  items=$(q -c "SELECT sum(tables) FROM pgdb_tools.snapshots")
  [ "$copies" = 2 ] && [ "$all" = "$items" ] || fail "stored copies left behind ($copies, $all tables for $items items)"
  q -c "SELECT pgdb_tools.snapshot_drop('rep')" >/dev/null
done
