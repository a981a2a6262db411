-- Snapshots: what snapshot_create records about a table besides its rows (the definition that
-- restore, adopt and the archive CLI render DDL from).

-- What snapshot_create records about a table besides its rows.
CREATE FUNCTION _snapshot_definition(rel oid) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT jsonb_build_object(
  'relkind', c.relkind::text,
  'owner', pg_get_userbyid(c.relowner)::text,
  'partition_key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
  'columns', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'name', a.attname,
             'type', format_type(a.atttypid, a.atttypmod),
             'not_null', a.attnotnull,
             'collation', CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN
                            (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                               FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                              WHERE co.oid = a.attcollation) END,
             'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
             'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
             'identity', nullif(a.attidentity::text, ''))
           ORDER BY a.attnum), '[]')
      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  'primary_key', (
    SELECT jsonb_agg(a.attname ORDER BY k.ord)
      FROM pg_constraint pk, unnest(pk.conkey) WITH ORDINALITY k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
     WHERE pk.conrelid = c.oid AND pk.contype = 'p'),
  'constraints', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'name', co.conname, 'type', co.contype::text, 'definition', pg_get_constraintdef(co.oid))
           ORDER BY array_position('{p,u,x,c,f}'::text[], co.contype::text), co.conname), '[]')
      FROM pg_constraint co
     WHERE co.conrelid = c.oid AND co.contype IN ('p', 'u', 'x', 'c', 'f')),
  'indexes', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'name', ic.relname, 'unique', i.indisunique,
             'expressions', i.indexprs IS NOT NULL OR i.indpred IS NOT NULL,
             'definition', substr(x.def, length(x.prefix) + 1))
           ORDER BY ic.relname), '[]')
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid,
           LATERAL (SELECT pg_get_indexdef(i.indexrelid) AS def,
                           'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END
                           || 'INDEX ' || quote_ident(ic.relname) || ' ON '
                           || CASE WHEN c.relkind = 'p' THEN 'ONLY ' ELSE '' END
                           || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' ' AS prefix) x
     WHERE i.indrelid = c.oid AND starts_with(x.def, x.prefix)
       AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = c.oid)),
  'sequences', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'column', a.attname, 'name', s.relname, 'identity', a.attidentity <> '',
             'data_type', format_type(sq.seqtypid, NULL),
             'options', 'INCREMENT BY ' || sq.seqincrement
                        || ' MINVALUE ' || sq.seqmin || ' MAXVALUE ' || sq.seqmax
                        || ' START WITH ' || sq.seqstart || ' CACHE ' || sq.seqcache
                        || CASE WHEN sq.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END,
             'recorded', v.readable,
             'last_value', CASE WHEN v.readable THEN pg_sequence_last_value(s.oid) END)
           ORDER BY a.attnum), '[]')
      FROM pg_depend dep
      JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
      JOIN pg_sequence sq ON sq.seqrelid = s.oid
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = dep.refobjsubid,
           LATERAL (SELECT has_sequence_privilege(s.oid, 'SELECT')
                           OR has_sequence_privilege(s.oid, 'USAGE') AS readable) v
     WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
       AND dep.refobjid = c.oid AND dep.deptype IN ('a', 'i')))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = rel
$$;
