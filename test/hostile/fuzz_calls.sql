-- Generates the fuzz's calls from the catalog (run with psql -At -F '\t' in the fuzz database,
-- after fixtures.sql and fuzz_args.sql). One line per call:
--   id, mode (tx | auto | missing), setup, sql, title, why the call must be refused (or '')
-- "missing" lines are not calls: they report a function argument without a valid value or a type
-- without hostile values (the fuzz fails on them).
--
-- Every public function of schema pgdb_tools is covered (not trigger and event trigger functions:
-- those are attached, not called), procedures with CALL, and every view of the schema. For each
-- function and each variant of its valid arguments: one baseline call, the baseline under odd
-- session settings, then each argument in turn NULL and every hostile value of its type, the other
-- arguments valid; then, as the tables' owner (a non-superuser), each argument that names an
-- object (regclass, name, oid, regprocedure and their arrays) with every hostile value of its type.
WITH fn AS (
  SELECT p.oid, p.proname, p.prokind, p.pronargs, p.pronargdefaults, p.provariadic <> 0 AS variadic,
         p.proallargtypes, p.proargtypes, p.proargnames, p.proargmodes
    FROM pg_proc p
   WHERE p.pronamespace = 'pgdb_tools'::regnamespace
     AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
     -- :cron selects the pass: the functions that need pg_cron (run in the pg_cron database) or
     -- all the others
     AND (p.prosrc ~ 'pg_cron') = :'cron'::boolean
),
args AS (
  SELECT f.oid, a.name, a.type::regtype AS type,
         row_number() OVER (PARTITION BY f.oid ORDER BY a.ord) AS pos
    FROM fn f
   CROSS JOIN LATERAL unnest(coalesce(f.proallargtypes, f.proargtypes::oid[]), f.proargnames,
                             coalesce(f.proargmodes, array_fill('i'::"char", ARRAY[f.pronargs])))
                      WITH ORDINALITY AS a(type, name, mode, ord)
   WHERE a.mode IN ('i', 'b', 'v')
),
arg AS (
  SELECT a.*, a.pos > f.pronargs - f.pronargdefaults AS has_default,
         f.variadic AND a.pos = f.pronargs AS is_variadic
    FROM args a JOIN fn f USING (oid)
),
variant AS (
  SELECT f.oid, v.variant
    FROM fn f JOIN (SELECT DISTINCT fn, variant FROM hostile.valid_args) v ON v.fn = f.proname
  UNION
  SELECT f.oid, '' FROM fn f WHERE NOT EXISTS (SELECT FROM hostile.valid_args v WHERE v.fn = f.proname)
),
-- the valid value of each argument in each variant (NULL: leave it out)
valid AS (
  SELECT v.oid, v.variant, a.name, a.type, a.pos, a.has_default, a.is_variadic, va.expr
    FROM variant v JOIN fn f USING (oid) JOIN arg a ON a.oid = v.oid
    LEFT JOIN hostile.valid_args va ON va.fn = f.proname AND va.variant = v.variant AND va.arg = a.name
),
named AS (
  SELECT *, CASE WHEN is_variadic THEN 'VARIADIC ' ELSE '' END || quote_ident(name) || ' => ' AS prefix
    FROM valid
),
-- one row per call: (function, variant, fuzzed argument or NULL, value label, argument list)
calls AS (
  -- baselines
  SELECT v.oid, v.variant, NULL::name AS fuzzed, NULL::int AS fuzzed_pos, 'baseline' AS label,
         coalesce((SELECT string_agg(n.prefix || n.expr, ', ' ORDER BY n.pos) FROM named n
                    WHERE n.oid = v.oid AND n.variant = v.variant AND n.expr IS NOT NULL), '') AS arglist
    FROM variant v
  UNION ALL
  -- each argument NULL, then each hostile value of its type
  SELECT t.oid, t.variant, t.name, t.pos, t.label,
         (SELECT string_agg(CASE WHEN n.name = t.name THEN n.prefix || t.expr ELSE n.prefix || n.expr END,
                            ', ' ORDER BY n.pos)
            FROM named n
           WHERE n.oid = t.oid AND n.variant = t.variant AND (n.expr IS NOT NULL OR n.name = t.name))
    FROM (SELECT n.oid, n.variant, n.name, n.pos, x.label, x.expr, x.ord
            FROM named n
           CROSS JOIN LATERAL (SELECT 'NULL' AS label, 'NULL::' || n.type::text AS expr, 0 AS ord
                               UNION ALL
                               SELECT hv.label, hv.expr, 1 FROM hostile.values hv WHERE hv.type = n.type) x
         ) t
),
settings (setting, ord) AS (
  VALUES (NULL, 0),
         ('search_path = ''''', 1),
         ('search_path = other, app, public', 2),
         ('TimeZone = ''Pacific/Chatham''', 3),
         ('DateStyle = ''SQL, DMY''', 4),
         ('IntervalStyle = ''iso_8601''', 5)
),
rendered AS (
  SELECT CASE WHEN f.prokind = 'p' THEN 2 ELSE 1 END AS block, f.proname, c.variant, c.fuzzed_pos,
         c.label, s.setting, s.ord AS setting_ord,
         CASE WHEN f.prokind = 'p' THEN 'auto' ELSE 'tx' END AS mode,
         CASE WHEN s.setting IS NULL THEN ''
              WHEN f.prokind = 'p' THEN 'SET ' || s.setting || ';'
              ELSE 'SET LOCAL ' || s.setting || ';' END AS setup,
         CASE WHEN f.prokind = 'p' THEN 'CALL pgdb_tools.' || quote_ident(f.proname) || '(' || c.arglist || ')'
              ELSE 'SELECT pg_catalog.count(*) FROM pgdb_tools.' || quote_ident(f.proname) || '(' || c.arglist || ') AS r'
         END AS sql,
         f.proname || CASE WHEN c.variant <> '' THEN '[' || c.variant || ']' ELSE '' END
           || CASE WHEN c.fuzzed IS NULL THEN ' baseline' ELSE ' ' || c.fuzzed || '=' || c.label END
           || coalesce(' {SET ' || s.setting || '}', '') AS title,
         (SELECT string_agg(m.why, '; ') FROM hostile.must_refuse m
           WHERE f.proname ~ m.fn AND m.arg = c.fuzzed AND m.label = c.label AND m.role IS NULL) AS must_refuse
    FROM calls c JOIN fn f USING (oid)
    JOIN settings s ON c.fuzzed IS NULL OR s.setting IS NULL
  UNION ALL
  -- the pass as the tables' owner (a non-superuser): the arguments that name objects
  SELECT 3, f.proname, c.variant, c.fuzzed_pos, c.label, NULL, 0, 'tx', 'SET LOCAL ROLE hostile_owner;',
         'SELECT pg_catalog.count(*) FROM pgdb_tools.' || quote_ident(f.proname) || '(' || c.arglist || ') AS r',
         'as owner: ' || f.proname || CASE WHEN c.variant <> '' THEN '[' || c.variant || ']' ELSE '' END
           || ' ' || c.fuzzed || '=' || c.label,
         (SELECT string_agg(m.why, '; ') FROM hostile.must_refuse m
           WHERE f.proname ~ m.fn AND m.arg = c.fuzzed AND m.label = c.label)
    FROM calls c JOIN fn f USING (oid) JOIN arg a ON a.oid = c.oid AND a.name = c.fuzzed
   WHERE f.prokind <> 'p'
     AND a.type IN ('regclass'::regtype, 'regclass[]'::regtype, 'name'::regtype, 'name[]'::regtype,
                    'oid'::regtype, 'regprocedure'::regtype)
  UNION ALL
  SELECT 0, c.relname, '', NULL, 'baseline', s.setting, s.ord, 'tx',
         coalesce('SET LOCAL ' || s.setting || ';', ''),
         'SELECT pg_catalog.count(*) FROM pgdb_tools.' || quote_ident(c.relname),
         'view ' || c.relname || coalesce(' {SET ' || s.setting || '}', ''), NULL
    FROM pg_class c CROSS JOIN settings s
   WHERE c.relnamespace = 'pgdb_tools'::regnamespace AND c.relkind = 'v' AND NOT :'cron'::boolean
  UNION ALL
  -- what the fuzz cannot cover: required arguments without a valid value, types without values
  SELECT -1, f.proname, v.variant, v.pos, '', NULL, 0, 'missing', '', '',
         f.proname || CASE WHEN v.variant <> '' THEN '[' || v.variant || ']' ELSE '' END || ': argument '
           || v.name || ' (' || v.type::text || ') has no default and no valid value in hostile.valid_args', NULL
    FROM valid v JOIN fn f USING (oid)
   WHERE v.expr IS NULL AND NOT v.has_default
  UNION ALL
  SELECT -1, f.proname, '', a.pos, '', NULL, 0, 'missing', '', '',
         f.proname || ': argument ' || a.name || ' is of type ' || a.type::text
           || ', which has no hostile values in hostile.values', NULL
    FROM arg a JOIN fn f USING (oid)
   WHERE NOT EXISTS (SELECT FROM hostile.values hv WHERE hv.type = a.type)
)
SELECT row_number() OVER (ORDER BY block, proname, variant, coalesce(fuzzed_pos, 0),
                                   label = 'NULL' DESC, label, setting_ord NULLS FIRST),
       mode, setup, sql, title, coalesce(must_refuse, '')
  FROM rendered
 ORDER BY 1;
