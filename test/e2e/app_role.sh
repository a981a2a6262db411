# The whole feature set as the application's role: a LOGIN role, not a superuser, that owns its
# tables (and here its database), connecting itself (psql -U over the socket), in a database where
# a superuser ran CREATE EXTENSION and granted nothing else. Every function the API allows a table
# owner is called with its result checked; what is another role's (a table of a second role) is
# refused with 42501; rows loaded into the extension's catalog (the database owner may INSERT
# there, for pg_restore) must be the role's own. Scheduling (pg_cron) and what needs a superuser
# are out of scope here (test/e2e/*_cron.sh).
set -eu
fail() { echo "FAIL: $*"; exit 1; }
app=app_role_app
other=app_role_other
db=${PGDATABASE}_app_role
cleanup() {
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS $app" -c "DROP ROLE IF EXISTS $other" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
  -c "CREATE ROLE $app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS" \
  -c "CREATE ROLE $other LOGIN NOSUPERUSER"
createdb -O "$app" "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION pgdb_tools" \
  -c "CREATE SCHEMA other AUTHORIZATION $other" -c "GRANT USAGE ON SCHEMA other TO $app"
# the other role's table, which the app role may read but does not own
psql -X -q -v ON_ERROR_STOP=1 -U "$other" -d "$db" <<SQL
CREATE TABLE other.theirs (id integer PRIMARY KEY, v text, version integer NOT NULL DEFAULT 1);
INSERT INTO other.theirs VALUES (1, 'x');
GRANT SELECT ON other.theirs TO $app;
SQL

out=$(psql -X -q -At -v ON_ERROR_STOP=1 -U "$app" -d "$db" 2>&1 <<'SQL'
SET client_min_messages = warning;
-- the outcome of a statement: ok, or its SQLSTATE
CREATE FUNCTION pg_temp.outcome(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
SELECT current_user = session_user AND NOT rolsuper FROM pg_roles WHERE rolname = current_user;
SELECT pgdb_tools.version() IS NOT NULL;

-- Triggers
CREATE TABLE docs (id serial PRIMARY KEY, title text NOT NULL, body text, state text NOT NULL DEFAULT 'draft',
                   deleted boolean NOT NULL DEFAULT false, updated_at timestamptz,
                   version integer NOT NULL DEFAULT 1, tsv tsvector, audit integer NOT NULL DEFAULT 0,
                   code text NOT NULL DEFAULT 'c');
CREATE FUNCTION count_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.audit := NEW.audit + 1; RETURN NEW; END $$;
SELECT pgdb_tools.protect('docs', ARRAY['TRUNCATE']);
SELECT pgdb_tools.read_only('docs', ARRAY['code']);
SELECT pgdb_tools.soft_delete('docs', 'deleted', 'true');
SELECT pgdb_tools.fsm('docs', 'state', '{"draft":["published"],"published":["archived"]}');
SELECT pgdb_tools.updated_at('docs');
SELECT pgdb_tools.row_version('docs', check_stale => false);
SELECT pgdb_tools.search_vector('docs', 'tsv', '{"title":"A","body":"B"}');
SELECT pgdb_tools.manage_trigger('docs', 'count_audit()', 'BEFORE', ARRAY['UPDATE']);
SELECT count(*) FROM pgdb_tools.apply_triggers(
  '[{"kind":"protect","tbl":"docs","operations":["TRUNCATE"]}]', dry_run => true);
SELECT length(pgdb_tools.trigger_ddl('[{"kind":"protect","tbl":"docs","operations":["DELETE"]}]')) > 0;
INSERT INTO docs (title, body) VALUES ('hello', 'world'), ('second', 'doc');
UPDATE docs SET state = 'published' WHERE id = 1;
SELECT state, updated_at IS NOT NULL, version, tsv::text, audit FROM docs WHERE id = 1;
SELECT pg_temp.outcome($$UPDATE docs SET state = 'draft' WHERE id = 1$$);
SELECT pg_temp.outcome($$UPDATE docs SET code = 'd' WHERE id = 1$$);
SELECT pg_temp.outcome($$TRUNCATE docs$$);
DELETE FROM docs WHERE id = 2;
SELECT id, deleted FROM docs ORDER BY id;
BEGIN;
SELECT pgdb_tools.ignore('pgdb_fsm_docs');
UPDATE docs SET state = 'draft' WHERE id = 1;
COMMIT;
SELECT string_agg(kind || ':' || status, ',' ORDER BY kind) FROM pgdb_tools.triggers;
SELECT pgdb_tools.enable_trigger('docs', 'pgdb_updated_at_docs', false);
SELECT enabled FROM pgdb_tools.triggers WHERE trigger_name = 'pgdb_updated_at_docs';
SELECT pgdb_tools.drop_trigger('docs', 'pgdb_updated_at_docs');
SELECT pgdb_tools.prune_triggers('docs');
SELECT count(*) FROM pgdb_tools.triggers;

-- Partitions
CREATE TABLE events (at timestamptz NOT NULL, payload text) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('events', 'at', '1 day', premake => 2, retention => '30 days');
SELECT pgdb_tools.update_partitioned('events', premake => 3);
SELECT string_agg(action, ',') FROM pgdb_tools.run_maintenance('events');
SELECT count(*) FROM pgdb_tools.run_maintenance(dry_run => true);
CALL pgdb_tools.run_maintenance_proc();
SELECT count(*), count(*) FILTER (WHERE is_default) FROM pgdb_tools.partitions('events');
SELECT partitions, last_error IS NULL FROM pgdb_tools.partition_status;
CREATE TABLE ids (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT pgdb_tools.create_partitioned('ids', 'id', '1000', premake => 1, start_at => '0');
SELECT pgdb_tools.forget_partitioned('ids');
SELECT count(*) FROM pgdb_tools.partition_status;

-- Snapshots
SELECT pgdb_tools.snapshot_create('before', ARRAY['docs']::regclass[], note => 'app', tags => ARRAY['keep']) > 0;
SELECT pgdb_tools.snapshot_create('theirs_too', ARRAY['other.theirs']::regclass[]) > 0;
SELECT string_agg(name || ' ' || created_by || ' ' || total_rows, ', ' ORDER BY name) FROM pgdb_tools.snapshots;
SELECT source || ' ' || rows FROM pgdb_tools.snapshot_tables('before');
UPDATE docs SET title = 'changed' WHERE id = 1;
SELECT change, row_key::text FROM pgdb_tools.snapshot_diff('before', 'docs');
SELECT source || ' ' || ok FROM pgdb_tools.snapshot_verify('before');
SELECT source || ' ' || target || ' ' || rows FROM pgdb_tools.snapshot_restore('before');
SELECT title FROM docs WHERE id = 1;
CREATE SCHEMA copies;
SELECT source || ' ' || target || ' ' || rows FROM pgdb_tools.snapshot_restore('before', target_schema => 'copies');
SELECT pgdb_tools.snapshot_prune(keep_last => 1, keep_tags => ARRAY['keep']);
SELECT pgdb_tools.snapshot_drop('before');
SELECT count(*) FROM pgdb_tools.snapshots;

-- What is not the role's: another role's table, the extension's catalog and copies.
SELECT pg_temp.outcome($$SELECT pgdb_tools.protect('other.theirs')$$);
SELECT pg_temp.outcome($$SELECT pgdb_tools.row_version('other.theirs')$$);
SELECT pg_temp.outcome($$SELECT pgdb_tools.drop_trigger('other.theirs', 'x')$$);
SELECT pg_temp.outcome($$SELECT pgdb_tools.ignore('*')$$);
SELECT pg_temp.outcome($$SELECT pgdb_tools.snapshot_restore('theirs_too')$$);
SELECT pg_temp.outcome($$SELECT pgdb_tools.create_partitioned('other.theirs', 'id', '10')$$);
SELECT pg_temp.outcome($$UPDATE pgdb_tools.snapshot_catalog SET name = 'x'$$);
SELECT pg_temp.outcome($$DELETE FROM pgdb_tools.partition_sets$$);
SELECT pg_temp.outcome($$CREATE TABLE pgdb_tools.planted (id integer)$$);
SELECT pg_temp.outcome($$SELECT pgdb_tools._check_restored_row()$$);
-- rows loaded into the catalog (what pg_restore does) must be the role's own trigger records and
-- partition sets; the snapshot catalog takes no row that needs its id counter (with an id, a row
-- is set aside as restored by the role, for snapshot_adopt: app_role_dump.sh)
SELECT pg_temp.outcome($$INSERT INTO pgdb_tools.partition_sets (parent_schema, parent_name, control,
  partition_interval, premake, start_at, retention_mode, default_partition, time_zone, owner_name)
  VALUES ('other', 'theirs', 'id', '10', 1, '0', 'drop', true, 'UTC', 'app_role_other')$$);
SELECT pg_temp.outcome($$INSERT INTO pgdb_tools.managed_triggers (table_schema, table_name, trigger_name,
  kind, spec, installed_definition, installed_ddl) VALUES ('other', 'theirs', 't', 'protect', '{}', '', '')$$);
SELECT pg_temp.outcome($$INSERT INTO pgdb_tools.snapshot_catalog (name, created_at, created_by, created_by_oid)
  VALUES ('forged', now(), 'postgres', 10)$$);
SELECT pg_temp.outcome($$INSERT INTO pgdb_tools.snapshot_schedules (owner_name, name_prefix, keep_last)
  VALUES ('postgres', 'nightly', 1)$$);
SELECT pg_temp.outcome($$INSERT INTO pgdb_tools.snapshot_catalog (name, created_at, created_by, created_by_oid)
  SELECT 'own', now(), current_user, oid FROM pg_roles WHERE rolname = current_user$$);
-- a partition set only of a partitioned table: not of its own plain table
SELECT pg_temp.outcome($$INSERT INTO pgdb_tools.partition_sets (parent_schema, parent_name, control,
  partition_interval, premake, start_at, retention_mode, default_partition, time_zone, owner_name)
  VALUES ('public', 'docs', 'id', '10', 1, '0', 'drop', true, 'UTC', current_user)$$);
SQL
) || true
echo "$out"
expected=$(cat <<'EOF'
t
t
pgdb_protect_docs
pgdb_read_only_docs
pgdb_soft_delete_docs
pgdb_fsm_docs
pgdb_updated_at_docs
pgdb_row_version_docs
pgdb_search_vector_docs
pgdb_count_audit_docs
1
t
published|t|2|'hello':1A 'world':2B|1
23514
23514
23000
1|f
2|t
1
fsm:installed,manage_trigger:installed,protect:installed,read_only:installed,row_version:installed,search_vector:installed,soft_delete:installed,updated_at:installed
t
f
t
0
7
4
t
create
0
5|1
5|t
3
t
1
t
t
before app_role_app 2, theirs_too app_role_app 1
public.docs 2
changed|{"id": 1}
public.docs true
public.docs public.docs 2
hello
public.docs copies.docs 2
0
t
1
42501
42501
42501
ok
42501
42501
42501
42501
42501
42501
42501
42501
42501
42501
42501
42501
EOF
)
[ "$out" = "$expected" ] || fail "the feature set as $app"
echo ok
