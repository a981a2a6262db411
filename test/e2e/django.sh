# docs/django.md's recipes in a real Django project (Debian 12's python3-django, 3.2 LTS, with
# psycopg2): test/django/ is copied to build/django-project and migrated, back and forth, by a
# LOGIN role that owns its database and is no superuser; a superuser made the database and its
# test template with the extension first. Then test/django/exercise.py (row_version and save(),
# soft_delete with on_delete, a refusal by SQLSTATE, the partitioned table) and `manage.py test`
# (the test database copied from the template).
set -eu
source "$REPO/test/lib.sh"
ensure_packages python3-django python3-psycopg2
PY=/usr/bin/python3   # Debian's python, which has Debian's Django (not a pyenv or venv one)
ROLE=pgdb_django_app
DB=pgdb_django
export DJANGO_DB_NAME=$DB DJANGO_DB_USER=$ROLE
project="$REPO/build/django-project"

cleanup() {
  for db in "$DB" "${DB}_template" "test_$DB"; do dropdb --if-exists --force "$db" 2>/dev/null || true; done
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS $ROLE" || true
}
trap cleanup EXIT
cleanup

echo "-- as a superuser: the role, its database and the test template, each with the extension"
psql -X -q -d postgres -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE $ROLE LOGIN CREATEDB;
CREATE DATABASE $DB OWNER $ROLE;
CREATE DATABASE ${DB}_template OWNER $ROLE;
SQL
for db in "$DB" "${DB}_template"; do
  psql -X -q -d "$db" -v ON_ERROR_STOP=1 \
    -c "CREATE EXTENSION pgdb_tools"
done
psql -X -At -d "$DB" -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$ROLE'" | grep -qx f

rm -rf "$project"
cp -r "$REPO/test/django" "$project"
cd "$project"
manage() { echo "\$ manage.py $*"; "$PY" manage.py "$@"; }
sql() { psql -X -At -U "$ROLE" -d "$DB" -v ON_ERROR_STOP=1 -c "$1"; }

"$PY" -c 'import django; print("Django", django.get_version())'
manage migrate -v 1 shop 0001
sql "INSERT INTO shop_event (created_at, kind) VALUES (now() - interval '40 days', 'old'), (now(), 'new')"
manage migrate -v 1 shop 0004
sql "SELECT tableoid::regclass, kind FROM shop_event ORDER BY id"
[ "$(sql "SELECT count(*) FROM shop_event WHERE tableoid = 'shop_event_default'::regclass")" = 0 ]
triggers() { sql "SELECT count(*) FROM pgdb_tools.triggers WHERE status = 'installed'"; }
[ "$(triggers)" = 4 ]

echo "-- a data migration between a snapshot and its restore"
sql "INSERT INTO shop_order (status, total, is_active, version) VALUES ('draft', 1.50, true, 1), ('draft', 2.00, true, 1)"
totals() { sql "SELECT string_agg(total::text, ' ' ORDER BY id) FROM shop_order"; }
manage migrate -v 1 shop 0005
[ "$(totals)" = "150.00 200.00" ]
manage migrate -v 1 shop 0004
[ "$(totals)" = "1.50 2.00" ]
[ "$(sql "SELECT count(*) FROM pgdb_tools.snapshots")" = 0 ]
echo "totals restored, snapshot dropped"

echo "-- the triggers' migration reversed with drop_trigger, then everything applied again"
manage migrate -v 1 shop 0003
[ "$(triggers)" = 0 ]
[ "$(sql "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'shop_order'::regclass AND NOT tgisinternal")" = 0 ]
manage migrate -v 1
[ "$(triggers)" = 4 ]
[ "$(totals)" = "150.00 200.00" ]

echo "-- the recipes through the ORM"
"$PY" exercise.py

echo "-- Django's test runner, as $ROLE, its test database copied from ${DB}_template"
manage test shop --noinput -v 2 2>&1 | tee "$project/test.log"
grep -q "Ran 2 tests" "$project/test.log"
grep -q "^OK" "$project/test.log"

echo "-- why a superuser goes first: without the extension, the application's role cannot migrate"
dropdb --if-exists "${DB}_bare" 2>/dev/null; createdb -O "$ROLE" "${DB}_bare"
if DJANGO_DB_NAME=${DB}_bare "$PY" manage.py migrate pgdb >"$project/bare.log" 2>&1; then
  dropdb "${DB}_bare"; echo "migrate created the extension as a non-superuser?"; exit 1
fi
dropdb --force "${DB}_bare"
grep -m1 "permission denied to create extension" "$project/bare.log"
echo "-- why atomic = False: in a transaction block the procedure is refused"
if psql -X -q -U "$ROLE" -d "$DB" -v ON_ERROR_STOP=1 -c "BEGIN" -c "CALL pgdb_tools.run_maintenance_proc()" 2>"$project/atomic.log"; then
  echo "run_maintenance_proc ran inside a transaction block?"; exit 1
fi
cat "$project/atomic.log"
