-- Fixture objects for test/e2e/hostile_*.sh, loaded by a superuser into a database of the script's
-- own. The roles hostile_owner (owns schema app and everything in it) and hostile_other (owns
-- schema other) exist already. Every function's valid arguments (test/hostile/fuzz_args.sql) point
-- at these objects, so a call with one hostile argument still reaches deep code.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION pgdb_tools;
-- What a DBA does so that roles can use the extension at all: 0.1.0 grants USAGE on its schema to
-- no one (the extension's own grants are not changed here).
GRANT USAGE ON SCHEMA pgdb_tools TO hostile_owner, hostile_other;
CREATE SCHEMA app AUTHORIZATION hostile_owner;
CREATE SCHEMA other AUTHORIZATION hostile_other;

SET ROLE hostile_other;
CREATE TABLE other.secret (id integer PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(),
                           payload text);
INSERT INTO other.secret VALUES (1, now(), 'not yours');
RESET ROLE;

SET ROLE hostile_owner;
CREATE TABLE app.docs (
  id integer PRIMARY KEY,
  title text,
  body text,
  state text NOT NULL DEFAULT 'draft',
  updated_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  tsv tsvector,
  deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO app.docs (id, title, body) SELECT g, 'title ' || g, 'body ' || g FROM generate_series(1, 20) g;
CREATE TABLE app.items (id bigint PRIMARY KEY, doc_id integer REFERENCES app.docs, qty integer);
INSERT INTO app.items SELECT g, 1 + g % 20, g FROM generate_series(1, 30) g;
CREATE VIEW app.v_docs AS SELECT * FROM app.docs;
CREATE SEQUENCE app.seq;
CREATE FUNCTION app.audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;

-- partitioned parents: registered sets (ev_ts, ev_int) and free ones of every control type
CREATE TABLE app.ev_ts (created_at timestamptz NOT NULL, v integer) PARTITION BY RANGE (created_at);
CREATE TABLE app.ev_int (id integer NOT NULL, v integer) PARTITION BY RANGE (id);
CREATE TABLE app.ev_new (created_at timestamptz NOT NULL, v integer) PARTITION BY RANGE (created_at);
CREATE TABLE app.ev_new_int (id integer NOT NULL, v integer) PARTITION BY RANGE (id);
CREATE TABLE app.ev_new_big (id bigint NOT NULL, v integer) PARTITION BY RANGE (id);
CREATE TABLE app.ev_new_date (d date NOT NULL, v integer) PARTITION BY RANGE (d);
CREATE TABLE app.ev_new_tsl (at timestamp NOT NULL, v integer) PARTITION BY RANGE (at);
-- plain tables for partition_existing and partition_existing_proc to convert
CREATE TABLE app.conv (id integer NOT NULL, at timestamptz NOT NULL);
INSERT INTO app.conv SELECT g, now() - g * interval '1 hour' FROM generate_series(1, 50) g;
CREATE TABLE app.conv_proc (id integer NOT NULL, v integer);
INSERT INTO app.conv_proc SELECT g, g FROM generate_series(1, 50) g;
SELECT pgdb_tools.create_partitioned('app.ev_ts', 'created_at', '1 day', premake => 2,
                                     retention => '30 days');
SELECT pgdb_tools.create_partitioned('app.ev_int', 'id', '100', premake => 2, retention => '1000');
INSERT INTO app.ev_ts VALUES (now(), 1);
INSERT INTO app.ev_int VALUES (1, 1);

-- a managed trigger and a snapshot for the management functions to find
SELECT pgdb_tools.protect('app.docs', '{DELETE}', name => 'fx_protect');
SELECT pgdb_tools.snapshot_create('fx_snap', '{app.docs,app.items}', note => 'fixture');
RESET ROLE;
-- an archive of it for snapshot_import and archive_verify to read
SELECT pgdb_tools.snapshot_export('fx_snap', 'fx_fixture.pgdbsnap');

-- a snapshot schedule's row (without its pg_cron job) for _take_scheduled_snapshot to find
SELECT pgdb_tools._snapshot_schedule_save('fz', '{app.docs}', NULL, 3);
-- an archive schedule's row (without its pg_cron job) for _take_scheduled_archive to find
SELECT pgdb_tools._archive_schedule_save('fza', '{app.docs}', NULL, 3);
