# Snapshots under concurrent sessions: a REPEATABLE READ snapshot_create refuses a table that was
# rewritten after its transaction began (40001) rather than copying it empty; two in-place restores
# of the same tables listed in opposite orders queue instead of deadlocking; two sessions creating
# the same snapshot name get 42710 for the second, not a unique-index error; two replacing it
# leave the second one; a child table restored while a parent row's delete is open waits for it.
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

# 5. A parent row deleted by a transaction still open while the child table is restored in place
# from a snapshot whose rows reference it: the restore waits for the deleter (its foreign-key check
# locks the parent; the deleter's own check locked the child) instead of checking against the row
# the deleter is removing, then fails with 23503 if the delete committed, or succeeds if it
# rolled back. Never an orphan, never a deadlock.
q -c "SELECT pgdb_tools.snapshot_create('child', ARRAY['t2']::regclass[])" >/dev/null
q -c "DELETE FROM t2 WHERE t1_id = 50" >/dev/null
for outcome in COMMIT ROLLBACK; do
  q -c "BEGIN" -c "DELETE FROM t1 WHERE id = 50" -c "SELECT pg_sleep(1.5)" -c "$outcome" >"$work/del.out" 2>&1 &
  deleter=$!
  sleep 0.4
  psql -X -At -d "$db" -c '\set VERBOSITY sqlstate' \
    -c "SELECT count(*) FROM pgdb_tools.snapshot_restore('child')" >"$work/child.out" 2>&1 || true
  wait $deleter || { cat "$work/del.out"; fail "the deleting transaction failed ($outcome)"; }
  orphans=$(q -c "SELECT count(*) FROM t2 LEFT JOIN t1 ON t1.id = t2.t1_id WHERE t1.id IS NULL")
  echo "restore of the child while a parent's delete ends in $outcome: $(tr '\n' ' ' <"$work/child.out")(orphans: $orphans)"
  [ "$orphans" = 0 ] || fail "the restore left $orphans rows without their parent ($outcome)"
  if [ "$outcome" = COMMIT ]; then
    grep -q "23503" "$work/child.out" || fail "expected 23503 once the parent's delete committed"
    [ "$(q -c "SELECT count(*) FROM t2")" = 99 ] || fail "the failed restore changed t2"
    q -c "INSERT INTO t1 VALUES (50, 50)" >/dev/null
  else
    grep -qx "1" "$work/child.out" || fail "expected the restore to succeed after the rollback"
    [ "$(q -c "SELECT count(*) FROM t2")" = 100 ] || fail "t2 should hold the snapshot's 100 rows"
    q -c "DELETE FROM t2 WHERE t1_id = 50" >/dev/null
  fi
done

# 6. The other order: the restore of a larger child has emptied it and is loading when a parent
# row is deleted. The deleter's foreign-key check waits for the restore and then fails (23503, the
# restored rows reference the row); the restore goes on. No deadlock (40P01), no orphan, whatever
# the timing.
q -q >/dev/null 2>&1 <<'SQL'
CREATE TABLE t3 (id int PRIMARY KEY, t1_id int REFERENCES t1, pad text);
INSERT INTO t3 SELECT g, 1 + g % 100, repeat('x', 40) FROM generate_series(1, 200000) g;
SELECT pgdb_tools.snapshot_create('big_child', ARRAY['t3']::regclass[]);
DELETE FROM t3 WHERE t1_id = 50;
SQL
psql -X -At -d "$db" -c '\set VERBOSITY sqlstate' \
  -c "SELECT count(*) FROM pgdb_tools.snapshot_restore('big_child')" >"$work/big.out" 2>&1 &
restore=$!
sleep 0.2
psql -X -At -d "$db" -c '\set VERBOSITY sqlstate' -c "DELETE FROM t1 WHERE id = 50" >"$work/del2.out" 2>&1 || true
wait $restore || true
orphans=$(q -c "SELECT count(*) FROM t3 LEFT JOIN t1 ON t1.id = t3.t1_id WHERE t1.id IS NULL")
echo "a parent's delete during the restore of its child: restore $(tr '\n' ' ' <"$work/big.out")/ delete $(tr '\n' ' ' <"$work/del2.out")(orphans: $orphans)"
! grep -q "40P01" "$work/big.out" "$work/del2.out" || fail "the restore and the delete deadlocked"
[ "$orphans" = 0 ] || fail "$orphans rows of t3 without their parent"
grep -qx "1" "$work/big.out" || fail "the restore should succeed"
