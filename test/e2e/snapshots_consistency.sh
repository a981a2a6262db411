# snapshot_create copies all its tables as of one point even in READ COMMITTED: while pgbench
# clients move money between tables a and b (each move one transaction, so sum(a) + sum(b) never
# changes), snapshots of both are taken from another session; every one, restored into a schema
# of its own, must still add up, while the per-table sums must differ between snapshots (the
# writes really ran in between). A snapshot taken in a transaction that rolls back leaves nothing.
set -eu
db=pgdb_e2e_snapshots
clients=4
seconds=6
snapshots=20
expected_total=200000
work=$(mktemp -d)
bench_pid=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$bench_pid" ]; then kill "$bench_pid" 2>/dev/null; wait "$bench_pid" 2>/dev/null; fi
  dropdb --if-exists --force "$db" 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

dropdb --if-exists --force "$db" 2>/dev/null || true
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
CREATE TABLE a (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE b (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO a SELECT g, 1000 FROM generate_series(1, 100) g;
INSERT INTO b SELECT g, 1000 FROM generate_series(1, 100) g;
SQL

# One transfer per transaction, a random amount from a random row of a to a random row of b, or
# back when negative. Rows of a are always locked before rows of b, so clients cannot deadlock.
cat >"$work/transfer.sql" <<'SQL'
\set from_id random(1, 100)
\set to_id random(1, 100)
\set amount random(-50, 50)
BEGIN;
UPDATE a SET balance = balance - :amount WHERE id = :from_id;
UPDATE b SET balance = balance + :amount WHERE id = :to_id;
COMMIT;
SQL
"${PGBIN:-/usr/lib/postgresql/15/bin}/pgbench" -n -c "$clients" -j "$clients" -T "$seconds" \
  -f "$work/transfer.sql" "$db" >"$work/pgbench.log" 2>&1 &
bench_pid=$!
sleep 0.5

# Meanwhile, from one more session in READ COMMITTED: one snapshot per statement.
started=$(date +%s%N)
for n in $(seq "$snapshots"); do
  echo "SELECT pgdb_tools.snapshot_create('c_$n', ARRAY['a', 'b']::regclass[]);"
  echo "SELECT pg_sleep(0.1);"
done | q -q >/dev/null
took_ms=$((($(date +%s%N) - started) / 1000000))
# On a loaded machine the snapshots may outlast pgbench's run: that is no failure by itself, the
# check that matters is below (the sums differ between snapshots, so writes ran between them).
kill -0 "$bench_pid" 2>/dev/null ||
  echo "note: pgbench had finished before the last snapshot (${took_ms} ms of snapshots)"

wait "$bench_pid" || { cat "$work/pgbench.log"; fail "pgbench failed"; }
bench_pid=""
transactions=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$work/pgbench.log")
failed_tx=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/pgbench.log")
[ -n "$transactions" ] || { cat "$work/pgbench.log"; fail "no transaction count in pgbench's output"; }
[ "$(q -c "SELECT sum(balance) FROM (SELECT balance FROM a UNION ALL SELECT balance FROM b) t")" = "$expected_total" ] ||
  fail "the live tables no longer add up to $expected_total"

# Each snapshot restored into a schema of its own.
for n in $(seq "$snapshots"); do
  echo "SELECT count(*) FROM pgdb_tools.snapshot_restore('c_$n', target_schema => 'chk_$n');"
done | q -q >/dev/null
sums=$(for n in $(seq "$snapshots"); do
  echo "SELECT 'c_$n', (SELECT count(*) FROM chk_$n.a), (SELECT count(*) FROM chk_$n.b),
               (SELECT sum(balance) FROM chk_$n.a), (SELECT sum(balance) FROM chk_$n.b);"
done | q -F ' ')
echo "snapshot rows(a) rows(b) sum(a) sum(b):"
echo "$sums" | sed 's/^/  /'
inconsistent=$(echo "$sums" | awk -v total="$expected_total" '$2 != 100 || $3 != 100 || $4 + $5 != total')
[ -z "$inconsistent" ] || fail "snapshots that do not add up to $expected_total: $inconsistent"
distinct=$(echo "$sums" | awk '{ print $4 }' | sort -u | wc -l)

verified=$(q -c "SELECT count(*) FILTER (WHERE v.ok), count(*)
                   FROM pgdb_tools.snapshots s, pgdb_tools.snapshot_verify(s.name) v
                  WHERE s.name LIKE 'c\_%'" -F ' ')
[ "$verified" = "$((snapshots * 2)) $((snapshots * 2))" ] ||
  fail "snapshot_verify: ok/checked = $verified, expected $((snapshots * 2)) of $((snapshots * 2))"

echo "pgbench: $transactions transfers committed by $clients clients in ${seconds}s (failed: ${failed_tx:-0})"
echo "$snapshots snapshots in ${took_ms} ms; $distinct distinct values of sum(a) among them"
[ "$transactions" -gt 0 ] || fail "pgbench committed no transfer"
[ "$distinct" -gt 1 ] || fail "every snapshot has the same sum(a): the transfers did not run between them"

# A snapshot taken in a transaction that rolls back leaves neither a catalog row nor a copy.
state="SELECT (SELECT count(*) FROM pgdb_tools.snapshots) || ' ' ||
              (SELECT count(*) FROM pgdb_tools.snapshot_items) || ' ' ||
              (SELECT count(*) FROM pg_class WHERE relnamespace = 'pgdb_tools_snapshots'::regnamespace)"
before=$(q -c "$state")
inside=$(q -q <<SQL
BEGIN;
SELECT pgdb_tools.snapshot_create('rolled_back', ARRAY['a', 'b']::regclass[]) > 0;
$state;
ROLLBACK;
SQL
)
after=$(q -c "$state")
echo "snapshots, items, tables in pgdb_tools_snapshots: before $before; in the transaction $(echo "$inside" | tail -n 1); after rollback $after"
[ "$(echo "$inside" | head -n 1)" = "t" ] || fail "snapshot_create in the transaction returned $inside"
[ "$(echo "$inside" | tail -n 1)" != "$before" ] || fail "snapshot_create in the transaction created nothing"
[ "$after" = "$before" ] || fail "the rolled-back snapshot left something behind"
[ "$(q -c "SELECT count(*) FROM pgdb_tools.snapshots WHERE name = 'rolled_back'")" = 0 ] ||
  fail "the rolled-back snapshot is still listed"
echo "all $snapshots snapshots add up to $expected_total and verify; the rolled-back one left nothing"
