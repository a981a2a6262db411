-- History lookups (docs/history.md): one row's events and the row as it was, read from the
-- history table its track_history() trigger writes, with the caller's own privileges on it.

-- The history table of tbl, quoted and qualified; 42704 when no history trigger tracks it.
CREATE FUNCTION _history_table(tbl regclass) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  found text;
BEGIN
  SELECT quote_ident(m.table_schema) || '.' || quote_ident(m.spec->>'history_table')
    INTO found
    FROM pgdb_tools.managed_triggers m
    JOIN pg_class c ON c.relname = m.table_name
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = m.table_schema
   WHERE c.oid = tbl AND m.kind = 'history'
   ORDER BY m.spec->'operations' @> '["TRUNCATE"]', m.trigger_name
   LIMIT 1;
  IF found IS NULL THEN
    RAISE EXCEPTION 'table % has no history', tbl USING ERRCODE = '42704',
      HINT = 'pgdb_tools.track_history() starts recording it.';
  END IF;
  RETURN found;
END $$;

-- One history event, as the history table's columns (a type of its own: row_history's argument
-- row_key could not also name an output column).
CREATE TYPE history_event AS (event_id bigint, event_at timestamptz, tx_id xid8, operation text,
                              row_key jsonb, old_data jsonb, new_data jsonb, context jsonb,
                              actor name);

-- The key a row had before an UPDATE that changed it, NULL for every other event: the history
-- table's second hash index is on it, so that the old key finds the event too.
CREATE FUNCTION _history_old_key(row_key jsonb, old_data jsonb) RETURNS jsonb
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'pgdb_tools_history_old_key';

CREATE FUNCTION row_history(tbl regclass, row_key jsonb) RETURNS SETOF history_event
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF tbl IS NULL OR row_key IS NULL THEN
    RAISE EXCEPTION 'tbl and row_key must not be NULL' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY EXECUTE
    'SELECT h.event_id, h.event_at, h.tx_id, h.operation, h.row_key, h.old_data, h.new_data, '
    '       h.context, h.actor FROM ' || pgdb_tools._history_table(tbl) || ' h '
    'WHERE h.row_key = $1 OR pgdb_tools._history_old_key(h.row_key, h.old_data) = $1 '
    'ORDER BY h.event_id' USING row_key;
END $$;

CREATE FUNCTION row_at(tbl regclass, row_key jsonb, at timestamptz) RETURNS jsonb
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  history text;
  last_event bigint;
  result jsonb;
  key_then jsonb;
  truncated boolean;
BEGIN
  IF tbl IS NULL OR row_key IS NULL OR at IS NULL THEN
    RAISE EXCEPTION 'tbl, row_key and at must not be NULL' USING ERRCODE = '22023';
  END IF;
  history := pgdb_tools._history_table(tbl);
  -- The row's latest event at that moment (through the row_key and old key indexes): with row
  -- format its new_data is the whole row, NULL after a DELETE; an UPDATE that gave the row
  -- another key took it away from this one; a later TRUNCATE removed it too.
  EXECUTE 'SELECT h.event_id, h.new_data, h.row_key FROM ' || history || ' h '
          'WHERE (h.row_key = $1 OR pgdb_tools._history_old_key(h.row_key, h.old_data) = $1) '
          'AND h.event_at <= $2 ORDER BY h.event_id DESC LIMIT 1'
    INTO last_event, result, key_then USING row_key, at;
  IF last_event IS NULL OR key_then IS DISTINCT FROM row_key THEN
    RETURN NULL;
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT FROM ' || history || ' h WHERE h.event_id > $1 '
          'AND h.event_at <= $2 AND h.operation = ''TRUNCATE'')'
    INTO truncated USING last_event, at;
  RETURN CASE WHEN truncated THEN NULL ELSE result END;
END $$;
COMMENT ON FUNCTION row_history(regclass, jsonb) IS
  'The events of one row of a tracked table, in order';
COMMENT ON FUNCTION _history_old_key(jsonb, jsonb) IS
  'The key before an UPDATE that changed it (history tables index it), NULL otherwise';
COMMENT ON FUNCTION row_at(regclass, jsonb, timestamptz) IS
  'The row as it was at a moment (row-format history), NULL when it did not exist then';
