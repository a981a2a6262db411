# ignore() is private to the session and transaction that called it: while one session bypasses a
# protect trigger, another session is still refused.
set -eu
createdb pgdb_e2e_ignore
log=$(mktemp)
trap 'dropdb --if-exists pgdb_e2e_ignore; rm -f "$log"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d pgdb_e2e_ignore <<'SQL'
CREATE EXTENSION pgdb_tools;
CREATE TABLE accounts (id int PRIMARY KEY, balance numeric);
INSERT INTO accounts VALUES (1, 100), (2, 200);
SELECT pgdb_tools.protect('accounts');
SQL

# Session A: ignores the trigger, waits, then updates row 1.
psql -X -At -v ON_ERROR_STOP=1 -d pgdb_e2e_ignore >"$log" 2>&1 <<'SQL' &
BEGIN;
SELECT 'A ignored ' || pgdb_tools.ignore('pgdb_protect_accounts');
SELECT pg_sleep(3);
UPDATE accounts SET balance = 101 WHERE id = 1;
COMMIT;
SQL
session_a=$!
sleep 1

# Session B, meanwhile: still protected.
if psql -X -At -d pgdb_e2e_ignore -c "UPDATE accounts SET balance = 0 WHERE id = 2" 2>"$log.b"; then
  echo "session B was able to update a protected row"; exit 1
fi
grep -q "forbids UPDATE" "$log.b"
echo "session B refused: $(head -n 1 "$log.b")"
rm -f "$log.b"

wait $session_a
cat "$log"
grep -q "A ignored 1" "$log"
[ "$(psql -X -At -d pgdb_e2e_ignore -c "SELECT balance FROM accounts WHERE id = 1")" = "101" ]
[ "$(psql -X -At -d pgdb_e2e_ignore -c "SELECT balance FROM accounts WHERE id = 2")" = "200" ]
echo "session A updated row 1 while session B stayed protected"
