-- Read by the snapshot end-to-end scripts (psql -f): pg_temp.outcomes(calls) runs each SQL text
-- in a subtransaction of its own and returns one line per call: its first result as text, or its
-- SQLSTATE and message. One line per call, on stdout only: nothing to order against stderr.
CREATE FUNCTION pg_temp.outcomes(calls text[]) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  call text;
  result text;
BEGIN
  FOREACH call IN ARRAY calls LOOP
    BEGIN
      EXECUTE call INTO result;
      RETURN NEXT coalesce(result, 'NULL');
    EXCEPTION WHEN OTHERS THEN
      RETURN NEXT SQLSTATE || ' ' || SQLERRM;
    END;
  END LOOP;
END $$;
