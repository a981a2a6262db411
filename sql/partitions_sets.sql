-- Partition sets: creation, premake, time zones and DST, integer sets, rows in the default,
-- retention, dry runs and per-set isolation. Outputs are made independent of today's date by
-- comparing with what now() implies.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS part_test CASCADE;
DROP SCHEMA IF EXISTS part_archive CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE SCHEMA part_test;
SET search_path = part_test, public;
-- (NOTICEs counting partitions depend on today's date; one is shown with the integer set below)
SET client_min_messages = warning;

-- a daily set in Paris: today's period and 3 ahead, plus the default
CREATE TABLE events (id bigint, at timestamptz NOT NULL, payload text) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('events', 'at', '1 day', premake => 3, time_zone => 'Europe/Paris') AS created;
SELECT count(*) FILTER (WHERE NOT is_default) AS ranges, count(*) FILTER (WHERE is_default) AS defaults
  FROM pgdb_tools.partitions('events');
SELECT min(lower_bound::timestamptz) = (date_trunc('day', now() AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'Europe/Paris') AS starts_at_local_midnight,
       bool_and(partition::text = 'events_p' || to_char(lower_bound::timestamptz AT TIME ZONE 'Europe/Paris', 'YYYYMMDD')) AS named_by_local_day
  FROM pgdb_tools.partitions('events') WHERE NOT is_default;
-- calling it again changes nothing; another configuration is refused
SELECT pgdb_tools.create_partitioned('events', 'at', '1 day', premake => 3, time_zone => 'Europe/Paris') AS created_again;
SELECT pgdb_tools.create_partitioned('events', 'at', '1 week');
-- nothing to do
SELECT * FROM pgdb_tools.run_maintenance('events');

-- DST: a Paris set started in March has a 23-hour and a 25-hour day
CREATE TABLE visits (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('visits', 'at', '1 day', premake => 0, start_at => '2026-03-28',
                                     time_zone => 'Europe/Paris', default_partition => false) > 200 AS created_many;
SELECT partition, upper_bound::timestamptz - lower_bound::timestamptz AS length
  FROM pgdb_tools.partitions('visits')
 WHERE partition::text IN ('visits_p20260328', 'visits_p20260329', 'visits_p20261025', 'visits_p20261026')
 ORDER BY 1;

-- monthly and sub-daily names
CREATE TABLE monthly (at timestamp NOT NULL) PARTITION BY RANGE (at);
SELECT pgdb_tools.create_partitioned('monthly', 'at', '1 month', premake => 1, start_at => '2026-01-15') > 10 AS created;
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('monthly') WHERE partition::text IN ('monthly_p202601', 'monthly_p202602');
CREATE TABLE ticks (on_day date NOT NULL) PARTITION BY RANGE (on_day);
SELECT pgdb_tools.create_partitioned('ticks', 'on_day', '1 week', premake => 0, start_at => '2026-11-01') > 2 AS created;
SELECT partition, lower_bound, extract(isodow FROM lower_bound::date) AS weekday
  FROM pgdb_tools.partitions('ticks') WHERE NOT is_default ORDER BY lower_bound LIMIT 2;

-- sub-daily sets name partitions by local time; a hand-made partition is left alone and only
-- the uncovered part of its period is created
CREATE TABLE readings (at timestamp NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE readings_manual PARTITION OF readings FOR VALUES FROM ('2026-11-20 10:05') TO ('2026-11-20 10:10');
SELECT pgdb_tools.create_partitioned('readings', 'at', '15 minutes', premake => 0, start_at => '2026-11-20 10:00',
                                     default_partition => false) > 50 AS created;
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('readings') ORDER BY lower_bound::timestamp LIMIT 4;

-- integer sets follow the highest value, and stop at the type's end
CREATE TABLE orders (id int NOT NULL, note text) PARTITION BY RANGE (id);
INSERT INTO orders SELECT 1 WHERE false;
RESET client_min_messages;
SELECT pgdb_tools.create_partitioned('orders', 'id', '1000', premake => 2) AS created;
SET client_min_messages = warning;
SELECT partition, lower_bound, upper_bound, is_default FROM pgdb_tools.partitions('orders');
INSERT INTO orders VALUES (2500, 'a'), (5100, 'lands in the default');
SELECT * FROM pgdb_tools.run_maintenance('orders');
SELECT tableoid::regclass, id FROM orders ORDER BY id;
CREATE TABLE big_ids (id int NOT NULL) PARTITION BY RANGE (id);
INSERT INTO big_ids SELECT 1 WHERE false;
SELECT pgdb_tools.create_partitioned('big_ids', 'id', '1000000000', premake => 5, start_at => '2000000000',
                                     default_partition => false) AS created;
SELECT partition, lower_bound, upper_bound FROM pgdb_tools.partitions('big_ids');

-- for an integer set the highest id is "now", up to one runway (premake + 1 periods) past the
-- newest partition: a far-off id is an outlier that steers nothing (no partition is made for it,
-- retention does not count from it); it and a row before the first partition wait in the
-- default, where partition_status counts them
INSERT INTO orders VALUES (1000000, 'far future'), (-5, 'before the first');
SELECT action, partition_name FROM pgdb_tools.run_maintenance('orders', dry_run => true);
SELECT parent, default_rows FROM pgdb_tools.partition_status WHERE parent = 'orders'::regclass;
DELETE FROM orders WHERE id IN (1000000, -5);

-- a name that is taken is never overwritten
CREATE TABLE orders_p8000 (unrelated int);
SELECT pgdb_tools.update_partitioned('orders', premake => 3) AS changed;
SELECT pgdb_tools.update_partitioned('orders', premake => 3) AS changed_again;
SELECT * FROM pgdb_tools.run_maintenance('orders');
DELETE FROM orders WHERE id = 2500;
INSERT INTO orders VALUES (6500, 'b');
SELECT pgdb_tools.update_partitioned('orders', premake => 0);
SELECT * FROM pgdb_tools.run_maintenance('orders');

-- retention: detach, drop and archive only wholly expired partitions; dry_run changes nothing
SELECT pgdb_tools.update_partitioned('orders', retention => '3000', retention_mode => 'detach');
SELECT * FROM pgdb_tools.run_maintenance('orders', dry_run => true);
SELECT count(*) AS partitions_before FROM pgdb_tools.partitions('orders');
SELECT * FROM pgdb_tools.run_maintenance('orders');
SELECT relname, relispartition FROM pg_class WHERE relname IN ('orders_p0', 'orders_p1000', 'orders_p2000') ORDER BY 1;
CREATE SCHEMA part_archive;
SELECT pgdb_tools.update_partitioned('visits', retention => '2 days', retention_mode => 'archive', archive_schema => 'part_archive');
-- retiring most of a set at once needs force (retention_limit, 50% by default)
-- (how many it would retire grows by one a day: the message is shown with the counts masked)
SELECT action, pg_catalog.regexp_replace(detail, 'retire \d+ of the \d+ partitions', 'retire N of the M partitions') AS detail,
       (pg_catalog.regexp_match(detail, 'retire (\d+) of the (\d+)'))[1]::int * 2 >
       (pg_catalog.regexp_match(detail, 'retire (\d+) of the (\d+)'))[2]::int AS over_half
  FROM pgdb_tools.run_maintenance('visits') WHERE action <> 'create';
SELECT count(*) > 200 AS archived_many FROM pgdb_tools.run_maintenance('visits', force => true) WHERE action = 'archive';
SELECT count(*) > 200 AS now_in_archive FROM pg_class WHERE relnamespace = 'part_archive'::regnamespace;
SELECT pgdb_tools.update_partitioned('monthly', retention => '1 month');
SELECT count(*) > 5 AS dropped FROM pgdb_tools.run_maintenance('monthly', force => true) WHERE action = 'drop';
-- what retention removed does not come back when retention is cleared
SELECT pgdb_tools.update_partitioned('monthly', retention => 'none');
SELECT * FROM pgdb_tools.run_maintenance('monthly');

SET client_min_messages = warning;
DROP SCHEMA part_archive CASCADE;
RESET client_min_messages;

-- one failing set does not stop the others (a set's configuration broken by hand here)
UPDATE pgdb_tools.partition_sets SET time_zone = 'Mars/Olympus_Mons' WHERE parent_name = 'visits';
SELECT pgdb_tools.update_partitioned('events', premake => 4);
SELECT parent, action, detail ~ 'Mars' AS explains_the_zone
  FROM pgdb_tools.run_maintenance() ORDER BY parent::text, action;
SELECT parent_name, actions, error IS NOT NULL AS failed FROM pgdb_tools.partition_runs
 WHERE run_id > (SELECT max(run_id) - 5 FROM pgdb_tools.partition_runs) ORDER BY parent_name;
UPDATE pgdb_tools.partition_sets SET time_zone = 'Europe/Paris' WHERE parent_name = 'visits';

-- forgetting a set keeps its partitions
SELECT pgdb_tools.forget_partitioned('ticks');
SELECT pgdb_tools.forget_partitioned('ticks') AS again;
SELECT count(*) > 0 AS partitions_kept FROM pgdb_tools.partitions('ticks');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA part_test CASCADE;
RESET client_min_messages;
DROP EXTENSION pgdb_tools;
