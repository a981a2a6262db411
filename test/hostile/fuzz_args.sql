-- The fuzz's argument tables (test/e2e/hostile_fuzz.sh), in schema hostile of the fuzz database.
--
-- hostile.valid_args: for each public function (by name), one or more variants of sensible
-- arguments, by argument name, pointing at the fixtures of test/hostile/fixtures.sql. A call
-- that fuzzes one argument passes every other argument listed here (by name: arguments with a
-- default that are not listed are left out). A function with a required argument that has no row
-- here fails the fuzz: add one when you add a function.
--
-- hostile.values: the hostile values of each argument type, as SQL expressions. A public
-- function with an argument of a type that has no row here fails the fuzz: add values for it.
\set ON_ERROR_STOP 1
CREATE SCHEMA hostile;
CREATE TABLE hostile.valid_args (fn name, variant text, arg name, expr text,
                                 PRIMARY KEY (fn, variant, arg));
CREATE TABLE hostile.values (type regtype, label text, expr text, PRIMARY KEY (type, label));

-- the first partition and the default partition of app.ev_ts, the snapshot id of fx_snap
CREATE VIEW hostile.refs AS
SELECT (SELECT i.inhrelid FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'app.ev_ts'::regclass AND c.relname NOT LIKE '%default%'
         ORDER BY c.relname LIMIT 1) AS ev_ts_part,
       (SELECT i.inhrelid FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'app.ev_ts'::regclass AND c.relname LIKE '%default%') AS ev_ts_default,
       (SELECT tgrelid FROM pg_trigger WHERE tgname = 'fx_protect') AS fx_protect_rel,
       (SELECT oid FROM pg_trigger WHERE tgname = 'fx_protect') AS fx_protect_oid;

INSERT INTO hostile.valid_args (fn, variant, arg, expr) VALUES
  ('version', '', '', NULL),
  ('_require_pg_cron', '', '', NULL),
  ('_cron_database', '', '', NULL),
  ('_cron_last_runs', '', '', NULL),
  ('_cron_schedule', '', 'job_name', $$'fz_job'$$),
  ('_cron_schedule', '', 'schedule', $$'@daily'$$),
  ('_cron_schedule', '', 'command', $$'SELECT 1'$$),
  ('_cron_unschedule', '', 'job_name', $$'fz_job'$$),
  ('_cron_schedule_at_commit', '', 'job_name', $$'fz_job'$$),
  ('_cron_schedule_at_commit', '', 'schedule', $$'@daily'$$),
  ('_cron_schedule_at_commit', '', 'command', $$'SELECT 1'$$),
  ('_cron_unschedule_at_commit', '', 'job_name', $$'fz_job'$$),
  ('_cron_job_name', '', 'job_name', $$'fz_job'$$),
  ('unschedule_maintenance', '', '', NULL),
  -- partitions
  ('create_partitioned', 'ts', 'parent', $$'app.ev_new'::regclass$$),
  ('create_partitioned', 'ts', 'control', $$'created_at'$$),
  ('create_partitioned', 'ts', 'partition_interval', $$'1 day'$$),
  ('create_partitioned', 'ts', 'premake', '2'),
  ('create_partitioned', 'ts', 'retention', $$'30 days'$$),
  ('create_partitioned', 'ts', 'time_zone', $$'UTC'$$),
  ('create_partitioned', 'int', 'parent', $$'app.ev_new_int'::regclass$$),
  ('create_partitioned', 'int', 'control', $$'id'$$),
  ('create_partitioned', 'int', 'partition_interval', $$'1000'$$),
  ('create_partitioned', 'int', 'premake', '2'),
  ('create_partitioned', 'int', 'start_at', $$'0'$$),
  ('create_partitioned', 'int', 'retention', $$'5000'$$),
  ('create_partitioned', 'big', 'parent', $$'app.ev_new_big'::regclass$$),
  ('create_partitioned', 'big', 'control', $$'id'$$),
  ('create_partitioned', 'big', 'partition_interval', $$'1000000'$$),
  ('create_partitioned', 'big', 'premake', '2'),
  ('create_partitioned', 'big', 'retention_mode', $$'detach'$$),
  ('create_partitioned', 'date', 'parent', $$'app.ev_new_date'::regclass$$),
  ('create_partitioned', 'date', 'control', $$'d'$$),
  ('create_partitioned', 'date', 'partition_interval', $$'1 month'$$),
  ('create_partitioned', 'date', 'premake', '2'),
  ('create_partitioned', 'date', 'retention', $$'1 year'$$),
  ('create_partitioned', 'date', 'retention_mode', $$'archive'$$),
  ('create_partitioned', 'date', 'archive_schema', $$'app'$$),
  ('create_partitioned', 'date', 'time_zone', $$'Europe/Paris'$$),
  ('update_partitioned', 'ts', 'parent', $$'app.ev_ts'::regclass$$),
  ('update_partitioned', 'ts', 'premake', '3'),
  ('update_partitioned', 'ts', 'retention', $$'60 days'$$),
  ('update_partitioned', 'ts', 'retention_mode', $$'detach'$$),
  ('update_partitioned', 'int', 'parent', $$'app.ev_int'::regclass$$),
  ('update_partitioned', 'int', 'retention', $$'2000'$$),
  ('update_partitioned', 'int', 'retention_mode', $$'archive'$$),
  ('update_partitioned', 'int', 'archive_schema', $$'app'$$),
  ('forget_partitioned', '', 'parent', $$'app.ev_ts'::regclass$$),
  ('run_maintenance', '', 'parent', $$'app.ev_ts'::regclass$$),
  ('run_maintenance', '', 'dry_run', 'false'),
  ('run_maintenance', 'all', 'dry_run', 'false'),
  ('partitions', '', 'parent', $$'app.ev_ts'::regclass$$),
  ('_partition_lower_key', '', 'partition', $$(SELECT ev_ts_part FROM hostile.refs)$$),
  ('_partition_set_status', '', 'parent', $$'app.ev_int'::regclass$$),
  ('run_maintenance_proc', '', 'lock_timeout', $$'2s'$$),
  ('run_maintenance_proc', '', 'max_retries', '1'),
  ('schedule_maintenance', '', 'schedule', $$'@hourly'$$),
  ('evacuate_default', '', 'parent', $$'app.ev_ts'::regclass$$),
  ('evacuate_default', '', 'batch_size', '100'),
  ('_evacuate_default_batch', '', 'parent', $$'app.ev_ts'::regclass$$),
  ('_evacuate_default_batch', '', 'batch_size', '100'),
  ('evacuate_default_proc', '', 'parent', $$'app.ev_ts'::regclass$$),
  ('evacuate_default_proc', '', 'batch_size', '100'),
  ('partition_existing', '', 'tbl', $$'app.conv'::regclass$$),
  ('partition_existing', '', 'control', $$'at'$$),
  ('partition_existing', '', 'partition_interval', $$'1 day'$$),
  ('partition_existing', '', 'premake', '2'),
  ('partition_existing', '', 'retention', $$'30 days'$$),
  ('partition_existing', '', 'time_zone', $$'UTC'$$),
  ('partition_existing', '', 'dry_run', 'true'),
  ('_partition_existing_check', '', 'tbl', $$'app.conv_proc'::regclass$$),
  ('_partition_existing_check', '', 'control', $$'id'$$),
  ('_partition_existing_check', '', 'partition_interval', $$'100'$$),
  ('_partition_existing_check', '', 'premake', '4'),
  ('_partition_existing_check', '', 'retention', 'NULL::text'),
  ('_partition_existing_check', '', 'retention_mode', $$'drop'$$),
  ('_partition_existing_check', '', 'archive_schema', 'NULL::name'),
  ('_partition_existing_check', '', 'time_zone', $$'UTC'$$),
  ('partition_existing_proc', '', 'tbl', $$'app.conv_proc'::regclass$$),
  ('partition_existing_proc', '', 'control', $$'id'$$),
  ('partition_existing_proc', '', 'partition_interval', $$'100'$$),
  -- triggers
  ('protect', '', 'tbl', $$'app.docs'::regclass$$),
  ('protect', '', 'operations', $$'{UPDATE,DELETE}'::text[]$$),
  ('protect', '', 'message', $$'no changes'$$),
  ('protect', '', 'condition', $$'OLD.id > 0'$$),
  ('protect', '', 'name', $$'fz_protect'$$),
  ('read_only', '', 'tbl', $$'app.docs'::regclass$$),
  ('read_only', '', 'columns', $$'{title}'::text[]$$),
  ('read_only', 'except', 'tbl', $$'app.docs'::regclass$$),
  ('read_only', 'except', 'except_columns', $$'{state,updated_at,version,tsv}'::text[]$$),
  ('soft_delete', '', 'tbl', $$'app.docs'::regclass$$),
  ('soft_delete', '', 'column_name', $$'deleted'$$),
  ('soft_delete', '', 'value', $$'true'$$),
  ('soft_delete', 'ts', 'tbl', $$'app.docs'::regclass$$),
  ('soft_delete', 'ts', 'column_name', $$'updated_at'$$),
  ('fsm', '', 'tbl', $$'app.docs'::regclass$$),
  ('fsm', '', 'column_name', $$'state'$$),
  ('fsm', '', 'transitions', $q$'{"draft": ["published"], "published": ["archived"]}'::jsonb$q$),
  ('fsm', '', 'condition', $$'NEW.id > 0'$$),
  ('updated_at', '', 'tbl', $$'app.docs'::regclass$$),
  ('updated_at', '', 'column_name', $$'updated_at'$$),
  ('updated_at', '', 'on_insert', 'true'),
  ('row_version', '', 'tbl', $$'app.docs'::regclass$$),
  ('row_version', '', 'column_name', $$'version'$$),
  ('row_version', '', 'check_stale', 'true'),
  ('search_vector', '', 'tbl', $$'app.docs'::regclass$$),
  ('search_vector', '', 'column_name', $$'tsv'$$),
  ('search_vector', '', 'columns', $$'{"title": "A", "body": "B"}'::jsonb$$),
  ('search_vector', '', 'config', $$'english'::regconfig$$),
  ('manage_trigger', '', 'tbl', $$'app.docs'::regclass$$),
  ('manage_trigger', '', 'function', $$'app.audit()'::regprocedure$$),
  ('manage_trigger', '', 'timing', $$'AFTER'$$),
  ('manage_trigger', '', 'events', $$'{INSERT,UPDATE}'::text[]$$),
  ('manage_trigger', '', 'level', $$'ROW'$$),
  ('manage_trigger', '', 'args', $$'{a,b}'::text[]$$),
  ('manage_trigger', '', 'name', $$'fz_audit'$$),
  ('track_history', '', 'tbl', $$'app.docs'::regclass$$),
  ('track_history', '', 'history_table', $$'docs_log'$$),
  ('track_history', '', 'operations', $$'{INSERT,UPDATE}'::text[]$$),
  ('track_history', '', 'exclude_columns', $$'{body}'::text[]$$),
  ('track_history', '', 'format', $$'diff'$$),
  ('track_history', '', 'changed_only', 'false'),
  ('track_history', '', 'condition', $$'NEW.id > 0'$$),
  ('track_history', '', 'name', $$'fz_history'$$),
  ('set_context', '', 'context', $q$'{"request": "fz"}'::jsonb$q$),
  ('current_context', '', '', NULL),
  ('row_history', '', 'tbl', $$(SELECT 'app.docs'::regclass FROM pgdb_tools.track_history('app.docs', name => 'fz_history_lookup'))$$),
  ('row_history', '', 'row_key', $q$'{"id": 1}'::jsonb$q$),
  ('row_at', '', 'tbl', $$(SELECT 'app.docs'::regclass FROM pgdb_tools.track_history('app.docs', name => 'fz_history_lookup'))$$),
  ('row_at', '', 'row_key', $q$'{"id": 1}'::jsonb$q$),
  ('row_at', '', 'at', $$now()$$),
  ('_history_old_key', '', 'row_key', $q$'{"id": 2}'::jsonb$q$),
  ('_history_old_key', '', 'old_data', $q$'{"id": 1, "v": 0}'::jsonb$q$),
  ('_history_table', '', 'tbl', $$(SELECT 'app.docs'::regclass FROM pgdb_tools.track_history('app.docs', name => 'fz_history_lookup'))$$),
  ('drop_trigger', '', 'tbl', $$'app.docs'::regclass$$),
  ('drop_trigger', '', 'name', $$'fx_protect'$$),
  ('enable_trigger', '', 'tbl', $$'app.docs'::regclass$$),
  ('enable_trigger', '', 'name', $$'fx_protect'$$),
  ('enable_trigger', '', 'enabled', 'false'),
  ('prune_triggers', '', 'tbl', $$'app.docs'::regclass$$),
  ('prune_triggers', 'all', '', NULL),
  ('ignore', '', 'trigger_names', $$'{fx_protect}'::text[]$$),
  ('apply_triggers', '', 'specs', $$'[{"kind": "protect", "tbl": "app.docs", "operations": ["DELETE"], "name": "fx_protect"}, {"kind": "updated_at", "tbl": "app.docs"}, {"kind": "fsm", "tbl": "app.docs", "column_name": "state", "transitions": {"draft": ["published"]}}]'::jsonb$$),
  ('apply_triggers', '', 'prune', 'true'),
  ('apply_triggers', '', 'dry_run', 'false'),
  ('apply_triggers', '', 'tables', $$'{app.docs,app.items}'::regclass[]$$),
  ('trigger_ddl', '', 'specs', $$'[{"kind": "protect", "tbl": "app.docs", "operations": ["DELETE"], "name": "fx_protect"}, {"kind": "search_vector", "tbl": "app.docs", "column_name": "tsv", "columns": {"title": "A"}}]'::jsonb$$),
  ('trigger_ddl', '', 'full', 'true'),
  ('_trigger_spec_ddl', '', 'spec', $$'{"kind": "read_only", "tbl": "app.docs", "columns": ["title"]}'::jsonb$$),
  ('_installed_definition', '', 'trigger_oid', $$(SELECT fx_protect_oid FROM hostile.refs)$$),
  -- snapshots
  ('snapshot_create', '', 'name', $$'fz_new'$$),
  ('snapshot_create', '', 'tables', $$'{app.docs,app.items}'::regclass[]$$),
  ('snapshot_create', '', 'note', $$'fuzz'$$),
  ('snapshot_create', '', 'tags', $$'{fuzz}'::text[]$$),
  ('snapshot_create', '', 'replace', 'true'),
  ('snapshot_create', 'schemas', 'name', $$'fz_new'$$),
  ('snapshot_create', 'schemas', 'schemas', $$'{app}'::name[]$$),
  ('snapshot_tables', '', 'name', $$'fx_snap'$$),
  ('snapshot_restore', '', 'name', $$'fx_snap'$$),
  ('snapshot_restore', '', 'tables', $$'{app.docs,app.items}'::regclass[]$$),
  ('snapshot_restore', '', 'fire_triggers', 'false'),
  ('snapshot_restore', 'target', 'name', $$'fx_snap'$$),
  ('snapshot_restore', 'target', 'target_schema', $$'other'$$),
  ('snapshot_diff', '', 'name', $$'fx_snap'$$),
  ('snapshot_diff', '', 'tbl', $$'app.docs'::regclass$$),
  ('snapshot_verify', '', 'name', $$'fx_snap'$$),
  ('snapshot_export', '', 'name', $$'fx_snap'$$),
  ('snapshot_export', '', 'path', $$'fz_export.pgdbsnap'$$),
  ('snapshot_export', '', 'compression', $$'lz4'$$),
  ('snapshot_import', '', 'path', $$'fx_fixture.pgdbsnap'$$),
  ('snapshot_import', '', 'name', $$'fz_imported'$$),
  ('archive_verify', '', 'path', $$'fx_fixture.pgdbsnap'$$),
  ('archive_create', '', 'path', $$'fz_live.pgdbsnap'$$),
  ('archive_create', '', 'tables', $$'{app.docs,app.items}'::regclass[]$$),
  ('archive_create', '', 'compression', $$'lz4'$$),
  ('archive_create', '', 'note', $$'fuzz'$$),
  ('archive_create', 'schemas', 'path', $$'fz_live_schemas.pgdbsnap'$$),
  ('archive_create', 'schemas', 'schemas', $$'{app}'::name[]$$),
  ('schedule_archive', '', 'name_prefix', $$'fza'$$),
  ('schedule_archive', '', 'schedule', $$'@daily'$$),
  ('schedule_archive', '', 'tables', $$'{app.docs}'::regclass[]$$),
  ('schedule_archive', '', 'keep_last', '3'),
  ('unschedule_archive', '', 'name_prefix', $$'fza'$$),
  ('_take_scheduled_archive', '', 'name_prefix', $$'fza'$$),
  ('_archive_job_name', '', 'name_prefix', $$'fza'$$),
  ('_archive_schedule_save', '', 'name_prefix', $$'fza'$$),
  ('_archive_schedule_save', '', 'tables', $$'{app.docs}'::regclass[]$$),
  ('_archive_schedule_save', '', 'schemas', 'NULL::name[]'),
  ('_archive_schedule_save', '', 'keep_last', '3'),
  ('_prune_archives', '', 'name_prefix', $$'fza'$$),
  ('_prune_archives', '', 'keep_last', '3'),
  ('snapshot_adopt', '', 'name', $$'fx_snap'$$),
  ('snapshot_drop', '', 'name', $$'fx_snap'$$),
  ('snapshot_prune', '', 'keep_last', '1'),
  ('snapshot_prune', '', 'older_than', $$'1 day'::interval$$),
  ('snapshot_prune', '', 'keep_tags', $$'{keep}'::text[]$$),
  ('snapshot_prune', '', 'name_prefix', $$'fx'$$),
  ('schedule_snapshot', '', 'name_prefix', $$'fz'$$),
  ('schedule_snapshot', '', 'schedule', $$'@daily'$$),
  ('schedule_snapshot', '', 'tables', $$'{app.docs}'::regclass[]$$),
  ('schedule_snapshot', '', 'keep_last', '3'),
  ('unschedule_snapshot', '', 'name_prefix', $$'fz'$$),
  ('_take_scheduled_snapshot', '', 'name_prefix', $$'fz'$$),
  ('_snapshot_job_name', '', 'name_prefix', $$'fz'$$),
  ('_snapshot_schedule_save', '', 'name_prefix', $$'fz'$$),
  ('_snapshot_schedule_save', '', 'tables', $$'{app.docs}'::regclass[]$$),
  ('_snapshot_schedule_save', '', 'schemas', 'NULL::name[]'),
  ('_snapshot_schedule_save', '', 'keep_last', '3'),
  ('_snapshot_columns', '', 'definition', $$(SELECT definition FROM pgdb_tools.snapshot_items LIMIT 1)$$),
  ('_snapshot_creator', '', 'created_by_oid', $$'hostile_owner'::regrole::oid$$),
  ('_snapshot_creator', '', 'created_by', $$'hostile_owner'$$),
  ('_snapshot_creator', '', 'created_on', $$(SELECT created_on FROM pgdb_tools.snapshot_catalog WHERE name = 'fx_snap')$$),
  ('_snapshot_creator_role', '', 'created_by_oid', $$'hostile_owner'::regrole::oid$$),
  ('_snapshot_creator_role', '', 'created_by', $$'hostile_owner'$$),
  ('_snapshot_creator_role', '', 'created_on', $$(SELECT created_on FROM pgdb_tools.snapshot_catalog WHERE name = 'fx_snap')$$),
  ('_snapshot_resolve', '', 'name', $$'fx_snap'$$),
  ('_dumps_snapshot', '', 'snapshot_id', $$(SELECT snapshot_id FROM pgdb_tools.snapshot_catalog WHERE name = 'fx_snap')$$),
  ('_dump_keeps', '', 'role_name', $$'hostile_owner'$$),
  ('_dump_keeps', '', 'table_schema', $$'app'$$),
  ('_dump_keeps', '', 'table_name', $$'docs'$$),
  ('_snapshot_item_readable', '', 'snapshot_id', $$(SELECT snapshot_id FROM pgdb_tools.snapshot_catalog WHERE name = 'fx_snap')$$),
  ('_snapshot_item_readable', '', 'ordinal', '1'),
  ('_snapshot_definition', '', 'rel', $$'app.docs'::regclass::oid$$),
  ('_table_readable', '', 'relid', $$'app.docs'::regclass::oid$$),
  ('_table_readable', '', 'schema_name', $$'app'$$),
  ('_table_readable', '', 'table_name', $$'docs'$$),
  ('_table_readable', '', 'columns', $$'{id,title}'::text[]$$);

-- Hostile values by type. Labels name the value in the report.
INSERT INTO hostile.values (type, label, expr) VALUES
  ('text', 'empty', $$''$$),
  ('text', 'absolute path', $$'/etc/passwd'$$),
  ('text', 'parent path', $$'../../escape.pgdbsnap'$$),
  ('text', 'space', $$' '$$),
  ('text', 'quote', $$''''$$),
  ('text', 'dquote', $$'"'$$),
  ('text', 'quotes+backslash', $$'a"b''c\d'$$),
  ('text', 'unicode', $$'Ünïcødé ☃ 名前'$$),
  ('text', '64 bytes', $$repeat('x', 64)$$),
  ('text', '64 bytes of 2-byte chars', $$repeat('é', 32)$$),
  ('text', '10000 bytes', $$repeat('x', 10000)$$),
  ('text', 'injection $$', $q$$h$$$x'); DROP TABLE t; --$$$h$$q$),
  ('text', 'injection ident', $q$$h$x"; DROP TABLE app.docs; --$h$$q$),
  ('text', 'injection when', $$'true) OR (true'$$),
  ('text', 'format specs', $$'%s %I %L %%'$$),
  ('text', 'newline+tab', $$E'line\nbreak\ttab'$$),
  ('text', 'subquery', $$'(SELECT 1)'$$),
  ('text', '-1', $$'-1'$$),
  ('text', '0', $$'0'$$),
  ('text', '3000000000', $$'3000000000'$$),
  ('text', 'int8 max', $$'9223372036854775807'$$),
  ('text', 'int8 min', $$'-9223372036854775808'$$),
  ('text', 'snapshot id', $$'#1'$$),
  ('text', 'snapshot id too long', $$'#9223372036854775808'$$),
  ('text', '1e400', $$'1e400'$$),
  ('text', 'NaN', $$'NaN'$$),
  ('text', 'infinity', $$'infinity'$$),
  ('text', '-infinity', $$'-infinity'$$),
  ('text', '1000000 years', $$'1000000 years'$$),
  ('text', '-1000000 years', $$'-1000000 years'$$),
  ('text', '2147483647 hours', $$'2147483647 hours'$$),
  ('text', '106751992 days', $$'106751992 days'$$),
  ('text', '178000000 years', $$'178000000 years'$$),
  ('text', '1 microsecond', $$'1 microsecond'$$),
  ('text', '1 mon -30 days', $$'1 mon -30 days'$$),
  ('text', '4714-11-24 BC', $$'4714-11-24 00:00:00+00 BC'$$),
  ('text', '294276-12-31', $$'294276-12-31 23:59:59+00'$$),
  ('text', 'pg_class', $$'pg_catalog.pg_class'$$),
  ('text', 'extension table', $$'pgdb_tools.snapshot_catalog'$$),
  ('text', 'star', $$'*'$$),
  ('text', 'bad time zone', $$'Not/A_Zone'$$),
  ('text', 'odd time zone', $$'Pacific/Chatham'$$),
  ('name', 'empty', $$''::name$$),
  ('name', 'space', $$' '::name$$),
  ('name', 'dquote', $$'"'::name$$),
  ('name', 'unicode', $$'Ünïcødé ☃'::name$$),
  ('name', '64 bytes', $$repeat('x', 64)::name$$),
  ('name', '10000 bytes', $$repeat('x', 10000)::name$$),
  ('name', 'injection', $q$$h$x"; DROP TABLE app.docs; --$h$::name$q$),
  ('name', 'pg_catalog', $$'pg_catalog'::name$$),
  ('name', 'pgdb_tools', $$'pgdb_tools'::name$$),
  ('name', 'pgdb_tools_snapshots', $$'pgdb_tools_snapshots'::name$$),
  ('name', 'pg_toast', $$'pg_toast'::name$$),
  ('name', 'information_schema', $$'information_schema'::name$$),
  ('name', 'pg_temp', $$'pg_temp'::name$$),
  ('name', 'app', $$'app'::name$$),
  ('name', 'other', $$'other'::name$$),
  ('name', 'missing', $$'no_such_schema'::name$$),
  ('integer', '0', '0'),
  ('integer', '-1', '-1'),
  ('integer', '1', '1'),
  ('integer', 'int4 max', '2147483647'),
  ('integer', 'int4 min', '(-2147483648)::integer'),
  ('integer', '1000000', '1000000'),
  ('bigint', '0', '0::bigint'),
  ('bigint', '-1', '(-1)::bigint'),
  ('bigint', 'int8 max', '9223372036854775807::bigint'),
  ('bigint', 'int8 min', '(-9223372036854775808)::bigint'),
  ('oid', '0', '0::oid'),
  ('oid', '1', '1::oid'),
  ('oid', 'oid max', '4294967295::oid'),
  ('oid', 'app.docs', $$'app.docs'::regclass::oid$$),
  ('oid', 'pg_class', $$'pg_catalog.pg_class'::regclass::oid$$),
  ('oid', 'partition', $$(SELECT ev_ts_part FROM hostile.refs)$$),
  ('oid', 'default partition', $$(SELECT ev_ts_default FROM hostile.refs)$$),
  ('oid', 'trigger', $$(SELECT fx_protect_oid FROM hostile.refs)$$),
  ('oid', 'superuser', $$'postgres'::regrole::oid$$),
  ('boolean', 'true', 'true'),
  ('boolean', 'false', 'false'),
  ('interval', '0', $$'0'::interval$$),
  ('interval', '-1 microsecond', $$'-1 microsecond'::interval$$),
  ('interval', '1000000 years', $$'1000000 years'::interval$$),
  ('interval', '-1000000 years', $$'-1000000 years'::interval$$),
  ('interval', '2147483647 hours', $$'2147483647 hours'::interval$$),
  ('interval', '106751992 days', $$'106751992 days'::interval$$),
  ('interval', '178000000 years', $$'178000000 years'::interval$$),
  ('timestamptz', 'infinity', $$'infinity'::timestamptz$$),
  ('timestamptz', '-infinity', $$'-infinity'::timestamptz$$),
  ('timestamptz', 'min', $$'4714-11-24 00:00:00+00 BC'::timestamptz$$),
  ('timestamptz', 'max', $$'294276-12-31 23:59:59+00'::timestamptz$$),
  ('timestamp', 'infinity', $$'infinity'::timestamp$$),
  ('timestamp', '-infinity', $$'-infinity'::timestamp$$),
  ('timestamp', 'min', $$'4714-11-24 00:00:00 BC'::timestamp$$),
  ('timestamp', 'max', $$'294276-12-31 23:59:59'::timestamp$$),
  ('date', 'infinity', $$'infinity'::date$$),
  ('date', '-infinity', $$'-infinity'::date$$),
  ('date', 'min', $$'4714-11-24 BC'::date$$),
  ('date', 'max', $$'5874897-12-31'::date$$),
  ('double precision', 'NaN', $$'NaN'::float8$$),
  ('double precision', 'Infinity', $$'Infinity'::float8$$),
  ('double precision', '-Infinity', $$'-Infinity'::float8$$),
  ('double precision', '-1', '-1::float8'),
  ('double precision', '1e308', '1e308::float8'),
  ('jsonb', '{}', $$'{}'::jsonb$$),
  ('jsonb', '[]', $$'[]'::jsonb$$),
  ('jsonb', 'null', $$'null'::jsonb$$),
  ('jsonb', '0', $$'0'::jsonb$$),
  ('jsonb', 'string', $$'"x"'::jsonb$$),
  ('jsonb', 'true', $$'true'::jsonb$$),
  ('jsonb', '[null]', $$'[null]'::jsonb$$),
  ('jsonb', '[[]]', $$'[[]]'::jsonb$$),
  ('jsonb', '[{}]', $$'[{}]'::jsonb$$),
  ('jsonb', 'deep array (1000)', $$(repeat('[', 1000) || repeat(']', 1000))::jsonb$$),
  ('jsonb', 'deep object (1000)', $$(repeat('{"a":', 1000) || '1' || repeat('}', 1000))::jsonb$$),
  ('jsonb', '10000 keys', $$(SELECT jsonb_object_agg('k' || g, g) FROM generate_series(1, 10000) g)$$),
  ('jsonb', '1 MB string', $$jsonb_build_object('title', repeat('x', 1000000))$$),
  ('jsonb', '300 specs', $$(SELECT jsonb_agg(jsonb_build_object('kind', 'protect', 'tbl', 'app.docs', 'name', 'fz_' || g)) FROM generate_series(1, 300) g)$$),
  ('jsonb', 'spec: unknown kind', $$'[{"kind": "nope", "tbl": "app.docs"}]'::jsonb$$),
  ('jsonb', 'spec: no tbl', $$'[{"kind": "protect"}]'::jsonb$$),
  ('jsonb', 'spec: tbl number', $$'[{"kind": "protect", "tbl": 123}]'::jsonb$$),
  ('jsonb', 'spec: missing tbl', $$'[{"kind": "protect", "tbl": "app.no_such_table"}]'::jsonb$$),
  ('jsonb', 'spec: other''s tbl', $$'[{"kind": "protect", "tbl": "other.secret"}]'::jsonb$$),
  ('jsonb', 'spec: catalog tbl', $$'[{"kind": "protect", "tbl": "pg_catalog.pg_class"}]'::jsonb$$),
  ('jsonb', 'spec: operations string', $$'[{"kind": "protect", "tbl": "app.docs", "operations": "DELETE"}]'::jsonb$$),
  ('jsonb', 'spec: unknown key', $$'[{"kind": "protect", "tbl": "app.docs", "bogus": 1}]'::jsonb$$),
  ('jsonb', 'spec: 100-byte name', $$jsonb_build_array(jsonb_build_object('kind', 'protect', 'tbl', 'app.docs', 'name', repeat('n', 100)))$$),
  ('jsonb', 'spec: 64-byte name of 2-byte chars', $$jsonb_build_array(jsonb_build_object('kind', 'protect', 'tbl', 'app.docs', 'name', repeat('é', 32)))$$),
  ('jsonb', 'spec: duplicate names', $$'[{"kind": "protect", "tbl": "app.docs", "name": "d"}, {"kind": "updated_at", "tbl": "app.docs", "name": "d"}]'::jsonb$$),
  ('jsonb', 'spec: manage missing function', $$'[{"kind": "manage_trigger", "tbl": "app.docs", "function": "4294967295"}]'::jsonb$$),
  ('jsonb', 'spec: manage non-trigger function', $$'[{"kind": "manage_trigger", "tbl": "app.docs", "function": "pg_catalog.now()"}]'::jsonb$$),
  ('jsonb', 'spec: search_vector int column', $$'[{"kind": "search_vector", "tbl": "app.docs", "column_name": "id", "columns": {"title": "A"}}]'::jsonb$$),
  ('jsonb', 'spec: condition injection', $$'[{"kind": "protect", "tbl": "app.docs", "condition": "true) EXECUTE FUNCTION pg_catalog.now(); --"}]'::jsonb$$),
  ('jsonb', 'spec object, not array', $$'{"kind": "protect", "tbl": "app.docs"}'::jsonb$$),
  ('jsonb', 'weights: bad weight', $$'{"title": "Z"}'::jsonb$$),
  ('jsonb', 'weights: missing column', $$'{"nope": "A"}'::jsonb$$),
  ('jsonb', 'weights: int column', $$'{"id": "A"}'::jsonb$$),
  ('jsonb', 'transitions: string', $$'{"draft": "published"}'::jsonb$$),
  ('jsonb', 'transitions: numbers', $$'{"draft": [1, 2]}'::jsonb$$),
  ('jsonb', 'transitions: cycle', $$'{"draft": ["draft"]}'::jsonb$$),
  ('jsonb', 'definition: columns string', $$'{"columns": "x"}'::jsonb$$),
  ('jsonb', 'definition: null names', $$'{"columns": [{"name": null}, 1]}'::jsonb$$),
  ('regclass', 'app.docs', $$'app.docs'::regclass$$),
  ('regclass', 'app.items', $$'app.items'::regclass$$),
  ('regclass', 'view', $$'app.v_docs'::regclass$$),
  ('regclass', 'sequence', $$'app.seq'::regclass$$),
  ('regclass', 'partitioned ts set', $$'app.ev_ts'::regclass$$),
  ('regclass', 'partitioned int set', $$'app.ev_int'::regclass$$),
  ('regclass', 'partitioned, unregistered', $$'app.ev_new'::regclass$$),
  ('regclass', 'partitioned bigint, unregistered', $$'app.ev_new_big'::regclass$$),
  ('regclass', 'partition', $$(SELECT ev_ts_part FROM hostile.refs)::regclass$$),
  ('regclass', 'default partition', $$(SELECT ev_ts_default FROM hostile.refs)::regclass$$),
  ('regclass', 'temp table', $$'pg_temp.fx_tmp'::regclass$$),
  ('regclass', 'another role''s table', $$'other.secret'::regclass$$),
  ('regclass', 'pg_catalog.pg_class', $$'pg_catalog.pg_class'::regclass$$),
  ('regclass', 'extension catalog', $$'pgdb_tools.snapshot_catalog'::regclass$$),
  ('regclass', 'extension view', $$'pgdb_tools.triggers'::regclass$$),
  ('regclass', 'oid 0', '0::regclass'),
  ('regclass', 'missing oid', '4294967295::oid::regclass'),
  ('regclass[]', 'empty', $$'{}'::regclass[]$$),
  ('regclass[]', '{NULL}', $$'{NULL}'::regclass[]$$),
  ('regclass[]', 'duplicates', $$'{app.docs,app.docs}'::regclass[]$$),
  ('regclass[]', 'catalog', $$'{pg_catalog.pg_class}'::regclass[]$$),
  ('regclass[]', 'another role''s', $$'{other.secret}'::regclass[]$$),
  ('regclass[]', 'temp', $$'{pg_temp.fx_tmp}'::regclass[]$$),
  ('regclass[]', 'view', $$'{app.v_docs}'::regclass[]$$),
  ('regclass[]', 'sequence', $$'{app.seq}'::regclass[]$$),
  ('regclass[]', 'extension catalog', $$'{pgdb_tools.snapshot_catalog,pgdb_tools.managed_triggers}'::regclass[]$$),
  ('regclass[]', 'partitioned', $$'{app.ev_ts}'::regclass[]$$),
  ('regclass[]', 'partition and parent', $$ARRAY[(SELECT ev_ts_part FROM hostile.refs)::regclass, 'app.ev_ts'::regclass]$$),
  ('regclass[]', 'oid 0', $$ARRAY[0::regclass]$$),
  ('regclass[]', 'missing oid', $$ARRAY[4294967295::oid::regclass]$$),
  ('regclass[]', '10000 entries', $$(SELECT array_agg('app.docs'::regclass) FROM generate_series(1, 10000))$$),
  ('regclass[]', '2-D', $$'{{app.docs},{app.items}}'::regclass[]$$),
  ('name[]', 'empty', $$'{}'::name[]$$),
  ('name[]', '{NULL}', $$'{NULL}'::name[]$$),
  ('name[]', '{""}', $$'{""}'::name[]$$),
  ('name[]', 'pgdb_tools', $$'{pgdb_tools}'::name[]$$),
  ('name[]', 'pgdb_tools_snapshots', $$'{pgdb_tools_snapshots}'::name[]$$),
  ('name[]', 'pg_catalog', $$'{pg_catalog}'::name[]$$),
  ('name[]', 'pg_toast', $$'{pg_toast}'::name[]$$),
  ('name[]', 'information_schema', $$'{information_schema}'::name[]$$),
  ('name[]', 'pg_temp', $$'{pg_temp}'::name[]$$),
  ('name[]', 'another role''s', $$'{other}'::name[]$$),
  ('name[]', 'missing', $$'{no_such_schema}'::name[]$$),
  ('name[]', 'duplicates', $$'{app,app}'::name[]$$),
  -- (each schema entry costs a lookup: 10000 took 2-6 s, over statement_timeout on a loaded machine)
  ('name[]', '1000 entries', $$(SELECT array_agg('app'::name) FROM generate_series(1, 1000))$$),
  ('text[]', 'empty', $$'{}'::text[]$$),
  ('text[]', '{NULL}', $$'{NULL}'::text[]$$),
  ('text[]', '{""}', $$'{""}'::text[]$$),
  ('text[]', 'duplicates', $$'{INSERT,INSERT}'::text[]$$),
  ('text[]', 'unknown word', $$'{nope}'::text[]$$),
  ('text[]', 'lower case', $$'{delete,update}'::text[]$$),
  ('text[]', 'TRUNCATE', $$'{TRUNCATE}'::text[]$$),
  ('text[]', 'all operations', $$'{INSERT,UPDATE,DELETE,TRUNCATE}'::text[]$$),
  ('text[]', 'star', $$'{*}'::text[]$$),
  ('text[]', 'columns, one missing', $$'{title,nope}'::text[]$$),
  ('text[]', 'qualified names', $$'{app.fx_protect,other.fx_protect}'::text[]$$),
  ('text[]', 'quotes', $$ARRAY['a"b', '''', '']$$),
  ('text[]', '64-byte element', $$ARRAY[repeat('x', 64)]$$),
  ('text[]', '100000-byte element', $$ARRAY[repeat('x', 100000)]$$),
  ('text[]', '10000 entries', $$(SELECT array_agg('e' || g) FROM generate_series(1, 10000) g)$$),
  ('text[]', '2-D', $$'{{a,b},{c,d}}'::text[]$$),
  ('text[]', 'lower bound 0', $$'[0:1]={DELETE,UPDATE}'::text[]$$),
  ('regconfig', 'simple', $$'simple'::regconfig$$),
  ('regconfig', 'english', $$'pg_catalog.english'::regconfig$$),
  ('regconfig', 'oid 0', '0::oid::regconfig'),
  ('regconfig', 'missing oid', '4294967295::oid::regconfig'),
  ('regprocedure', 'user trigger function', $$'app.audit()'::regprocedure$$),
  ('regprocedure', 'extension trigger function', $$'pgdb_tools._trigger_protect()'::regprocedure$$),
  ('regprocedure', 'search_vector executor', $$'pgdb_tools._trigger_search_vector()'::regprocedure$$),
  ('regprocedure', 'not a trigger function', $$'pg_catalog.now()'::regprocedure$$),
  ('regprocedure', 'extension function', $$'pgdb_tools.version()'::regprocedure$$),
  ('regprocedure', 'oid 0', '0::oid::regprocedure'),
  ('regprocedure', 'missing oid', '4294967295::oid::regprocedure');

-- Values a call must refuse (an ERROR with a fitting SQLSTATE): a call that accepts one fails the
-- fuzz. fn is a regular expression over function names.
-- role: NULL for every pass, 'owner' for the pass as the tables' owner only.
CREATE TABLE hostile.must_refuse (fn text, arg name, label text, why text, role text);
INSERT INTO hostile.must_refuse
SELECT '^(snapshot_export|snapshot_import|archive_verify|archive_create)$', 'path', l,
       'archive files are read and written only inside pgdb_tools.archive_directory'
  FROM unnest(ARRAY['absolute path', 'parent path', 'empty']) l
UNION ALL
SELECT '^(snapshot_create|schedule_snapshot|_snapshot_schedule_save|archive_create|schedule_archive|_archive_schedule_save)$', 'schemas', l,
       'the extension''s own and the system schemas are never snapshot material'
  FROM unnest(ARRAY['pgdb_tools', 'pgdb_tools_snapshots', 'pg_catalog', 'pg_toast', 'information_schema']) l
UNION ALL
SELECT '^(snapshot_create|schedule_snapshot|_snapshot_schedule_save|snapshot_restore|archive_create|schedule_archive|_archive_schedule_save)$', 'tables', l,
       'the extension''s own and the system tables are never snapshot material'
  FROM unnest(ARRAY['extension catalog', 'catalog']) l
UNION ALL
SELECT '^(snapshot_create)$', 'name', l, '''#<id>'' names a snapshot by id: no new name begins with #'
  FROM unnest(ARRAY['snapshot id', 'snapshot id too long']) l
UNION ALL
SELECT '^(snapshot_restore)$', 'target_schema', l, 'no restore into the extension''s or the system''s schemas'
  FROM unnest(ARRAY['pgdb_tools', 'pgdb_tools_snapshots', 'pg_catalog', 'pg_toast', 'information_schema']) l
UNION ALL
SELECT '^(create_partitioned|update_partitioned)$', 'archive_schema', l, 'no archiving into the extension''s or the system''s schemas'
  FROM unnest(ARRAY['pgdb_tools', 'pgdb_tools_snapshots', 'pg_catalog', 'pg_toast', 'information_schema']) l
UNION ALL
SELECT '^(create_partitioned|update_partitioned)$', a, l,
       'an interval or width whose arithmetic overflows, or that is not positive, must be refused'
  FROM unnest(ARRAY['partition_interval', 'retention']) a,
       unnest(ARRAY['1000000 years', '-1000000 years', '2147483647 hours', '106751992 days',
                    '178000000 years', '-1', '0', 'int8 max', 'int8 min', 'NaN', 'infinity',
                    '-infinity']) l
 -- Two of them fit and are kept on purpose: a '2147483647 hours' period (about 245,000 years)
 -- gives partitions whose last one ends at MAXVALUE, and a retention of the whole int8 range
 -- keeps every id (partitions_hostile checks both sets' partitions).
 WHERE (a, l) NOT IN (('partition_interval', '2147483647 hours'), ('retention', 'int8 max'))
UNION ALL
SELECT '^create_partitioned$', 'start_at', l, 'a start at the edge of the type leaves no partitions to make'
  FROM unnest(ARRAY['infinity', '-infinity', 'NaN']) l
UNION ALL
SELECT '^(create_partitioned|update_partitioned)$', 'premake', l, 'premake must be 0 or more (and bounded)'
  FROM unnest(ARRAY['-1', 'int4 min']) l
UNION ALL
SELECT '^create_partitioned$', 'parent', l, 'only a range-partitioned table can be a set'
  FROM unnest(ARRAY['app.docs', 'view', 'sequence', 'partition', 'pg_catalog.pg_class', 'extension catalog',
                    'extension view', 'oid 0', 'missing oid']) l
UNION ALL
SELECT '^(protect|read_only|soft_delete|fsm|updated_at|row_version|search_vector|manage_trigger|track_history)$', 'tbl', l,
       'no managed triggers on catalogs, views, sequences or missing tables'
  FROM unnest(ARRAY['pg_catalog.pg_class', 'sequence', 'extension catalog', 'extension view', 'oid 0', 'missing oid']) l
UNION ALL
SELECT '^apply_triggers$', 'tables', l, 'prune never reaches catalogs, views, sequences, missing tables or NULL'
  FROM unnest(ARRAY['{NULL}', 'catalog', 'extension catalog', 'view', 'sequence', 'oid 0']) l
UNION ALL
SELECT '^(snapshot_prune)$', 'keep_last', l, 'keep_last must be 0 or more'
  FROM unnest(ARRAY['-1', 'int4 min']) l
UNION ALL
SELECT '^(run_maintenance_proc)$', 'max_retries', l, 'max_retries must be 0 or more'
  FROM unnest(ARRAY['-1', 'int4 min']) l
UNION ALL
SELECT '^(evacuate_default|_evacuate_default_batch|evacuate_default_proc)$', 'batch_size', l,
       'a batch moves at least one row'
  FROM unnest(ARRAY['-1', 'int4 min']) l
UNION ALL
SELECT '^(partition_existing|_partition_existing_check|partition_existing_proc)$', 'tbl', l,
       'only a plain table of the caller can be converted'
  FROM unnest(ARRAY['view', 'sequence', 'pg_catalog.pg_class', 'extension catalog',
                    'extension view', 'oid 0', 'missing oid']) l
UNION ALL
SELECT '^(evacuate_default|_evacuate_default_batch|evacuate_default_proc)$', 'parent', l,
       'only a registered set has a default partition to empty'
  FROM unnest(ARRAY['app.docs', 'view', 'sequence', 'pg_catalog.pg_class', 'extension catalog',
                    'extension view', 'oid 0', 'missing oid']) l;

-- The scheduling requests carried out at commit need a job name, a schedule and a command.
INSERT INTO hostile.must_refuse (fn, arg, label, why)
SELECT '^(_cron_schedule_at_commit|_cron_unschedule_at_commit)$', 'job_name', l, 'a pg_cron job needs a name of at most 1024 bytes'
  FROM unnest(ARRAY['empty', '10000 bytes', 'NULL']) l
UNION ALL
SELECT '^_cron_schedule_at_commit$', a, 'NULL', 'a pg_cron job needs a schedule and a command'
  FROM unnest(ARRAY['schedule', 'command']) a;

-- As the tables' owner (a non-superuser), another role's tables and schemas, the catalogs and the
-- extension's own tables are not its to change, snapshot, restore or inspect through these
-- functions (42501 or a clean refusal, never success).
INSERT INTO hostile.must_refuse (fn, arg, label, why, role)
SELECT '^(protect|read_only|soft_delete|fsm|updated_at|row_version|search_vector|manage_trigger|track_history|drop_trigger|enable_trigger|prune_triggers|create_partitioned|update_partitioned|forget_partitioned|run_maintenance|evacuate_default|_evacuate_default_batch|evacuate_default_proc|partition_existing|_partition_existing_check|partition_existing_proc|snapshot_diff)$',
       a, l, 'a non-owner must not reach another role''s, the catalog''s or the extension''s table', 'owner'
  FROM unnest(ARRAY['tbl', 'parent']) a,
       unnest(ARRAY['another role''s table', 'pg_catalog.pg_class', 'extension catalog', 'extension view']) l
UNION ALL
SELECT '^apply_triggers$', 'tables', l,
       'a non-owner must not prune the triggers of another role''s, the catalog''s or the extension''s table', 'owner'
  FROM unnest(ARRAY['another role''s', 'catalog', 'extension catalog']) l
UNION ALL
SELECT '^(snapshot_create|snapshot_restore|schedule_snapshot|_snapshot_schedule_save|archive_create|schedule_archive|_archive_schedule_save)$', 'tables', l,
       'a non-owner must not snapshot or restore another role''s, the catalog''s or the extension''s table', 'owner'
  FROM unnest(ARRAY['another role''s', 'catalog', 'extension catalog']) l
UNION ALL
SELECT '^(snapshot_create|schedule_snapshot|_snapshot_schedule_save|archive_create|schedule_archive|_archive_schedule_save)$', 'schemas', l,
       'a role without USAGE on a schema must not snapshot it', 'owner'
  FROM unnest(ARRAY['another role''s', 'pgdb_tools', 'pgdb_tools_snapshots', 'pg_catalog']) l
UNION ALL
SELECT '^snapshot_restore$', 'target_schema', l, 'a role without CREATE on a schema must not restore into it', 'owner'
  FROM unnest(ARRAY['other', 'pgdb_tools', 'pgdb_tools_snapshots', 'pg_catalog', 'information_schema']) l;

-- The valid arguments as literals, evaluated here as a superuser: the owner pass (and the privilege
-- matrix) could not read the extension's catalog to evaluate them.
DO $$
DECLARE r record; v text; t text;
BEGIN
  FOR r IN SELECT * FROM hostile.valid_args WHERE expr IS NOT NULL LOOP
    EXECUTE format('SELECT (%s)::text, pg_typeof(%s)::text', r.expr, r.expr) INTO v, t;
    UPDATE hostile.valid_args SET expr = quote_nullable(v) || '::' || t
     WHERE fn = r.fn AND variant = r.variant AND arg = r.arg;
  END LOOP;
END $$;
GRANT USAGE ON SCHEMA hostile TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA hostile TO PUBLIC;
