-- Snapshots: the catalog of snapshots, the schema holding their copies, and the functions.

-- The copies: one table per snapshotted table, owned by the extension's owner, readable by nobody
-- else, and beside each a view through which the roles allowed to read it do (snapshot_restore
-- and snapshot_diff run their SQL as the caller and read the view).
CREATE SCHEMA pgdb_tools_snapshots;
COMMENT ON SCHEMA pgdb_tools_snapshots IS 'Copies of the tables in pgdb_tools snapshots (read them through pgdb_tools functions)';
REVOKE ALL ON SCHEMA pgdb_tools_snapshots FROM PUBLIC;
GRANT USAGE ON SCHEMA pgdb_tools_snapshots TO PUBLIC;

CREATE SEQUENCE snapshot_ids;
CREATE TABLE snapshot_catalog (
  snapshot_id bigint PRIMARY KEY DEFAULT nextval('pgdb_tools.snapshot_ids'),
  name text NOT NULL,
  created_at timestamptz NOT NULL,
  -- The creator by OID and name (see _snapshot_creator_role): OID 0 when the creator was dropped
  -- (the snapshot belongs to nobody). The name is kept current while the creator exists.
  created_by name NOT NULL,
  created_by_oid oid NOT NULL,
  note text,
  tags text[] NOT NULL DEFAULT '{}',
  -- The system identifier of the cluster the snapshot was taken in (NULL: unknown, taken as this
  -- one): role OIDs mean something only there.
  created_on text
);
ALTER SEQUENCE snapshot_ids OWNED BY snapshot_catalog.snapshot_id;
-- Names are per role (by OID, in the cluster they belong to): another role can neither take nor
-- learn of a name of yours, and a dropped role's names are nobody's.
CREATE UNIQUE INDEX snapshot_catalog_creator_name ON snapshot_catalog (created_by_oid, created_on, name)
  WHERE created_by_oid OPERATOR(pg_catalog.<>) 0;
COMMENT ON TABLE snapshot_catalog IS 'One row per snapshot (read it through the snapshots view)';

CREATE TABLE snapshot_items (
  snapshot_id bigint NOT NULL REFERENCES snapshot_catalog ON DELETE CASCADE,
  ordinal integer NOT NULL,
  source_relid oid NOT NULL,
  source_schema name NOT NULL,
  source_name name NOT NULL,
  storage_name name NOT NULL,
  rows bigint NOT NULL,
  bytes bigint NOT NULL,
  content_hash text NOT NULL,
  definition jsonb NOT NULL,
  PRIMARY KEY (snapshot_id, ordinal)
);
COMMENT ON TABLE snapshot_items IS 'One row per table of a snapshot: its copy, counts, hash and definition';
REVOKE ALL ON snapshot_catalog, snapshot_items, snapshot_ids FROM PUBLIC;
-- pg_dump run by the database owner (not a superuser) reads the catalog (docs/snapshots.md,
-- "pg_dump and pg_restore"): its dump holds only its own snapshots (the filters below, evaluated
-- as the dumping role). Nobody but the extension's code and superusers writes it: a row
-- describing a copy is trusted by the functions (its definition becomes DDL). What the database
-- owner's pg_restore loads goes elsewhere (snapshot_restored, below).
GRANT SELECT ON snapshot_catalog, snapshot_items, snapshot_ids TO pg_database_owner;

-- pg_restore run by the database owner (not a superuser) brings its snapshots back in two steps
-- (docs/snapshots.md, "pg_dump and pg_restore"). It may create tables in pgdb_tools_snapshots
-- (the copies, as its own tables) and load rows into the catalog, which are diverted into the two
-- tables below, stamped with the role that loaded them: the catalog itself takes rows from the
-- extension's code and superusers only. Then snapshot_adopt(), run by that role, makes them its
-- snapshots: nothing loaded this way is trusted (what reads copies takes only what the extension
-- made, see copies_pg.cpp; adoption copies the rows into new copies and rebuilds the definition).
GRANT CREATE ON SCHEMA pgdb_tools_snapshots TO pg_database_owner;
GRANT INSERT ON snapshot_catalog, snapshot_items TO pg_database_owner;
CREATE TABLE snapshot_restored (
  restore_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  restored_by oid NOT NULL,
  snapshot_id bigint NOT NULL,
  name text NOT NULL,
  created_at timestamptz,
  note text,
  tags text[]
);
COMMENT ON TABLE snapshot_restored IS 'Snapshots a role loaded with pg_restore, until it adopts them (snapshot_adopt)';
CREATE TABLE snapshot_restored_items (
  restore_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  restored_by oid NOT NULL,
  snapshot_id bigint NOT NULL,
  ordinal integer NOT NULL,
  source_schema name NOT NULL,
  source_name name NOT NULL,
  storage_name name NOT NULL,
  rows bigint NOT NULL,
  content_hash text NOT NULL,
  definition jsonb NOT NULL
);
COMMENT ON TABLE snapshot_restored_items IS 'The tables of snapshots a role loaded with pg_restore, until it adopts them';
REVOKE ALL ON snapshot_restored, snapshot_restored_items FROM PUBLIC;
GRANT INSERT ON snapshot_restored, snapshot_restored_items TO pg_database_owner;

-- A row of a restored snapshot is the loading role's, whatever it says.
CREATE FUNCTION _stamp_restored_row() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.restored_by := (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user);
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION _stamp_restored_row() FROM PUBLIC;
CREATE TRIGGER stamp_restored BEFORE INSERT ON snapshot_restored
  FOR EACH ROW EXECUTE FUNCTION _stamp_restored_row();
CREATE TRIGGER stamp_restored BEFORE INSERT ON snapshot_restored_items
  FOR EACH ROW EXECUTE FUNCTION _stamp_restored_row();
ALTER TABLE snapshot_restored ENABLE ALWAYS TRIGGER stamp_restored;
ALTER TABLE snapshot_restored_items ENABLE ALWAYS TRIGGER stamp_restored;

-- Rows loaded into the snapshot catalog by a role that is neither a superuser nor the extension's
-- owner (whose code writes the catalog) go to snapshot_restored* instead.
CREATE FUNCTION _divert_restored_snapshot() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user
                AND (r.rolsuper OR r.oid OPERATOR(pg_catalog.=)
                       (SELECT e.extowner FROM pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'pgdb_tools'))) THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'snapshot_catalog' THEN
    INSERT INTO pgdb_tools.snapshot_restored (restored_by, snapshot_id, name, created_at, note, tags)
    VALUES (0, NEW.snapshot_id, NEW.name, NEW.created_at, NEW.note, NEW.tags);
  ELSE
    INSERT INTO pgdb_tools.snapshot_restored_items (restored_by, snapshot_id, ordinal, source_schema,
      source_name, storage_name, rows, content_hash, definition)
    VALUES (0, NEW.snapshot_id, NEW.ordinal, NEW.source_schema, NEW.source_name, NEW.storage_name,
            NEW.rows, NEW.content_hash, NEW.definition);
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION _divert_restored_snapshot() FROM PUBLIC;
CREATE TRIGGER divert_restored BEFORE INSERT ON snapshot_catalog
  FOR EACH ROW EXECUTE FUNCTION _divert_restored_snapshot();
CREATE TRIGGER divert_restored BEFORE INSERT ON snapshot_items
  FOR EACH ROW EXECUTE FUNCTION _divert_restored_snapshot();
ALTER TABLE snapshot_catalog ENABLE ALWAYS TRIGGER divert_restored;
ALTER TABLE snapshot_items ENABLE ALWAYS TRIGGER divert_restored;

CREATE TABLE snapshot_schedules (
  owner_name name NOT NULL,
  name_prefix text NOT NULL,
  tables regclass[],
  schemas name[],
  keep_last integer NOT NULL,
  -- The owner by OID in the cluster owner_cluster (a system identifier), as snapshot_catalog
  -- records creators (see _snapshot_creator_role): a schedule follows ALTER ROLE ... RENAME; in
  -- another cluster (a dump restored there) it is the schedule of the role of owner_name until the
  -- snapshot functions bind it to that role's OID. owner_name is kept current (rebind_creators).
  owner_oid oid NOT NULL,
  owner_cluster text NOT NULL,
  PRIMARY KEY (owner_oid, owner_cluster, name_prefix)
);
COMMENT ON TABLE snapshot_schedules IS 'Snapshots taken by pg_cron (schedule_snapshot); each role sees its own';
REVOKE ALL ON snapshot_schedules FROM PUBLIC;
-- No row-level security: pg_dump turns it off and fails on a table it would apply to. Each role
-- reads its own schedules through _own_snapshot_schedules (below).
GRANT SELECT ON snapshot_schedules TO pg_database_owner;

-- Whether the current user may read the copy of the table recorded as (relid, schema, name)
-- with the given columns: the table still exists under that name, the user may use its schema,
-- has SELECT on it (or on each of those columns, all of which must still be there), and no
-- row-level security hides rows of it from them.
CREATE FUNCTION _table_readable(relid oid, schema_name name, table_name name, columns text[])
  RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (
    SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = relid AND n.nspname = schema_name AND c.relname = table_name
       AND has_schema_privilege(n.oid, 'USAGE')
       AND NOT row_security_active(c.oid)
       AND cardinality(columns) > 0
       AND NOT EXISTS (
             SELECT FROM unnest(columns) AS col(name)
              WHERE NOT EXISTS (
                      SELECT FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname = col.name AND a.attnum > 0
                         AND NOT a.attisdropped
                         AND (has_table_privilege(c.oid, 'SELECT')
                              OR has_column_privilege(c.oid, a.attnum, 'SELECT')))))
$$;

-- The column names a snapshot recorded for a table.
CREATE FUNCTION _snapshot_columns(definition jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(c ->> 'name'), '{}') FROM jsonb_array_elements(definition -> 'columns') c
$$;

-- The system identifier of this cluster (pg_control), as text.
CREATE FUNCTION _system_identifier() RETURNS text
  LANGUAGE C STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pgdb_tools_system_identifier';

-- The role that took a snapshot, as far as it can be told now (NULL when none: fail closed). In
-- the cluster it was taken in, the role of the recorded OID, whatever it is called now (names
-- follow ALTER ROLE ... RENAME); OID 0 (its creator was dropped) is nobody. In another cluster (a
-- dump restored there), OIDs mean nothing: the role of the recorded name, as pg_dump binds
-- owners, until the snapshot functions bind it to that role's OID (see _snapshot_rebind in
-- store_pg.cpp).
CREATE FUNCTION _snapshot_creator_role(created_by_oid oid, created_by name, created_on text) RETURNS oid
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
    WHEN created_by_oid OPERATOR(pg_catalog.=) 0 THEN NULL
    WHEN created_on IS NULL OR created_on OPERATOR(pg_catalog.=) pgdb_tools._system_identifier() THEN
      (SELECT r.oid FROM pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) created_by_oid)
    ELSE (SELECT r.oid FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) created_by) END
$$;

-- Whether the current user is (a member of) the role that took a snapshot, or a superuser.
CREATE FUNCTION _snapshot_creator(created_by_oid oid, created_by name, created_on text) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(pg_has_role(pgdb_tools._snapshot_creator_role(created_by_oid, created_by, created_on), 'MEMBER'), false)
      OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user), false)
$$;

-- The current user's snapshot schedules (by OID: whatever the role is called now).
CREATE VIEW _own_snapshot_schedules WITH (security_barrier) AS
SELECT * FROM snapshot_schedules
 WHERE pgdb_tools._snapshot_creator_role(owner_oid, owner_name, owner_cluster)
       OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r
                                WHERE r.rolname OPERATOR(pg_catalog.=) current_user);
GRANT SELECT ON _own_snapshot_schedules TO PUBLIC;

-- The tables of the snapshots the current user may read: those they took, and those of tables
-- they can read now. Sequence values are the taker's only (others may lack the right to see them).
CREATE VIEW _snapshot_contents WITH (security_barrier) AS
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
GRANT SELECT ON _snapshot_contents TO PUBLIC;

-- Whether the current user may read the given table of a snapshot: the filter of the view each
-- copy is read through (pgdb_tools_snapshots.s<id>_<n>_read).
CREATE FUNCTION _snapshot_item_readable(snapshot_id bigint, ordinal integer) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT FROM pgdb_tools._snapshot_contents c
                  WHERE c.snapshot_id = _snapshot_item_readable.snapshot_id
                    AND c.ordinal = _snapshot_item_readable.ordinal)
$$;

-- The snapshot a name means to the current user. Names are per role: the caller's own snapshot
-- of that name first; otherwise the one snapshot of that name they can read (a member of its
-- creator, or able to read its tables). '#<id>' names the snapshot of that id (among the same
-- ones), for when a name is ambiguous. One row: the snapshot (NULL unless exactly one is meant),
-- how many are candidates (0: none, whether or not one the caller cannot read exists; more than
-- 1: ambiguous) and their creators. The callers raise the errors.
CREATE FUNCTION _snapshot_resolve(name text)
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
      SELECT FROM pgdb_tools._own_snapshot_schedules s
       WHERE (left(_snapshot_resolve.name, length(s.name_prefix) OPERATOR(pg_catalog.+) 1)
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

-- Whether a dump by the current user keeps the given snapshot: the filter of snapshot_catalog and
-- snapshot_items (pg_dump evaluates it as the dumping role, who needs SELECT on the catalog): a
-- superuser's keeps all, anyone else's their own (whose copies they may read, see
-- snapshot_create).
CREATE FUNCTION _dumps_snapshot(snapshot_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT FROM pgdb_tools.snapshot_catalog c
                  WHERE c.snapshot_id OPERATOR(pg_catalog.=) _dumps_snapshot.snapshot_id
                    AND pgdb_tools._snapshot_creator(c.created_by_oid, c.created_by, c.created_on))
$$;
SELECT pg_catalog.pg_extension_config_dump('snapshot_catalog', 'WHERE pgdb_tools._dumps_snapshot(snapshot_id)');
SELECT pg_catalog.pg_extension_config_dump('snapshot_items', 'WHERE pgdb_tools._dumps_snapshot(snapshot_id)');
SELECT pg_catalog.pg_extension_config_dump('snapshot_ids', '');
SELECT pg_catalog.pg_extension_config_dump('snapshot_schedules', 'WHERE pgdb_tools._snapshot_creator(owner_oid, owner_name, owner_cluster)');

CREATE VIEW snapshots WITH (security_barrier) AS
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
GRANT SELECT ON snapshots TO PUBLIC;
COMMENT ON VIEW snapshots IS
  'Snapshots the current user took or can read every table of, with their size';

CREATE FUNCTION snapshot_create(name text, tables regclass[] DEFAULT NULL, schemas name[] DEFAULT NULL,
                                note text DEFAULT NULL, tags text[] DEFAULT '{}',
                                replace boolean DEFAULT false)
  RETURNS bigint LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_create';
COMMENT ON FUNCTION snapshot_create(text, regclass[], name[], text, text[], boolean) IS
  'Copies the listed tables and every table of the listed schemas, as of one point in time (replace: in place of your snapshot of that name); returns the snapshot id';

CREATE FUNCTION snapshot_tables(name text)
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
COMMENT ON FUNCTION snapshot_tables(text) IS
  'The tables of a snapshot you may read (you took it, or can read the table), with rows, size and content hash';

CREATE FUNCTION snapshot_restore(name text, tables regclass[] DEFAULT NULL, target_schema name DEFAULT NULL,
                                 fire_triggers boolean DEFAULT false)
  RETURNS TABLE(source text, target text, rows bigint, removed bigint, reinstated bigint)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_restore';
COMMENT ON FUNCTION snapshot_restore(text, regclass[], name, boolean) IS
  'Puts a snapshot''s tables back in place (counting the rows that removes and reinstates), or recreates them in target_schema';

CREATE FUNCTION snapshot_adopt(name text DEFAULT NULL)
  RETURNS TABLE(snapshot_name text, snapshot_id bigint, tables integer, rows bigint, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_adopt';
COMMENT ON FUNCTION snapshot_adopt(text) IS
  'Makes the snapshots you brought back with your own pg_restore your snapshots (all, or those of that name)';

CREATE FUNCTION snapshot_diff(name text, tbl regclass)
  RETURNS TABLE(change text, row_key jsonb, old_data jsonb, new_data jsonb)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_diff';
COMMENT ON FUNCTION snapshot_diff(text, regclass) IS
  'Rows added, removed and changed in a table since the snapshot, keyed by primary key';

CREATE FUNCTION snapshot_verify(name text)
  RETURNS TABLE(source text, rows bigint, ok boolean, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_verify';
COMMENT ON FUNCTION snapshot_verify(text) IS
  'Recounts and rehashes each stored copy and compares with what snapshot_create recorded';

CREATE FUNCTION snapshot_drop(name text) RETURNS boolean
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_drop';
COMMENT ON FUNCTION snapshot_drop(text) IS 'Drops a snapshot and its copies; false when there was none';
