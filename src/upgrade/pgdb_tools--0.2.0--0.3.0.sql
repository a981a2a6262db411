-- pgdb_tools 0.2.0 -> 0.3.0 (ALTER EXTENSION pgdb_tools UPDATE). test/e2e/upgrade.sh checks that
-- the result is the same, object for object, as a fresh install of 0.3.0, on a database that
-- uses every feature. Routines are drafted with test/upgrade_draft.py (--refresh keeps them equal
-- to the install script); tables, views and grants are migrated by hand so data is kept.
\echo Use "ALTER EXTENSION pgdb_tools UPDATE" to load this file. \quit

-- ==== app roles and pg_dump ====

-- ==== triggers: following renames and drops ====

-- ==== triggers: errors, ignore, migrations ====

-- ==== scheduling ====

-- ==== snapshots ====
-- Snapshot creators by OID (F4-F6 of the 0.2.0 review): names are unique per creator OID in the
-- cluster it belongs to, not per recorded name. The rows are kept: a creator that no longer exists
-- becomes nobody (OID 0), and a renamed one gets its current name recorded.
ALTER TABLE snapshot_catalog DROP CONSTRAINT snapshot_catalog_created_by_name_key;
UPDATE snapshot_catalog c SET created_by_oid = 0
 WHERE (c.created_on IS NULL OR c.created_on OPERATOR(pg_catalog.=) pgdb_tools._system_identifier())
   AND c.created_by_oid OPERATOR(pg_catalog.<>) 0
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) c.created_by_oid);
UPDATE snapshot_catalog c SET created_by = r.rolname
  FROM pg_catalog.pg_roles r
 WHERE (c.created_on IS NULL OR c.created_on OPERATOR(pg_catalog.=) pgdb_tools._system_identifier())
   AND r.oid OPERATOR(pg_catalog.=) c.created_by_oid AND r.rolname OPERATOR(pg_catalog.<>) c.created_by;
CREATE UNIQUE INDEX snapshot_catalog_creator_name ON snapshot_catalog (created_by_oid, created_on, name)
  WHERE created_by_oid OPERATOR(pg_catalog.<>) 0;

DROP FUNCTION snapshot_create(text, regclass[], name[], text, text[]);

CREATE OR REPLACE FUNCTION _snapshot_creator_role(created_by_oid oid, created_by name, created_on text) RETURNS oid
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
    WHEN created_by_oid OPERATOR(pg_catalog.=) 0 THEN NULL
    WHEN created_on IS NULL OR created_on OPERATOR(pg_catalog.=) pgdb_tools._system_identifier() THEN
      (SELECT r.oid FROM pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) created_by_oid)
    ELSE (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) created_by) END
$$;

CREATE OR REPLACE FUNCTION _snapshot_resolve(name text)
  RETURNS TABLE(snapshot_id bigint, candidates bigint, creators text)
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH wanted AS (
    SELECT CASE WHEN _snapshot_resolve.name OPERATOR(pg_catalog.~) '^#[0-9]{1,18}$'
                THEN substr(_snapshot_resolve.name, 2)::bigint END AS id),
  visible AS (
    SELECT DISTINCT c.snapshot_id,
           CASE WHEN c.creator IS NULL THEN quote_ident(c.created_by) OPERATOR(pg_catalog.||) ' (dropped)'
                ELSE quote_ident(c.created_by) END AS created_by,
           c.creator OPERATOR(pg_catalog.=)
             (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user) AS own
      FROM pgdb_tools._snapshot_contents c, wanted w
     WHERE CASE WHEN w.id IS NULL THEN c.snapshot_name OPERATOR(pg_catalog.=) _snapshot_resolve.name
                ELSE c.snapshot_id OPERATOR(pg_catalog.=) w.id END),
  -- A name one of the caller's schedules takes (<prefix>_<YYYYMMDD_HHMMSS>) means the caller's
  -- own snapshot only: never a copy another role made under it.
  scheduled AS (
    SELECT EXISTS (
      SELECT FROM pgdb_tools.snapshot_schedules s
       WHERE s.owner_name OPERATOR(pg_catalog.=) current_user
         AND (left(_snapshot_resolve.name, length(s.name_prefix) OPERATOR(pg_catalog.+) 1)
              OPERATOR(pg_catalog.=) (s.name_prefix OPERATOR(pg_catalog.||) '_'))
         AND (substr(_snapshot_resolve.name, length(s.name_prefix) OPERATOR(pg_catalog.+) 2)
              OPERATOR(pg_catalog.~) '^[0-9]{8}_[0-9]{6}$')) AS mine)
  SELECT CASE WHEN bool_or(v.own) THEN min(v.snapshot_id) FILTER (WHERE v.own)
              WHEN count(*) OPERATOR(pg_catalog.=) 1 THEN min(v.snapshot_id) END,
         CASE WHEN bool_or(v.own) THEN 1 ELSE count(*) END,
         string_agg(v.created_by, ', ' ORDER BY v.created_by)
    FROM visible v, scheduled
   WHERE v.own OR NOT scheduled.mine
$$;

CREATE OR REPLACE FUNCTION snapshot_create(name text, tables regclass[] DEFAULT NULL, schemas name[] DEFAULT NULL,
                                note text DEFAULT NULL, tags text[] DEFAULT '{}',
                                replace boolean DEFAULT false)
  RETURNS bigint LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_create';

CREATE OR REPLACE FUNCTION snapshot_tables(name text)
  RETURNS TABLE(source text, rows bigint, bytes bigint, content_hash text)
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  IF snapshot_tables.name IS NULL THEN
    RAISE EXCEPTION 'name must not be NULL' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO r FROM pgdb_tools._snapshot_resolve(snapshot_tables.name);
  IF r.candidates OPERATOR(pg_catalog.=) 0 THEN
    RAISE EXCEPTION 'snapshot "%" does not exist', snapshot_tables.name
      USING ERRCODE = '42704', HINT = 'The snapshots view lists the snapshots you can read.';
  ELSIF r.candidates OPERATOR(pg_catalog.>) 1 THEN
    RAISE EXCEPTION 'snapshot name "%" is ambiguous', snapshot_tables.name
      USING ERRCODE = '22023',
            DETAIL = format('Roles %s each have a snapshot of that name that you can read.', r.creators),
            HINT = 'Snapshot names are per role: run the call as the role whose snapshot you mean (SET ROLE), or name it by id, ''#<snapshot_id>'' (see the snapshots view).';
  END IF;
  RETURN QUERY
    SELECT quote_ident(c.source_schema) || '.' || quote_ident(c.source_name), c.rows, c.bytes, c.content_hash
      FROM pgdb_tools._snapshot_contents c
     WHERE c.snapshot_id OPERATOR(pg_catalog.=) r.snapshot_id
     ORDER BY c.ordinal;
END $$;

-- signature details changed
DROP FUNCTION snapshot_restore(text, regclass[], name, boolean);
CREATE OR REPLACE FUNCTION snapshot_restore(name text, tables regclass[] DEFAULT NULL, target_schema name DEFAULT NULL,
                                 fire_triggers boolean DEFAULT false)
  RETURNS TABLE(source text, target text, rows bigint, removed bigint, reinstated bigint)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_restore';

COMMENT ON FUNCTION snapshot_create(text, regclass[], name[], text, text[], boolean) IS
  'Copies the listed tables and every table of the listed schemas, as of one point in time (replace: in place of your snapshot of that name); returns the snapshot id';

COMMENT ON FUNCTION snapshot_restore(text, regclass[], name, boolean) IS
  'Puts a snapshot''s tables back in place (counting the rows that removes and reinstates), or recreates them in target_schema';

-- The views keep their columns; created_by is now the creator's current name.
CREATE OR REPLACE VIEW _snapshot_contents WITH (security_barrier) AS
SELECT c.name AS snapshot_name,
       coalesce((SELECT r.rolname FROM pg_roles r
                  WHERE r.oid = pgdb_tools._snapshot_creator_role(c.created_by_oid, c.created_by, c.created_on)),
                c.created_by) AS created_by,
       pgdb_tools._snapshot_creator_role(c.created_by_oid, c.created_by, c.created_on) AS creator,
       i.snapshot_id, i.ordinal, i.source_relid, i.source_schema, i.source_name, i.storage_name,
       i.rows, i.bytes, i.content_hash,
       CASE WHEN _snapshot_creator(c.created_by_oid, c.created_by, c.created_on) THEN i.definition
            ELSE jsonb_set(i.definition, '{sequences}',
                           coalesce((SELECT jsonb_agg((q - 'last_value') || '{"recorded": false}')
                                       FROM jsonb_array_elements(i.definition -> 'sequences') q),
                                    '[]')) END AS definition
  FROM snapshot_catalog c JOIN snapshot_items i USING (snapshot_id)
 WHERE _snapshot_creator(c.created_by_oid, c.created_by, c.created_on)
    OR _table_readable(i.source_relid, i.source_schema, i.source_name, _snapshot_columns(i.definition));

CREATE OR REPLACE VIEW snapshots WITH (security_barrier) AS
SELECT c.snapshot_id, c.name, c.created_at,
       coalesce((SELECT r.rolname FROM pg_roles r
                  WHERE r.oid = _snapshot_creator_role(c.created_by_oid, c.created_by, c.created_on)),
                c.created_by) AS created_by,
       c.note, c.tags,
       count(i.ordinal)::integer AS tables,
       coalesce(sum(i.rows), 0)::bigint AS total_rows,
       coalesce(sum(i.bytes), 0)::bigint AS total_bytes
  FROM snapshot_catalog c LEFT JOIN snapshot_items i USING (snapshot_id)
 WHERE _snapshot_creator(c.created_by_oid, c.created_by, c.created_on)
    OR NOT EXISTS (SELECT FROM snapshot_items j
                    WHERE j.snapshot_id = c.snapshot_id
                      AND NOT _table_readable(j.source_relid, j.source_schema, j.source_name,
                                              _snapshot_columns(j.definition)))
 GROUP BY c.snapshot_id;

-- ==== docs ====
