-- search_vector(): a tsvector column kept from weighted text columns.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE docs (id int PRIMARY KEY, title text, body varchar, tags text, search tsvector);
SELECT pgdb_tools.search_vector('docs', 'search', '{"title": "A", "body": "B"}');
INSERT INTO docs (id, title, body) VALUES (1, 'Postgres triggers', 'Native code runs faster'),
                                          (2, NULL, 'Only a body'), (3, NULL, NULL);
SELECT id, search FROM docs ORDER BY id;
-- the same as PostgreSQL computes it
SELECT id, search = (setweight(to_tsvector('simple', coalesce(title, '')), 'A')
                     || setweight(to_tsvector('simple', coalesce(body, '')), 'B')) AS same
  FROM docs WHERE id = 1;
SELECT id FROM docs WHERE search @@ to_tsquery('simple', 'native & postgres');

-- kept current on UPDATE of a source; an UPDATE of another column leaves it alone
UPDATE docs SET body = 'Rewritten text' WHERE id = 1;
SELECT search FROM docs WHERE id = 1;
UPDATE docs SET tags = 'x' WHERE id = 1;
SELECT search FROM docs WHERE id = 1;
-- writing the column by hand is overwritten
UPDATE docs SET search = 'junk' WHERE id = 2;
SELECT search FROM docs WHERE id = 2;

-- another configuration, recorded schema-qualified
CREATE TABLE articles (id int, title text, search tsvector);
SELECT pgdb_tools.search_vector('articles', 'search', '{"title": "A"}', 'english');
INSERT INTO articles VALUES (1, 'The running foxes', NULL);
SELECT search FROM articles;
SELECT spec->>'config' AS config FROM pgdb_tools.triggers WHERE table_name = 'articles';

-- errors
SELECT pgdb_tools.search_vector('docs', 'title', '{"body": "A"}', name => 'bad1');
SELECT pgdb_tools.search_vector('docs', 'search', '{}', name => 'bad2');
SELECT pgdb_tools.search_vector('docs', 'search', '{"body": "E"}', name => 'bad3');
SELECT pgdb_tools.search_vector('docs', 'search', '{"id": "A"}', name => 'bad4');
SELECT pgdb_tools.search_vector('docs', 'search', '{"nope": "A"}', name => 'bad5');
SELECT * FROM pgdb_tools.apply_triggers('[{"kind": "search_vector", "tbl": "docs", "column_name": "search", "columns": {"body": "A"}, "config": "klingon"}]');

DROP TABLE docs, articles;
DROP EXTENSION pgdb_tools;
