# A BEFORE UPDATE row trigger that does nothing, called through pgdb_tools' guard, against the same
# trigger in PL/pgSQL and against no trigger, on a BENCH_ROWS-row UPDATE: what every native
# trigger kind pays before it does any work. Sourced by test/bench/run.sh.
tables="bench_noop_none, bench_noop_cpp, bench_noop_plpgsql"
bench_sql "
DROP TABLE IF EXISTS $tables;
CREATE TABLE bench_noop_none (id int PRIMARY KEY, n int NOT NULL, note text);
INSERT INTO bench_noop_none SELECT g, 0, 'row ' || g FROM generate_series(1, $BENCH_ROWS) g;
CREATE TABLE bench_noop_cpp (LIKE bench_noop_none INCLUDING ALL);
INSERT INTO bench_noop_cpp SELECT * FROM bench_noop_none;
CREATE TABLE bench_noop_plpgsql (LIKE bench_noop_none INCLUDING ALL);
INSERT INTO bench_noop_plpgsql SELECT * FROM bench_noop_none;
CREATE OR REPLACE FUNCTION bench_noop_plpgsql() RETURNS trigger LANGUAGE plpgsql
  AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER noop BEFORE UPDATE ON bench_noop_cpp
  FOR EACH ROW EXECUTE FUNCTION pgdb_tools._selftest_noop_trigger();
CREATE TRIGGER noop BEFORE UPDATE ON bench_noop_plpgsql
  FOR EACH ROW EXECUTE FUNCTION bench_noop_plpgsql();"
bench_sql "VACUUM ANALYZE $tables"

none=() cpp=() plpgsql=()
for _ in $(seq "$BENCH_REPS"); do
  none+=("$(bench_time "UPDATE bench_noop_none SET n = n + 1")")
  cpp+=("$(bench_time "UPDATE bench_noop_cpp SET n = n + 1")")
  plpgsql+=("$(bench_time "UPDATE bench_noop_plpgsql SET n = n + 1")")
  bench_sql "VACUUM $tables"
done

label="no-op row trigger, ${BENCH_ROWS}-row UPDATE"
bench_report "$label" "pgdb_tools C++ (guarded)" "$(median "${cpp[@]}")" \
  "PL/pgSQL" "$(median "${plpgsql[@]}")"
bench_report "$label" "pgdb_tools C++ (guarded)" "$(median "${cpp[@]}")" \
  "no trigger" "$(median "${none[@]}")"
bench_sql "DROP TABLE $tables; DROP FUNCTION bench_noop_plpgsql()"
