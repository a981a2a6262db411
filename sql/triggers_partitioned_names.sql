-- Every kind on a partitioned table whose schema, table and column names need quoting: the
-- triggers are declared on the parent and work in every partition.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS "Sales Data" CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."Order" (
  "Id" int NOT NULL, "Region" text NOT NULL, "State" text NOT NULL, "Owner" text,
  "Rev" int NOT NULL DEFAULT 1, "Active" boolean NOT NULL DEFAULT true, "Note" text,
  "Search" tsvector, "Touched At" timestamptz
) PARTITION BY LIST ("Region");
CREATE TABLE "Sales Data"."Order EU" PARTITION OF "Sales Data"."Order" FOR VALUES IN ('eu');
CREATE TABLE "Sales Data"."Order US" PARTITION OF "Sales Data"."Order" FOR VALUES IN ('us');
CREATE FUNCTION "Sales Data"."Count Rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE '% % on %', TG_NAME, TG_OP, TG_TABLE_NAME; RETURN NULL; END $$;

SELECT action, table_name, trigger_name FROM pgdb_tools.apply_triggers($$[
  {"kind": "fsm", "tbl": "\"Sales Data\".\"Order\"", "column_name": "State",
   "transitions": {"new": ["paid"], "paid": ["done"]}},
  {"kind": "read_only", "tbl": "\"Sales Data\".\"Order\"", "columns": ["Owner"]},
  {"kind": "row_version", "tbl": "\"Sales Data\".\"Order\"", "column_name": "Rev", "check_stale": false},
  {"kind": "search_vector", "tbl": "\"Sales Data\".\"Order\"", "column_name": "Search", "columns": {"Note": "A"}},
  {"kind": "soft_delete", "tbl": "\"Sales Data\".\"Order\"", "column_name": "Active"},
  {"kind": "updated_at", "tbl": "\"Sales Data\".\"Order\"", "column_name": "Touched At", "on_insert": true},
  {"kind": "manage_trigger", "tbl": "\"Sales Data\".\"Order\"", "function": "\"Sales Data\".\"Count Rows\"()",
   "events": ["INSERT"], "name": "Order Inserts"}
]$$) ORDER BY trigger_name;

BEGIN;
INSERT INTO "Sales Data"."Order" ("Id", "Region", "State", "Owner", "Note")
  VALUES (1, 'eu', 'new', 'ann', 'Blue widget'), (2, 'us', 'new', 'bob', NULL);
UPDATE "Sales Data"."Order" SET "State" = 'paid', "Note" = 'Red widget' WHERE "Id" = 1;
SELECT tableoid::regclass AS partition, "Id", "State", "Rev", "Active", "Search",
       "Touched At" = now() AS touched
  FROM "Sales Data"."Order" ORDER BY "Id";
COMMIT;
UPDATE "Sales Data"."Order" SET "State" = 'new' WHERE "Id" = 1;
UPDATE "Sales Data"."Order" SET "Owner" = 'eve' WHERE "Id" = 2;
DELETE FROM "Sales Data"."Order" WHERE "Id" = 2;
SELECT "Id", "Active", "Rev" FROM "Sales Data"."Order" ORDER BY "Id";
SELECT count(*) AS installed FROM pgdb_tools.triggers WHERE schema_name = 'Sales Data' AND status = 'installed';

DROP SCHEMA "Sales Data" CASCADE;
DROP EXTENSION pgdb_tools;
