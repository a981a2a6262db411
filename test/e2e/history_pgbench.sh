# track_history under pgbench (issue 13): 4 clients for a few seconds update, insert and delete
# rows of a tracked table, each transaction setting its own context and writing what it changed
# into an untracked ledger; about one in ten rolls back on purpose. Afterwards every committed
# change has exactly one event (same transaction, operation, key and context as its ledger row),
# no event comes from a transaction that did not commit, and a context set in one session is not
# seen in another. About 10 seconds.
set -eu
db=pgdb_history_pgbench
tmp=$(mktemp -d)
cleanup() {
  wait 2>/dev/null || true
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
export PGDATABASE=$db
run() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

run <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
CREATE TABLE acct (id bigint PRIMARY KEY, balance bigint NOT NULL, note text);
INSERT INTO acct SELECT g, 0, 'seed' FROM generate_series(1, 1000) g;
CREATE SEQUENCE new_ids START 1000001;
-- what each transaction changed, in the same transaction (so gone with it when it rolls back)
CREATE TABLE ledger (tx_id xid8, operation text, id bigint, client int);
SELECT pgdb_tools.track_history('acct', operations => '{INSERT,UPDATE,DELETE,TRUNCATE}');
SQL

cat >"$tmp/mix.sql" <<'SQL'
\set id random(1, 1000)
\set r random(1, 10)
BEGIN;
SELECT pgdb_tools.set_context(jsonb_build_object('client', :client_id, 'r', :r));
UPDATE acct SET balance = balance + 1 WHERE id = :id;
INSERT INTO ledger VALUES (pg_current_xact_id(), 'UPDATE', :id, :client_id);
INSERT INTO acct VALUES (nextval('new_ids'), 0, 'new') RETURNING id AS new_id \gset
INSERT INTO ledger VALUES (pg_current_xact_id(), 'INSERT', :new_id, :client_id);
\if :r <= 3
DELETE FROM acct WHERE id = :new_id;
INSERT INTO ledger VALUES (pg_current_xact_id(), 'DELETE', :new_id, :client_id);
\endif
\if :r = 10
ROLLBACK;
\else
COMMIT;
\endif
SQL

echo "-- 4 clients, 5 seconds"
pgbench -n -c 4 -j 2 -T 5 -f "$tmp/mix.sql" "$db" >"$tmp/pgbench.out" 2>&1 \
  || { cat "$tmp/pgbench.out"; fail "pgbench failed"; }
processed=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$tmp/pgbench.out")
[ -n "$processed" ] || { cat "$tmp/pgbench.out"; fail "no pgbench summary"; }
failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$tmp/pgbench.out")
[ "${failed:-0}" = 0 ] || { cat "$tmp/pgbench.out"; fail "$failed client transactions failed"; }

committed=$(run -c "SELECT count(DISTINCT tx_id) FROM ledger")
[ "$committed" -gt 0 ] || fail "nothing committed"
[ "$committed" -lt "$processed" ] || fail "no transaction rolled back ($committed of $processed committed)"
echo "   $processed transactions ran, $committed committed, $((processed - committed)) rolled back"

changes=$(run -c "SELECT count(*) FROM ledger")
events=$(run -c "SELECT count(*) FROM acct_history")
[ "$events" = "$changes" ] || fail "$events events for $changes committed changes"

# the same multiset both ways: transaction, operation, key and the client's own context
run -c "CREATE VIEW recorded AS SELECT tx_id, operation, (row_key->>'id')::bigint AS id,
               (context->>'client')::int AS client FROM acct_history"
missing=$(run -c "SELECT count(*) FROM (SELECT * FROM ledger EXCEPT ALL SELECT * FROM recorded) x")
extra=$(run -c "SELECT count(*) FROM (SELECT * FROM recorded EXCEPT ALL SELECT * FROM ledger) x")
[ "$missing" = 0 ] || fail "$missing committed changes have no event"
[ "$extra" = 0 ] || fail "$extra events match no committed change"
aborted=$(run -c "SELECT count(*) FROM acct_history WHERE pg_xact_status(tx_id) <> 'committed'
                                                    OR (context->>'r')::int = 10")
[ "$aborted" = 0 ] || fail "$aborted events from transactions that rolled back"
echo "   $events events: exactly one per committed change, with its transaction and context"

# the table's content agrees with the history: each key's last event is its current row
wrong=$(run -c "SELECT count(*) FROM (
  SELECT DISTINCT ON (row_key) row_key, new_data FROM acct_history ORDER BY row_key, event_id DESC) h
  LEFT JOIN acct a ON a.id = (h.row_key->>'id')::bigint
  WHERE h.new_data IS DISTINCT FROM (SELECT to_jsonb(a))")
[ "$wrong" = 0 ] || fail "$wrong rows differ from their last event"
echo "   every changed row is as its last event has it"

echo "-- a context is its own session's"
run -c "BEGIN; SELECT pgdb_tools.set_context('{\"who\": \"session a\"}');
        SELECT pg_sleep(4); COMMIT" >/dev/null &
holder=$!
sleep 1
got=$(run -c "SELECT count(*) FROM pg_stat_activity
               WHERE query LIKE '%session a%' AND state = 'active' AND pid <> pg_backend_pid()")
[ "$got" = 1 ] || fail "session a is not holding its context open"
seen=$(run <<'SQL'
BEGIN;
SELECT pgdb_tools.current_context() IS NULL;
UPDATE acct SET note = 'from b' WHERE id = 1;
SELECT context IS NULL FROM acct_history WHERE tx_id = pg_current_xact_id();
COMMIT;
SQL
)
[ "$seen" = "$(printf 't\nt')" ] || fail "session b saw another session's context: $seen"
wait $holder || fail "session a failed"
echo "   ok: session b saw no context while session a had one"

echo "-- TRUNCATE: one event"
run -c "TRUNCATE acct"
[ "$(run -c "SELECT count(*) FROM acct_history WHERE operation = 'TRUNCATE'")" = 1 ] \
  || fail "not one TRUNCATE event"
echo "   ok"
