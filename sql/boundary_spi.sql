-- SPI helpers bind every value as a parameter, and quoting follows PostgreSQL's own rules.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;
CREATE EXTENSION pgdb_tools_selftest;  -- the test-only functions (test/selftest)

-- values travel as $1..$3 and come back unchanged: no value is ever spliced into SQL text
SELECT pgdb_tools._selftest_spi_roundtrip('plain', 1, true);
SELECT pgdb_tools._selftest_spi_roundtrip($$it's'); DROP TABLE pg_class; --$$, -9223372036854775808, false);
SELECT pgdb_tools._selftest_spi_roundtrip(E'back\\slash $1 "quoted"', 9223372036854775807, NULL);
SELECT pgdb_tools._selftest_spi_roundtrip(NULL, NULL, NULL);
SELECT pgdb_tools._selftest_spi_roundtrip('', 0, true);

-- identifier quoting matches quote_ident() for every keyword PostgreSQL knows...
SELECT count(*) AS keywords, count(*) FILTER (WHERE pgdb_tools._selftest_quote_ident(word) <> quote_ident(word)) AS mismatches
  FROM pg_get_keywords();
-- ...and for names that need care
SELECT name, pgdb_tools._selftest_quote_ident(name) AS quoted, pgdb_tools._selftest_quote_ident(name) = quote_ident(name) AS same
  FROM (VALUES ('orders'), ('Orders'), ('order'), ('user'), ('name'), ('_x1'), ('1st'), ('with space'),
               ('a"b'), ('café'), (''), ('dollar$'), (repeat('x', 70))) v(name);
SET quote_all_identifiers = on;
SELECT pgdb_tools._selftest_quote_ident('orders') AS forced, quote_ident('orders') AS postgres;
RESET quote_all_identifiers;

-- literal quoting matches quote_literal(), and reads back as the original value
SELECT v, pgdb_tools._selftest_quote_literal(v) AS quoted, pgdb_tools._selftest_quote_literal(v) = quote_literal(v) AS same
  FROM (VALUES ('abc'), ('it''s'), (E'back\\slash'), (''), (E'\\''')) t(v);
DO $$
DECLARE v text; back text;
BEGIN
  FOREACH v IN ARRAY ARRAY['abc', 'it''s', E'back\\slash', '', E'\\''', E'tab\there'] LOOP
    EXECUTE 'SELECT ' || pgdb_tools._selftest_quote_literal(v) INTO back;
    IF back IS DISTINCT FROM v THEN RAISE EXCEPTION 'literal % read back as %', v, back; END IF;
  END LOOP;
  SET LOCAL standard_conforming_strings = off;
  FOREACH v IN ARRAY ARRAY['abc', 'it''s', E'back\\slash', E'\\'''] LOOP
    EXECUTE 'SELECT ' || pgdb_tools._selftest_quote_literal(v) INTO back;
    IF back IS DISTINCT FROM v THEN RAISE EXCEPTION 'literal % read back as % (standard_conforming_strings off)', v, back; END IF;
  END LOOP;
  RAISE NOTICE 'all literals read back unchanged';
END $$;

DROP EXTENSION pgdb_tools_selftest, pgdb_tools;
