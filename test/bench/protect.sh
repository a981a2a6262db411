# protect on rows it lets through (its WHEN condition is false for every row), on a
# BENCH_ROWS-row UPDATE, against an empty C trigger with the same WHEN clause (PostgreSQL's own
# WHEN evaluation, the floor) and no trigger. Sourced by test/bench/run.sh.
tables="bench_pr_none, bench_pr_floor, bench_pr_ours"
bench_sql "
DROP TABLE IF EXISTS $tables;
CREATE TABLE bench_pr_none (id int PRIMARY KEY, n int NOT NULL, status text NOT NULL);
INSERT INTO bench_pr_none SELECT g, 0, 'open' FROM generate_series(1, $BENCH_ROWS) g;
CREATE TABLE bench_pr_floor (LIKE bench_pr_none INCLUDING ALL);
INSERT INTO bench_pr_floor SELECT * FROM bench_pr_none;
CREATE TABLE bench_pr_ours (LIKE bench_pr_none INCLUDING ALL);
INSERT INTO bench_pr_ours SELECT * FROM bench_pr_none;
CREATE TRIGGER floor BEFORE UPDATE OR DELETE ON bench_pr_floor FOR EACH ROW
  WHEN (OLD.status = 'locked') EXECUTE FUNCTION bench_empty_trigger();
SELECT pgdb_tools.protect('bench_pr_ours', condition => \$\$OLD.status = 'locked'\$\$);"
bench_sql "VACUUM ANALYZE $tables"

none=() floor=() ours=()
for _ in $(seq "$BENCH_REPS"); do
  none+=("$(bench_time "UPDATE bench_pr_none SET n = n + 1")")
  floor+=("$(bench_time "UPDATE bench_pr_floor SET n = n + 1")")
  ours+=("$(bench_time "UPDATE bench_pr_ours SET n = n + 1")")
  bench_sql "VACUUM $tables"
done

label="protect, WHEN false, ${BENCH_ROWS}-row UPDATE"
o=$(median "${ours[@]}")
bench_report "$label" "pgdb_tools protect" "$o" "empty C trigger, same WHEN" "$(median "${floor[@]}")"
bench_report "$label" "pgdb_tools protect" "$o" "no trigger" "$(median "${none[@]}")"
bench_sql "DROP TABLE $tables"
