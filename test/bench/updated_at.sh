# updated_at on a BENCH_ROWS-row UPDATE: pgdb_tools' native trigger against contrib moddatetime,
# a PL/pgSQL trigger (NEW.updated_at := now()), the empty C trigger (the floor) and no trigger.
# Goals (issue 3): within 1.05x of the floor, never slower than moddatetime. Sourced by run.sh.
tables="bench_ua_none, bench_ua_floor, bench_ua_ours, bench_ua_moddatetime, bench_ua_plpgsql"
bench_sql "
DROP TABLE IF EXISTS $tables;
CREATE TABLE bench_ua_none (id int PRIMARY KEY, n int NOT NULL, note text, updated_at timestamptz);
INSERT INTO bench_ua_none SELECT g, 0, 'row ' || g, now() FROM generate_series(1, $BENCH_ROWS) g;
CREATE TABLE bench_ua_floor (LIKE bench_ua_none INCLUDING ALL);
INSERT INTO bench_ua_floor SELECT * FROM bench_ua_none;
CREATE TABLE bench_ua_ours (LIKE bench_ua_none INCLUDING ALL);
INSERT INTO bench_ua_ours SELECT * FROM bench_ua_none;
CREATE TABLE bench_ua_moddatetime (LIKE bench_ua_none INCLUDING ALL);
INSERT INTO bench_ua_moddatetime SELECT * FROM bench_ua_none;
CREATE TABLE bench_ua_plpgsql (LIKE bench_ua_none INCLUDING ALL);
INSERT INTO bench_ua_plpgsql SELECT * FROM bench_ua_none;
CREATE OR REPLACE FUNCTION bench_ua_plpgsql() RETURNS trigger LANGUAGE plpgsql
  AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';
CREATE TRIGGER floor BEFORE UPDATE ON bench_ua_floor FOR EACH ROW EXECUTE FUNCTION bench_empty_trigger();
SELECT pgdb_tools.updated_at('bench_ua_ours');
CREATE TRIGGER mdt BEFORE UPDATE ON bench_ua_moddatetime
  FOR EACH ROW EXECUTE FUNCTION moddatetime(updated_at);
CREATE TRIGGER plpgsql BEFORE UPDATE ON bench_ua_plpgsql
  FOR EACH ROW EXECUTE FUNCTION bench_ua_plpgsql();"
bench_sql "VACUUM ANALYZE $tables"

none=() floor=() ours=() mdt=() plpgsql=()
for _ in $(seq "$BENCH_REPS"); do
  none+=("$(bench_time "UPDATE bench_ua_none SET n = n + 1")")
  floor+=("$(bench_time "UPDATE bench_ua_floor SET n = n + 1")")
  ours+=("$(bench_time "UPDATE bench_ua_ours SET n = n + 1")")
  mdt+=("$(bench_time "UPDATE bench_ua_moddatetime SET n = n + 1")")
  plpgsql+=("$(bench_time "UPDATE bench_ua_plpgsql SET n = n + 1")")
  bench_sql "VACUUM $tables"
done

label="updated_at, ${BENCH_ROWS}-row UPDATE"
o=$(median "${ours[@]}")
bench_report "$label" "pgdb_tools updated_at" "$o" "empty C trigger (floor)" "$(median "${floor[@]}")"
bench_report "$label" "pgdb_tools updated_at" "$o" "contrib moddatetime" "$(median "${mdt[@]}")"
bench_report "$label" "pgdb_tools updated_at" "$o" "PL/pgSQL updated_at" "$(median "${plpgsql[@]}")"
bench_report "$label" "pgdb_tools updated_at" "$o" "no trigger" "$(median "${none[@]}")"
bench_sql "DROP TABLE $tables; DROP FUNCTION bench_ua_plpgsql()"
