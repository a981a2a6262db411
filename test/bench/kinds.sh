# The check kinds on rows they let through, on a BENCH_ROWS-row UPDATE, against the empty C
# trigger (the floor): read_only on columns the UPDATE leaves alone, row_version counting, fsm on
# an allowed move of every row (also against the floor with fsm's own WHEN clause), search_vector on
# updates that leave its sources alone. Goal (issue 3): within 1.10x of the floor. Then soft_delete
# (BENCH_ROWS / 10 rows) against the PL/pgSQL trigger people write for it. Sourced by run.sh.
tables="bench_k_floor, bench_k_floor_when, bench_k_read_only, bench_k_row_version, bench_k_fsm, bench_k_search"
bench_sql "
DROP TABLE IF EXISTS $tables;
CREATE TABLE bench_k_floor (id int PRIMARY KEY, n int NOT NULL, state text NOT NULL,
                            owner text NOT NULL, version int NOT NULL);
INSERT INTO bench_k_floor SELECT g, 0, 'a', 'owner ' || g, 1 FROM generate_series(1, $BENCH_ROWS) g;
CREATE TABLE bench_k_floor_when (LIKE bench_k_floor INCLUDING ALL);
INSERT INTO bench_k_floor_when SELECT * FROM bench_k_floor;
CREATE TABLE bench_k_read_only (LIKE bench_k_floor INCLUDING ALL);
INSERT INTO bench_k_read_only SELECT * FROM bench_k_floor;
CREATE TABLE bench_k_row_version (LIKE bench_k_floor INCLUDING ALL);
INSERT INTO bench_k_row_version SELECT * FROM bench_k_floor;
CREATE TABLE bench_k_fsm (LIKE bench_k_floor INCLUDING ALL);
INSERT INTO bench_k_fsm SELECT * FROM bench_k_floor;
CREATE TABLE bench_k_search (LIKE bench_k_floor INCLUDING ALL);
ALTER TABLE bench_k_search ADD COLUMN search tsvector;
INSERT INTO bench_k_search SELECT *, to_tsvector('simple', owner) FROM bench_k_floor;
CREATE TRIGGER floor BEFORE UPDATE ON bench_k_floor FOR EACH ROW EXECUTE FUNCTION bench_empty_trigger();
CREATE TRIGGER floor BEFORE UPDATE ON bench_k_floor_when FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION bench_empty_trigger();
SELECT pgdb_tools.read_only('bench_k_read_only', columns => '{owner,version}');
SELECT pgdb_tools.row_version('bench_k_row_version');
SELECT pgdb_tools.fsm('bench_k_fsm', 'state', '{\"a\": [\"b\"], \"b\": [\"a\"]}');
SELECT pgdb_tools.search_vector('bench_k_search', 'search', '{\"owner\": \"A\"}');"
bench_sql "VACUUM ANALYZE $tables"

flip="state = CASE state WHEN 'a' THEN 'b' ELSE 'a' END"
floor=() floor_when=() read_only=() row_version=() fsm=() search=()
for _ in $(seq "$BENCH_REPS"); do
  floor+=("$(bench_time "UPDATE bench_k_floor SET n = n + 1, $flip")")
  floor_when+=("$(bench_time "UPDATE bench_k_floor_when SET n = n + 1, $flip")")
  read_only+=("$(bench_time "UPDATE bench_k_read_only SET n = n + 1, $flip")")
  row_version+=("$(bench_time "UPDATE bench_k_row_version SET n = n + 1, $flip")")
  fsm+=("$(bench_time "UPDATE bench_k_fsm SET n = n + 1, $flip")")
  search+=("$(bench_time "UPDATE bench_k_search SET n = n + 1, $flip")")
  bench_sql "VACUUM $tables"
done
f=$(median "${floor[@]}")
label="${BENCH_ROWS}-row UPDATE, rows let through"
bench_report "$label" "read_only (2 columns)" "$(median "${read_only[@]}")" "empty C trigger (floor)" "$f"
bench_report "$label" "row_version" "$(median "${row_version[@]}")" "empty C trigger (floor)" "$f"
bench_report "$label" "fsm (every row moves)" "$(median "${fsm[@]}")" "empty C trigger (floor)" "$f"
bench_report "$label" "fsm (every row moves)" "$(median "${fsm[@]}")" "floor with fsm's WHEN" "$(median "${floor_when[@]}")"
bench_report "$label" "search_vector (sources kept)" "$(median "${search[@]}")" "empty C trigger (floor)" "$f"
bench_sql "DROP TABLE $tables"

rows=$((BENCH_ROWS / 10))
bench_sql "
DROP TABLE IF EXISTS bench_sd_ours, bench_sd_plpgsql;
CREATE TABLE bench_sd_ours (id int PRIMARY KEY, body text, is_active boolean NOT NULL);
INSERT INTO bench_sd_ours SELECT g, 'row ' || g, true FROM generate_series(1, $rows) g;
CREATE TABLE bench_sd_plpgsql (LIKE bench_sd_ours INCLUDING ALL);
INSERT INTO bench_sd_plpgsql SELECT * FROM bench_sd_ours;
SELECT pgdb_tools.soft_delete('bench_sd_ours', 'is_active');
CREATE OR REPLACE FUNCTION bench_sd_plpgsql() RETURNS trigger LANGUAGE plpgsql AS
  'BEGIN UPDATE bench_sd_plpgsql SET is_active = false WHERE id = OLD.id; RETURN NULL; END';
CREATE TRIGGER soft BEFORE DELETE ON bench_sd_plpgsql FOR EACH ROW EXECUTE FUNCTION bench_sd_plpgsql();"
bench_sql "VACUUM ANALYZE bench_sd_ours, bench_sd_plpgsql"
ours=() plpgsql=()
for _ in $(seq "$BENCH_REPS"); do
  ours+=("$(bench_time "DELETE FROM bench_sd_ours")")
  plpgsql+=("$(bench_time "DELETE FROM bench_sd_plpgsql")")
  bench_sql "VACUUM bench_sd_ours, bench_sd_plpgsql"
done
bench_report "soft_delete, ${rows}-row DELETE" "pgdb_tools soft_delete" "$(median "${ours[@]}")" \
  "PL/pgSQL (UPDATE by key)" "$(median "${plpgsql[@]}")"
bench_sql "DROP TABLE bench_sd_ours, bench_sd_plpgsql; DROP FUNCTION bench_sd_plpgsql()"
