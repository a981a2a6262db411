# pgdb-archive (docs/archive-cli.md), as make install put it into the server's bindir: archives of
# real tables (awkward types and values, a quoted mixed-case name, a generated column, serial and
# identity sequences, a row longer than a chunk), written by the test-only generator
# (test/tools/archive_testgen.cpp) from COPY text and the definitions _snapshot_definition
# records, are listed, verified, turned into SQL and loaded by psql into a fresh database without
# the extension, then compared row by row with the source; a flipped byte and a cut-short file
# fail verify and sql with a non-zero status and load nothing.
set -eu
cli=$PGBIN/pgdb-archive
src=${PGDATABASE}_archive_cli_src
dst=${PGDATABASE}_archive_cli_dst
bad=${PGDATABASE}_archive_cli_bad
work=$(mktemp -d)
cleanup() {
  for db in "$src" "$dst" "$bad"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

[ -x "$cli" ] || fail "$cli is missing: make install did not install pgdb-archive"

# The generator: make test's unit-test build has it; otherwise a build of its own.
build=$REPO/build/cmake
if [ ! -f "$build/CMakeCache.txt" ]; then
  build=$REPO/build/archive-testgen
  cmake -S "$REPO" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target pgdb-archive-testgen -j2 >"$work/testgen-build.log" 2>&1 ||
  { cat "$work/testgen-build.log"; fail "pgdb-archive-testgen did not build"; }
testgen=$build/pgdb-archive-testgen

for db in "$src" "$dst" "$bad"; do dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"; done
psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA app;
CREATE TABLE app.things (
  id serial PRIMARY KEY,
  label text,
  payload bytea,
  tags text[],
  doc jsonb,
  amount numeric(12, 4) CHECK (amount >= 0),
  at timestamptz,
  n integer,
  twice numeric GENERATED ALWAYS AS (amount * 2) STORED);
CREATE UNIQUE INDEX things_label ON app.things (label);
INSERT INTO app.things (label, payload, tags, doc, amount, at, n)
SELECT 'row ' || g || E'\ttab\nnewline \\ backslash ''quote'' "dq" é',
       decode(md5(g::text), 'hex') || '\x00ff'::bytea,
       ARRAY['a b', NULL, E'c\\d', '{}', g::text],
       jsonb_build_object('g', g, 's', E'x\ty\n', 'nested', jsonb_build_array(1, 'two', NULL)),
       g * 1.2345, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour 1.5 second',
       CASE WHEN g % 3 = 0 THEN NULL ELSE g END
  FROM generate_series(1, 3000) g;
-- one row far longer than a chunk (the archives below use 4 KiB chunks), NULLs everywhere
INSERT INTO app.things (label, payload, amount) VALUES (repeat(E'long\\\t', 5000), NULL, NULL);
INSERT INTO app.things (label) VALUES (NULL);
CREATE TABLE app."Mixed Case" (id bigint GENERATED ALWAYS AS IDENTITY, "Note" text NOT NULL,
                               "when" date DEFAULT current_date);
INSERT INTO app."Mixed Case" ("Note", "when")
SELECT 'note ' || g, date '2026-12-01' - g FROM generate_series(1, 50) g;
CREATE TABLE public.empty_one (x integer);
SQL

# Each table's definition as _snapshot_definition records it, and its rows as COPY text in the
# definition's column order (SELECT *: attnum order, generated columns included).
tables=(app things app "Mixed Case" public empty_one)
gen_args=()
for ((i = 0; i < ${#tables[@]}; i += 2)); do
  schema=${tables[i]} name=${tables[i + 1]}
  rel=$(psql -X -At -d "$src" -v s="$schema" -v t="$name" <<<"SELECT format('%I.%I', :'s', :'t')")
  psql -X -At -v ON_ERROR_STOP=1 -d "$src" \
    -c "SELECT pgdb_tools._snapshot_definition('$rel'::regclass)" >"$work/def$i.json"
  psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "COPY (SELECT * FROM $rel) TO STDOUT" >"$work/rows$i.copy"
  gen_args+=(--table "$schema" "$name" "$work/def$i.json" "$work/rows$i.copy")
done
for method in zstd lz4 none; do
  "$testgen" "$work/$method.pgdbsnap" nightly --compression "$method" --chunk-size 4096 \
    "${gen_args[@]}"
done
good=$work/zstd.pgdbsnap

# list: the snapshot, its format and compression, and every table with its rows
"$cli" list "$good" "$work/lz4.pgdbsnap" >"$work/list.out"
cat "$work/list.out"
grep -q '^  snapshot     nightly$' "$work/list.out" || fail "list: no snapshot name"
grep -q '^  format       1.0$' "$work/list.out" || fail "list: no format version"
grep -q '^  compression  lz4$' "$work/list.out" || fail "list: no compression"
grep -qE '^    app\.things +3002 ' "$work/list.out" || fail "list: app.things rows"
grep -qE '^    app\."Mixed Case" +50 ' "$work/list.out" || fail "list: Mixed Case rows"
grep -qE '^    public\.empty_one +0 ' "$work/list.out" || fail "list: empty_one rows"

# verify: every archive good, a line per table
for method in zstd lz4 none; do
  "$cli" verify "$work/$method.pgdbsnap" >"$work/verify.out" || fail "verify $method: status $?"
  grep -qE '^  ok  app\.things: 3002 rows' "$work/verify.out" || fail "verify $method: table line"
  grep -q ': ok (' "$work/verify.out" || fail "verify $method: no final ok"
done
cat "$work/verify.out"

# sql, loaded into a fresh database without the extension, equals the source row by row
"$cli" sql "$good" -o "$work/all.sql" || fail "sql: status $?"
psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -f "$work/all.sql" >/dev/null || fail "psql did not load the script"
[ "$(psql -X -At -d "$dst" -c "SELECT count(*) FROM pg_extension WHERE extname = 'pgdb_tools'")" = 0 ] ||
  fail "the fresh database has the extension"
# same_rows DB_A REL_A DB_B REL_B: the rows' text casts, sorted, and their counts are equal
same_rows() {
  local a b
  a=$(psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "COPY (SELECT t::text FROM $2 t ORDER BY 1) TO STDOUT")
  b=$(psql -X -At -v ON_ERROR_STOP=1 -d "$3" -c "COPY (SELECT t::text FROM $4 t ORDER BY 1) TO STDOUT")
  [ "$a" = "$b" ] || { diff <(echo "$a") <(echo "$b") | head -5; fail "$2 in $1 differs from $4 in $3"; }
  [ "$(psql -X -At -d "$1" -c "SELECT count(*) FROM $2")" = "$(psql -X -At -d "$3" -c "SELECT count(*) FROM $4")" ] ||
    fail "$2: counts differ"
}
same_rows "$src" app.things "$dst" app.things
same_rows "$src" 'app."Mixed Case"' "$dst" 'app."Mixed Case"'
same_rows "$src" public.empty_one "$dst" public.empty_one
# the generated column is generated again, the CHECK, the primary key and the unique index exist,
# and both sequences continue after the loaded values
psql -X -q -v ON_ERROR_STOP=1 -d "$dst" <<'SQL' >"$work/after.out"
\pset format unaligned
\pset tuples_only on
INSERT INTO app.things (label, amount) VALUES ('new', 2) RETURNING id, twice;
INSERT INTO app."Mixed Case" ("Note") VALUES ('new') RETURNING id;
SELECT count(*) FROM pg_indexes WHERE schemaname = 'app' AND tablename = 'things';
SELECT conname FROM pg_constraint WHERE conrelid = 'app.things'::regclass AND contype = 'c';
SQL
printf '3003|4.0000\n51\n2\nthings_amount_check\n' | diff - "$work/after.out" || fail "what the script recreated"
if psql -X -q -d "$dst" -c "INSERT INTO app.things (label, amount) VALUES ('neg', -1)" 2>/dev/null; then
  fail "the CHECK constraint was not recreated"
fi

# --schema and --tables: one table into another schema; lz4 and uncompressed archives load too
"$cli" sql "$work/lz4.pgdbsnap" --schema "Copy Of" --tables 'Mixed Case' |
  psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >/dev/null || fail "sql --schema --tables"
same_rows "$src" 'app."Mixed Case"' "$dst" '"Copy Of"."Mixed Case"'
[ "$(psql -X -At -d "$dst" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'Copy Of'")" = 1 ] ||
  fail "--tables took more than the one table"
"$cli" sql "$work/none.pgdbsnap" --schema plain --tables app.things,empty_one |
  psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >/dev/null || fail "sql of the uncompressed archive"
same_rows "$src" app.things "$dst" plain.things

# damage: expect_failure STATUS PATTERN COMMAND...: exits with STATUS and says PATTERN on stderr
expect_failure() {
  local want=$1 pattern=$2 status=0; shift 2
  "$@" >"$work/out" 2>"$work/err" || status=$?
  [ "$status" = "$want" ] || { cat "$work/err"; fail "$* exited $status, not $want"; }
  grep -q -- "$pattern" "$work/err" || { cat "$work/err"; fail "$*: no \"$pattern\""; }
  echo "as expected ($status): $(head -1 "$work/err")"
}
size=$(stat -c %s "$good")
flip() {  # flip FILE OFFSET: a copy with the byte at OFFSET inverted
  python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 0xFF; open(sys.argv[3], "wb").write(b)' \
    "$good" "$2" "$1"
}
flip "$work/chunk.pgdbsnap" $((size / 2))                # inside a data chunk
flip "$work/sha.pgdbsnap" $((size - 5))                  # in the trailer's SHA-256
flip "$work/manifest.pgdbsnap" 60                        # in the manifest
head -c $((size - 100)) "$good" >"$work/cut.pgdbsnap"    # cut short
head -c $((size / 3)) "$good" >"$work/cut3.pgdbsnap"
for f in chunk manifest sha cut cut3; do
  case $f in chunk | manifest) why='archive is damaged' ;; sha) why='SHA-256' ;; *) why='archive is truncated' ;; esac
  expect_failure 1 "$why" "$cli" verify "$work/$f.pgdbsnap"
  expect_failure 1 "$why" "$cli" sql "$work/$f.pgdbsnap" -o "$work/$f.sql"
  [ ! -e "$work/$f.sql" ] || fail "sql -o left $f.sql behind"
  ls "$work" | grep -q "^$f\.sql\." && fail "sql -o left a temporary file behind"
  # to standard output: psql loads nothing (a script begun never reaches its COMMIT but raises)
  status=0
  "$cli" sql "$work/$f.pgdbsnap" >"$work/$f.stdout.sql" 2>/dev/null || status=$?
  [ "$status" = 1 ] || fail "sql of $f.pgdbsnap to standard output exited $status"
  if [ -s "$work/$f.stdout.sql" ]; then
    tail -1 "$work/$f.stdout.sql" | grep -q 'RAISE EXCEPTION' || fail "$f: the script does not end raising"
    psql -X -q -v ON_ERROR_STOP=1 -d "$bad" -f "$work/$f.stdout.sql" >/dev/null 2>&1 &&
      fail "psql loaded the script of $f.pgdbsnap without an error"
  fi
  [ "$(psql -X -At -d "$bad" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'app'")" = 0 ] ||
    fail "the script of $f.pgdbsnap left tables behind"
done
expect_failure 1 'archive is damaged' "$cli" list "$work/manifest.pgdbsnap" "$good"
grep -q 'nightly' "$work/out" || fail "list of a bad and a good file skipped the good one"
printf 'this is a text file, not an archive at all\n' >"$work/text.pgdbsnap"
expect_failure 1 'not a pgdb_tools archive' "$cli" verify "$work/text.pgdbsnap"
expect_failure 3 'could not open' "$cli" verify "$work/missing.pgdbsnap"
expect_failure 2 'unknown option' "$cli" verify --bogus "$good"
expect_failure 2 'no table "nope"' "$cli" sql "$good" --tables nope
echo "archive_cli: ok"
