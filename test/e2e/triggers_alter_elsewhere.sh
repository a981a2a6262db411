# A trigger's cached configuration does not outlive a column type changed by another session: the
# session that fired the triggers first (its caches warm) fires them again after another session's
# ALTER TABLE ... TYPE, and gets a clear error for each kind, never a crash or a value written into
# a column of the wrong type; after the columns are changed back it works again.
set -eu
createdb pgdb_e2e_alter_elsewhere
out=$(mktemp)
trap 'dropdb --if-exists pgdb_e2e_alter_elsewhere; rm -f "$out" "$out.fifo"' EXIT
db=pgdb_e2e_alter_elsewhere
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
CREATE EXTENSION pgdb_tools;
CREATE TABLE docs (id int PRIMARY KEY, title text, sv tsvector, changed timestamptz,
                   version int NOT NULL DEFAULT 1, state text DEFAULT 'draft', n int DEFAULT 0);
SELECT pgdb_tools.search_vector('docs', 'sv', '{"title": "A"}');
SELECT pgdb_tools.updated_at('docs', 'changed', on_insert => true);
SELECT pgdb_tools.row_version('docs', check_stale => false);
SELECT pgdb_tools.fsm('docs', 'state', '{"draft": ["published"]}');
SQL

# Session A reads its statements from a pipe, so that it lives (with its caches) across B's work.
mkfifo "$out.fifo"
psql -X -At -d $db <"$out.fifo" >"$out" 2>&1 &
session_a=$!
exec 3>"$out.fifo"
send() { echo "$1" >&3; }
wait_for() {  # a line A printed
  for _ in $(seq 1 100); do grep -q -- "$1" "$out" && return 0; sleep 0.1; done
  echo "session A never printed '$1':"; cat "$out"; return 1
}

send "INSERT INTO docs (id, title) VALUES (1, 'warm');"
send "UPDATE docs SET n = n + 1;"
send "SELECT 'A warmed: ' || sv::text || ' v' || version FROM docs;"
wait_for "A warmed: 'warm':1A v2"

# Session B changes the columns the triggers use, one kind at a time (they fire in name order).
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
ALTER TABLE docs ALTER COLUMN title TYPE integer USING 0;
SQL
send "INSERT INTO docs (id, title) VALUES (2, 7);"
send "SELECT 'A after title: ' || count(*) FROM docs;"
wait_for "A after title: 1"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER TABLE docs ALTER COLUMN title TYPE text, ALTER COLUMN sv TYPE bigint USING 0"
send "UPDATE docs SET title = 'x';"
send "SELECT 'A after sv: ' || sv FROM docs;"
wait_for "A after sv: 0"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER TABLE docs ALTER COLUMN sv TYPE tsvector USING NULL, ALTER COLUMN changed TYPE text"
send "UPDATE docs SET n = n + 1;"
send "SELECT 'A after changed: ' || version FROM docs;"
wait_for "A after changed: 2"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER TABLE docs ALTER COLUMN changed TYPE timestamptz USING NULL, ALTER COLUMN version TYPE numeric"
send "UPDATE docs SET n = n + 1;"
send "SELECT 'A after version: ' || version FROM docs;"
wait_for "A after version: 2"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER TABLE docs ALTER COLUMN version TYPE bigint"
send "UPDATE docs SET state = 'published', title = 'back';"
send "SELECT 'A works again: ' || sv::text || ' v' || version || ' ' || state FROM docs;"
wait_for "A works again: 'back':1A v3 published"
exec 3>&-
wait $session_a
cat "$out"

grep -q 'column "title" of table public.docs is of type integer, not text, varchar or char' "$out"
grep -q 'column "sv" of table public.docs is of type bigint, not tsvector' "$out"
grep -q 'column "changed" of table public.docs is of type text, not timestamp with time zone' "$out"
grep -q 'column "version" of table public.docs is of type numeric, not smallint, integer or bigint' "$out"
[ "$(grep -c '^ERROR' "$out")" = 4 ]
! grep -q "server closed the connection" "$out"
echo "session A got a clear error after each of session B's changes, and works again after"
