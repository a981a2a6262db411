# 50 daily partition sets, 30 days back and 30 ahead (what pg_partman 4.7 creates with premake
# 30), against pg_partman and against plain CREATE TABLE ... PARTITION OF statements (the floor:
# PostgreSQL's own DDL), one transaction per set each; then a maintenance pass with nothing to do,
# then retention 7 days + premake 60. BENCH_SETS changes the number of sets. Sourced by run.sh.
# Without pg_partman (HAVE_PARTMAN empty: PostgreSQL 18) its steps and rows are left out.
sets=${BENCH_SETS:-50}
# pm_sql SQL / pm_time SQL / pm_report ARGS...: bench_sql, bench_time and bench_report for pg_partman.
pm_sql() { [ -z "$HAVE_PARTMAN" ] || bench_sql "$1"; }
pm_time() { [ -z "$HAVE_PARTMAN" ] || bench_time "$1"; }
pm_report() { [ -z "$HAVE_PARTMAN" ] || bench_report "$@"; }
pm_sql "DELETE FROM partman.part_config"
bench_sql "
DROP SCHEMA IF EXISTS bench_ours CASCADE; DROP SCHEMA IF EXISTS bench_pm CASCADE;
DROP SCHEMA IF EXISTS bench_raw CASCADE;
CREATE SCHEMA bench_ours; CREATE SCHEMA bench_pm; CREATE SCHEMA bench_raw;
DELETE FROM pgdb_tools.partition_sets;
DO \$\$ BEGIN FOR i IN 1..$sets LOOP
  EXECUTE format('CREATE TABLE bench_ours.ev%s (id bigint, created_at timestamptz NOT NULL, payload text) PARTITION BY RANGE (created_at)', i);
  EXECUTE format('CREATE TABLE bench_pm.ev%s (id bigint, created_at timestamptz NOT NULL, payload text) PARTITION BY RANGE (created_at)', i);
  EXECUTE format('CREATE TABLE bench_raw.ev%s (id bigint, created_at timestamptz NOT NULL, payload text) PARTITION BY RANGE (created_at)', i);
END LOOP; END \$\$;"

raw_create="DO \$\$ DECLARE d date; BEGIN FOR i IN 1..$sets LOOP
  FOR k IN -30..30 LOOP
    d := current_date + k;
    EXECUTE format('CREATE TABLE bench_raw.ev%s_p%s PARTITION OF bench_raw.ev%s FOR VALUES FROM (%L) TO (%L)',
                   i, to_char(d, 'YYYYMMDD'), i, d::timestamptz, (d + 1)::timestamptz);
  END LOOP;
  EXECUTE format('CREATE TABLE bench_raw.ev%s_default PARTITION OF bench_raw.ev%s DEFAULT', i, i);
  COMMIT;
END LOOP; END \$\$"
ours_create="DO \$\$ BEGIN FOR i IN 1..$sets LOOP
  PERFORM pgdb_tools.create_partitioned(format('bench_ours.ev%s', i)::regclass, 'created_at', '1 day',
                                        premake => 30, start_at => (current_date - 30)::text);
  COMMIT;
END LOOP; END \$\$"
pm_create="DO \$\$ BEGIN FOR i IN 1..$sets LOOP
  PERFORM partman.create_parent(format('bench_pm.ev%s', i), 'created_at', 'native', 'daily', p_premake := 30);
  COMMIT;
END LOOP; END \$\$"

raw=$(bench_time "$raw_create")
ours=$(bench_time "$ours_create")
pm=$(pm_time "$pm_create")
# children SCHEMA: how many partitions the tables of SCHEMA have.
children() {
  "${PSQL[@]}" -At -c "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent
                        WHERE c.relnamespace = '$1'::regnamespace"
}
counts="$(children bench_ours) ours, ${HAVE_PARTMAN:+$(children bench_pm) pg_partman, }$(children bench_raw) raw"
label="create $sets daily sets (partitions: $counts)"
bench_report "$label" "pgdb_tools create_partitioned" "$ours" "plain DDL (floor)" "$raw"
pm_report "$label" "pgdb_tools create_partitioned" "$ours" "pg_partman create_parent" "$pm"

ours=$(bench_time "SELECT count(*) FROM pgdb_tools.run_maintenance()")
pm=$(pm_time "SELECT partman.run_maintenance()")
if [ -n "$HAVE_PARTMAN" ]; then
  bench_report "maintenance, nothing to do, $sets sets" "pgdb_tools run_maintenance" "$ours" "pg_partman run_maintenance" "$pm"
else
  bench_report "maintenance, nothing to do, $sets sets" "pgdb_tools run_maintenance" "$ours" "-" 0
fi

raw_retention="DO \$\$ DECLARE d date; BEGIN FOR i IN 1..$sets LOOP
  FOR k IN -30..-8 LOOP
    EXECUTE format('DROP TABLE bench_raw.ev%s_p%s', i, to_char(current_date + k, 'YYYYMMDD'));
  END LOOP;
  FOR k IN 31..60 LOOP
    d := current_date + k;
    EXECUTE format('CREATE TABLE bench_raw.ev%s_p%s PARTITION OF bench_raw.ev%s FOR VALUES FROM (%L) TO (%L)',
                   i, to_char(d, 'YYYYMMDD'), i, d::timestamptz, (d + 1)::timestamptz);
  END LOOP;
  COMMIT;
END LOOP; END \$\$"
bench_sql "UPDATE pgdb_tools.partition_sets SET retention = '7 days', premake = 60"
pm_sql "UPDATE partman.part_config SET retention = '7 days', premake = 60"
raw=$(bench_time "$raw_retention")
ours=$(bench_time "CALL pgdb_tools.run_maintenance_proc()")
pm=$(pm_time "SELECT partman.run_maintenance()")
label="retention 7 days + premake 60, $sets sets"
bench_report "$label" "pgdb_tools run_maintenance_proc" "$ours" "plain DDL (floor)" "$raw"
pm_report "$label" "pgdb_tools run_maintenance_proc" "$ours" "pg_partman run_maintenance" "$pm"
# One transaction per set: thousands of tables at once would exhaust the lock table.
bench_sql "DELETE FROM pgdb_tools.partition_sets"
pm_sql "DELETE FROM partman.part_config"
bench_sql "DO \$\$ BEGIN FOR i IN 1..$sets LOOP
  EXECUTE format('DROP TABLE bench_ours.ev%s, bench_pm.ev%s, bench_raw.ev%s', i, i, i); COMMIT;
END LOOP; END \$\$"
bench_sql "DROP SCHEMA bench_ours CASCADE; DROP SCHEMA bench_pm CASCADE; DROP SCHEMA bench_raw CASCADE;"

# One set with BENCH_CHILDREN (3000) daily children: creation, then retention down to 30 children.
# Both should cost in proportion to the children (pg_partman's grow faster).
children=${BENCH_CHILDREN:-3000}
bench_sql "
DROP TABLE IF EXISTS bench_big_ours, bench_big_pm, bench_big_raw;
CREATE TABLE bench_big_ours (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE bench_big_pm (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE bench_big_raw (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);"
raw=$(bench_time "DO \$\$ DECLARE d date; BEGIN FOR k IN -($children - 2)..1 LOOP
  d := current_date + k;
  EXECUTE format('CREATE TABLE bench_big_raw_p%s PARTITION OF bench_big_raw FOR VALUES FROM (%L) TO (%L)',
                 to_char(d, 'YYYYMMDD'), d::timestamptz, (d + 1)::timestamptz);
END LOOP; CREATE TABLE bench_big_raw_default PARTITION OF bench_big_raw DEFAULT; END \$\$")
ours=$(bench_time "SELECT pgdb_tools.create_partitioned('bench_big_ours', 'created_at', '1 day', premake => 1,
                     start_at => (current_date - ($children - 2))::text)")
pm=$(pm_time "SELECT partman.create_parent('public.bench_big_pm', 'created_at', 'native', 'daily', p_premake := 1,
                     p_start_partition := (current_date - ($children - 2))::text)")
label="one set, $children daily children: create"
bench_report "$label" "pgdb_tools create_partitioned" "$ours" "plain DDL (floor)" "$raw"
pm_report "$label" "pgdb_tools create_partitioned" "$ours" "pg_partman create_parent" "$pm"
bench_sql "SELECT pgdb_tools.update_partitioned('bench_big_ours', retention => '30 days')"
pm_sql "UPDATE partman.part_config SET retention = '30 days' WHERE parent_table = 'public.bench_big_pm'"
raw=$(bench_time "DO \$\$ BEGIN FOR k IN -($children - 2)..-31 LOOP
  EXECUTE format('DROP TABLE bench_big_raw_p%s', to_char(current_date + k, 'YYYYMMDD'));
END LOOP; END \$\$")
ours=$(bench_time "SELECT count(*) FROM pgdb_tools.run_maintenance('bench_big_ours')")
pm=$(pm_time "SELECT partman.run_maintenance('public.bench_big_pm')")
label="one set, $children children: retention to 30"
bench_report "$label" "pgdb_tools run_maintenance" "$ours" "plain DDL (floor)" "$raw"
pm_report "$label" "pgdb_tools run_maintenance" "$ours" "pg_partman run_maintenance" "$pm"
bench_sql "DELETE FROM pgdb_tools.partition_sets"
pm_sql "DELETE FROM partman.part_config"
bench_sql "DROP TABLE bench_big_ours, bench_big_pm, bench_big_raw"
