# A BEFORE UPDATE row trigger that does nothing on a BENCH_ROWS-row UPDATE: called through
# pgdb_tools' guard (C++: _selftest_noop_trigger of the test-only pgdb_tools_selftest, built from
# the same boundary sources), as a plain empty C function (the floor: PostgreSQL's trigger machinery
# alone), in PL/pgSQL, and with no trigger at all. What every native trigger kind pays before it
# does any work. Sourced by test/bench/run.sh.
tables="bench_noop_none, bench_noop_floor, bench_noop_cpp, bench_noop_plpgsql"
bench_sql "
DROP TABLE IF EXISTS $tables;
CREATE TABLE bench_noop_none (id int PRIMARY KEY, n int NOT NULL, note text);
INSERT INTO bench_noop_none SELECT g, 0, 'row ' || g FROM generate_series(1, $BENCH_ROWS) g;
CREATE TABLE bench_noop_floor (LIKE bench_noop_none INCLUDING ALL);
INSERT INTO bench_noop_floor SELECT * FROM bench_noop_none;
CREATE TABLE bench_noop_cpp (LIKE bench_noop_none INCLUDING ALL);
INSERT INTO bench_noop_cpp SELECT * FROM bench_noop_none;
CREATE TABLE bench_noop_plpgsql (LIKE bench_noop_none INCLUDING ALL);
INSERT INTO bench_noop_plpgsql SELECT * FROM bench_noop_none;
CREATE OR REPLACE FUNCTION bench_noop_plpgsql() RETURNS trigger LANGUAGE plpgsql
  AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER noop BEFORE UPDATE ON bench_noop_floor
  FOR EACH ROW EXECUTE FUNCTION bench_empty_trigger();
CREATE TRIGGER noop BEFORE UPDATE ON bench_noop_cpp
  FOR EACH ROW EXECUTE FUNCTION pgdb_tools._selftest_noop_trigger();
CREATE TRIGGER noop BEFORE UPDATE ON bench_noop_plpgsql
  FOR EACH ROW EXECUTE FUNCTION bench_noop_plpgsql();"
bench_sql "VACUUM ANALYZE $tables"

none=() floor=() cpp=() plpgsql=()
for _ in $(seq "$BENCH_REPS"); do
  none+=("$(bench_time "UPDATE bench_noop_none SET n = n + 1")")
  floor+=("$(bench_time "UPDATE bench_noop_floor SET n = n + 1")")
  cpp+=("$(bench_time "UPDATE bench_noop_cpp SET n = n + 1")")
  plpgsql+=("$(bench_time "UPDATE bench_noop_plpgsql SET n = n + 1")")
  bench_sql "VACUUM $tables"
done

label="no-op row trigger, ${BENCH_ROWS}-row UPDATE"
ours=$(median "${cpp[@]}")
bench_report "$label" "pgdb_tools C++ (guarded)" "$ours" "empty C trigger (floor)" "$(median "${floor[@]}")"
bench_report "$label" "pgdb_tools C++ (guarded)" "$ours" "PL/pgSQL" "$(median "${plpgsql[@]}")"
bench_report "$label" "pgdb_tools C++ (guarded)" "$ours" "no trigger" "$(median "${none[@]}")"
bench_report "$label" "empty C trigger (floor)" "$(median "${floor[@]}")" "no trigger" "$(median "${none[@]}")"
bench_sql "DROP TABLE $tables; DROP FUNCTION bench_noop_plpgsql()"
