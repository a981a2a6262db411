# Partition sets at scale (issue 14, item 3). Sourced by run.sh. Two benchmarks:
#  (a) BENCH_SCALE_SETS (default 1000) daily sets of 30 partitions + default: a maintenance pass
#      with nothing to do, against pg_partman's no-op pass over the same sets when it is there
#      (PostgreSQL 15), else printed alone with whether it stays under the 1 s goal. Line:
#      "no-op maintenance, N daily sets of 30".
#  (b) one integer set of BENCH_SCALE_CHILDREN (default 10000) children: create_partitioned
#      against plain CREATE TABLE ... PARTITION OF statements in one transaction, then retention
#      retiring 90% of them against plain DROP TABLE statements in one transaction. Lines:
#      "one integer set, N children: create" and "... retire 90%". Goals: within 1.15x each.
# Creating the sets takes minutes (31,000 tables for (a), 2x N for (b)), so this runs only when
# BENCH_ONLY names it (BENCH_ONLY=scale, BENCH_ONLY=partitions_scale): make bench's default run
# and BENCH_ONLY=partitions leave it out.
case "${BENCH_ONLY:-}" in *scale*) ;; *)
  echo "partitions_scale: left out (BENCH_ONLY=scale runs it)"; return 0 ;; esac
scale_sets=${BENCH_SCALE_SETS:-1000}
scale_children=${BENCH_SCALE_CHILDREN:-10000}

# (a) BENCH_SCALE_SETS daily sets: 14 days back, today and 15 ahead (30 partitions) + default;
# pg_partman premake 15 gives 15 back and 15 ahead (31). One transaction per set.
[ -z "$HAVE_PARTMAN" ] || bench_sql "DELETE FROM partman.part_config"
bench_sql "
DROP SCHEMA IF EXISTS bench_sc_ours CASCADE; DROP SCHEMA IF EXISTS bench_sc_pm CASCADE;
CREATE SCHEMA bench_sc_ours; CREATE SCHEMA bench_sc_pm;
DELETE FROM pgdb_tools.partition_sets;"
bench_sql "DO \$\$ BEGIN FOR i IN 1..$scale_sets LOOP
  EXECUTE format('CREATE TABLE bench_sc_ours.ev%s (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)', i);
  PERFORM pgdb_tools.create_partitioned(format('bench_sc_ours.ev%s', i)::regclass, 'created_at', '1 day',
                                        premake => 15, start_at => (current_date - 14)::text);
  COMMIT;
END LOOP; END \$\$"
if [ -n "$HAVE_PARTMAN" ]; then
  bench_sql "DO \$\$ BEGIN FOR i IN 1..$scale_sets LOOP
    EXECUTE format('CREATE TABLE bench_sc_pm.ev%s (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)', i);
    PERFORM partman.create_parent(format('bench_sc_pm.ev%s', i), 'created_at', 'native', 'daily', p_premake := 15);
    COMMIT;
  END LOOP; END \$\$"
fi
# Each timed pass runs in a session of its own (bench_time), as a scheduled pass would; the
# median of BENCH_REPS passes each, ours and pg_partman's in turn, after an untimed VACUUM of the
# catalog (the first reads after creating tens of thousands of tables set hint bits).
bench_sql "VACUUM"
ours_runs=() pm_runs=()
for _ in $(seq "$BENCH_REPS"); do
  ours_runs+=("$(bench_time "SELECT count(*) FROM pgdb_tools.run_maintenance()")")
  [ -z "$HAVE_PARTMAN" ] || pm_runs+=("$(bench_time "SELECT partman.run_maintenance()")")
done
ours=$(median "${ours_runs[@]}")
label="no-op maintenance, $scale_sets daily sets of 30"
if [ -n "$HAVE_PARTMAN" ]; then
  pm=$(median "${pm_runs[@]}")
  bench_report "$label" "pgdb_tools run_maintenance" "$ours" "pg_partman run_maintenance" "$pm"
else
  bench_report "$label" "pgdb_tools run_maintenance" "$ours" "-" 0
fi
awk -v o="$ours" 'BEGIN { printf "  goal: under 1000 ms: %s\n", (o < 1000 ? "yes" : "no") }'
echo "  runs (ms): ours ${ours_runs[*]}${pm_runs:+; pg_partman ${pm_runs[*]}}"
bench_sql "DELETE FROM pgdb_tools.partition_sets"
[ -z "$HAVE_PARTMAN" ] || bench_sql "DELETE FROM partman.part_config"
bench_sql "DO \$\$ BEGIN FOR i IN 1..$scale_sets LOOP
  EXECUTE format('DROP TABLE bench_sc_ours.ev%s', i);
  IF to_regclass(format('bench_sc_pm.ev%s', i)) IS NOT NULL THEN EXECUTE format('DROP TABLE bench_sc_pm.ev%s', i); END IF;
  COMMIT;
END LOOP; END \$\$"
bench_sql "DROP SCHEMA bench_sc_ours CASCADE; DROP SCHEMA bench_sc_pm CASCADE;"

# (b) One integer set of BENCH_SCALE_CHILDREN children of width 10 (ids 0 .. 10 N - 1) + default,
# then a row in each and a retention of N/10 widths: 90% of the children retire.
n=$scale_children
keep=$(( n / 10 ))
bench_sql "
DROP TABLE IF EXISTS bench_int_ours, bench_int_raw;
CREATE TABLE bench_int_ours (id bigint NOT NULL, payload text) PARTITION BY RANGE (id);
CREATE TABLE bench_int_raw (id bigint NOT NULL, payload text) PARTITION BY RANGE (id);"
raw=$(bench_time "DO \$\$ BEGIN FOR k IN 0..$n - 1 LOOP
  EXECUTE format('CREATE TABLE bench_int_raw_p%s PARTITION OF bench_int_raw FOR VALUES FROM (%s) TO (%s)',
                 k * 10, k * 10, k * 10 + 10);
END LOOP; CREATE TABLE bench_int_raw_default PARTITION OF bench_int_raw DEFAULT; END \$\$")
ours=$(bench_time "SELECT pgdb_tools.create_partitioned('bench_int_ours', 'id', '10', premake => $n - 1,
                     start_at => '0', retention_limit => 100)")
made=$("${PSQL[@]}" -At -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'bench_int_ours'::regclass")
bench_report "one integer set, $n children: create" "pgdb_tools create_partitioned" "$ours" "plain DDL (floor)" "$raw"
echo "  children made: $made (with the default)"
# One row in every child (a lone row at the top would be an outlier, not "now"), and premake 1
# so that the pass retires and creates next to nothing else.
bench_sql "INSERT INTO bench_int_ours SELECT g * 10, 'row' FROM generate_series(0, $n - 1) g;
           SELECT pgdb_tools.update_partitioned('bench_int_ours', premake => 1, retention => '$(( keep * 10 ))')"
raw=$(bench_time "DO \$\$ BEGIN FOR k IN 0..$n - $keep - 1 LOOP
  EXECUTE format('DROP TABLE bench_int_raw_p%s', k * 10);
END LOOP; END \$\$")
ours=$(bench_time "SELECT count(*) FROM pgdb_tools.run_maintenance('bench_int_ours')")
left=$("${PSQL[@]}" -At -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'bench_int_ours'::regclass")
bench_report "one integer set, $n children: retire 90%" "pgdb_tools run_maintenance" "$ours" "plain DDL (floor)" "$raw"
echo "  children left: $left (with the default; plain DDL keeps $(( keep + 1 )))"
bench_sql "DELETE FROM pgdb_tools.partition_sets"
bench_sql "DROP TABLE bench_int_ours, bench_int_raw"
