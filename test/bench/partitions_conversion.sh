# Partitions II (issue 14): emptying a filled default partition, and turning a plain table into a
# set, each against what people write (or run) for it today. Sourced by run.sh.
# - Evacuation: BENCH_ROWS rows over 30 days in the default of a daily set. Ours:
#   evacuate_default(); floor: a hand-written DO block doing the same per day (CREATE TABLE LIKE,
#   DELETE ... RETURNING into INSERT, ATTACH), PostgreSQL's own work; with pg_partman (PostgreSQL
#   15) also partman.partition_data_time on an equal set.
# - Conversion: BENCH_EXISTING_ROWS (default 10 x BENCH_ROWS) rows over 30 days in a plain table.
#   What blocks writers is the time under ACCESS EXCLUSIVE: ours is partition_existing() once the
#   range check is validated (VALIDATE itself, under SHARE UPDATE EXCLUSIVE, is reported apart);
#   the anchor is the usual conversion in one transaction (rename, create the parent, ATTACH the
#   old table, which scans it under the lock).
days=30
bench_sql "
DROP SCHEMA IF EXISTS bench_ev CASCADE; CREATE SCHEMA bench_ev;
DELETE FROM pgdb_tools.partition_sets WHERE parent_schema = 'bench_ev';
CREATE TABLE bench_ev.ours (id bigint, at timestamptz NOT NULL, payload text) PARTITION BY RANGE (at);
CREATE TABLE bench_ev.raw (LIKE bench_ev.ours) PARTITION BY RANGE (at);
CREATE TABLE bench_ev.raw_default PARTITION OF bench_ev.raw DEFAULT;
SELECT pgdb_tools.create_partitioned('bench_ev.ours', 'at', '1 day', premake => 0,
                                     start_at => (current_date + 1)::text);
INSERT INTO bench_ev.ours SELECT g, current_date - $days + (g % ($days * 1440)) * interval '1 minute', 'row ' || g
  FROM generate_series(1, $BENCH_ROWS) g;
INSERT INTO bench_ev.raw SELECT * FROM bench_ev.ours;"
if [ -n "$HAVE_PARTMAN" ]; then
  bench_sql "
DELETE FROM partman.part_config WHERE parent_table = 'bench_ev.pm';
CREATE TABLE bench_ev.pm (LIKE bench_ev.ours) PARTITION BY RANGE (at);
SELECT partman.create_parent('bench_ev.pm', 'at', 'native', 'daily', p_premake := 1,
                             p_start_partition := (current_date + 1)::text);
INSERT INTO bench_ev.pm SELECT * FROM bench_ev.ours;"
fi
bench_sql "VACUUM ANALYZE bench_ev.ours, bench_ev.raw${HAVE_PARTMAN:+, bench_ev.pm}"
raw_evacuate="DO \$\$ DECLARE d date; BEGIN FOR k IN 0..$((days - 1)) LOOP
  d := current_date - $days + k;
  EXECUTE format('CREATE TABLE bench_ev.raw_p%s (LIKE bench_ev.raw INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', k);
  EXECUTE format('WITH moved AS (DELETE FROM bench_ev.raw_default WHERE at >= %L AND at < %L RETURNING *) INSERT INTO bench_ev.raw_p%s SELECT * FROM moved',
                 d::timestamptz, (d + 1)::timestamptz, k);
  EXECUTE format('ALTER TABLE bench_ev.raw ATTACH PARTITION bench_ev.raw_p%s FOR VALUES FROM (%L) TO (%L)',
                 k, d::timestamptz, (d + 1)::timestamptz);
END LOOP; END \$\$"
raw=$(bench_time "$raw_evacuate")
ours=$(bench_time "SELECT pgdb_tools.evacuate_default('bench_ev.ours', $BENCH_ROWS)")
label="empty a $BENCH_ROWS-row default ($days days)"
bench_report "$label" "pgdb_tools evacuate_default" "$ours" "hand-written DO (floor)" "$raw"
if [ -n "$HAVE_PARTMAN" ]; then
  pm=$(bench_time "SELECT partman.partition_data_time('bench_ev.pm', p_batch_count := $((days + 2)), p_analyze := false)")
  bench_report "$label" "pgdb_tools evacuate_default" "$ours" "pg_partman partition_data_time" "$pm"
fi
left=$("${PSQL[@]}" -At -c "SELECT (SELECT count(*) FROM bench_ev.ours_default) + (SELECT count(*) FROM bench_ev.raw_default)")
[ "$left" = 0 ] || echo "benchmark partitions_conversion: $left rows left in the defaults"

rows=${BENCH_EXISTING_ROWS:-$((BENCH_ROWS * 10))}
bench_sql "
CREATE TABLE bench_ev.plain_ours (id bigint NOT NULL, at timestamptz NOT NULL, payload text, PRIMARY KEY (id, at));
INSERT INTO bench_ev.plain_ours SELECT g, current_date - $days + (g % ($days * 1440)) * interval '1 minute', 'row ' || g
  FROM generate_series(1, $rows) g;
CREATE TABLE bench_ev.plain_raw (LIKE bench_ev.plain_ours INCLUDING ALL);
INSERT INTO bench_ev.plain_raw SELECT * FROM bench_ev.plain_ours;"
bench_sql "VACUUM ANALYZE bench_ev.plain_ours, bench_ev.plain_raw"
# Ours, step by step as partition_existing_proc runs it: the check NOT VALID, VALIDATE, the swap.
bench_sql "SELECT * FROM pgdb_tools._partition_existing_check('bench_ev.plain_ours', 'at', '1 day', 4, NULL, 'drop', NULL, 'UTC')"
validate=$(bench_time "ALTER TABLE bench_ev.plain_ours VALIDATE CONSTRAINT plain_ours_pgdb_existing")
ours=$(bench_time "SELECT count(*) FROM pgdb_tools.partition_existing('bench_ev.plain_ours', 'at', '1 day')")
raw=$(bench_time "BEGIN;
ALTER TABLE bench_ev.plain_raw RENAME TO plain_raw_old;
CREATE TABLE bench_ev.plain_raw (LIKE bench_ev.plain_raw_old INCLUDING ALL) PARTITION BY RANGE (at);
ALTER TABLE bench_ev.plain_raw ATTACH PARTITION bench_ev.plain_raw_old
  FOR VALUES FROM ('$(date -u -d "-$((days + 1)) days" +%F)') TO ('$(date -u -d '+1 day' +%F)');
COMMIT;")
label="convert a $rows-row table, ACCESS EXCLUSIVE"
bench_report "$label" "pgdb_tools partition_existing" "$ours" "rename+ATTACH (scan)" "$raw"
bench_report "convert a $rows-row table, the scan" "VALIDATE (writers go on)" "$validate" "rename+ATTACH (scan)" "$raw"
bench_sql "DELETE FROM pgdb_tools.partition_sets WHERE parent_schema = 'bench_ev'"
[ -z "$HAVE_PARTMAN" ] || bench_sql "DELETE FROM partman.part_config WHERE parent_table = 'bench_ev.pm'"
bench_sql "DROP SCHEMA bench_ev CASCADE"
