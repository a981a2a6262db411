-- fsm(): the state column may only move along the declared transitions.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP TYPE IF EXISTS order_state;
RESET client_min_messages;
CREATE EXTENSION pgdb_tools;

CREATE TABLE articles (id int PRIMARY KEY, status text, title text);
INSERT INTO articles VALUES (1, 'draft', 'a'), (2, 'published', 'b'), (3, NULL, 'c');
SELECT pgdb_tools.fsm('articles', 'status', '{"draft": ["published"], "published": ["archived", "draft"]}');
-- it is installed to fire only when the column changes
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'pgdb_fsm_articles';

UPDATE articles SET status = 'published' WHERE id = 1;
UPDATE articles SET status = 'archived' WHERE id = 1;
UPDATE articles SET title = 'still archived' WHERE id = 1;  -- no state change: allowed
\set VERBOSITY sqlstate
UPDATE articles SET status = 'draft' WHERE id = 1;
\set VERBOSITY default
UPDATE articles SET status = 'draft' WHERE id = 1;
UPDATE articles SET status = 'deleted' WHERE id = 2;
UPDATE articles SET status = NULL WHERE id = 2;
UPDATE articles SET status = 'draft' WHERE id = 3;
SELECT * FROM articles ORDER BY id;

-- enum state columns, and a condition combined with the state change test
CREATE TYPE order_state AS ENUM ('new', 'paid', 'shipped', 'cancelled');
CREATE TABLE orders (id int PRIMARY KEY, state order_state NOT NULL, vip boolean);
INSERT INTO orders VALUES (1, 'new', false), (2, 'new', true);
SELECT pgdb_tools.fsm('orders', 'state', '{"new": ["paid", "cancelled"], "paid": ["shipped"]}',
                      condition => 'NOT NEW.vip');
UPDATE orders SET state = 'shipped' WHERE id = 1;
UPDATE orders SET state = 'shipped' WHERE id = 2;  -- the condition exempts VIP orders
UPDATE orders SET state = 'paid' WHERE id = 1;
SELECT * FROM orders ORDER BY id;

-- errors
SELECT pgdb_tools.fsm('articles', 'status', '{}');
SELECT pgdb_tools.fsm('articles', 'status', '{"draft": "published"}');
SELECT pgdb_tools.fsm('articles', 'status', '["draft"]');
SELECT pgdb_tools.fsm('articles', 'nope', '{"a": ["b"]}');

DROP TABLE articles, orders;
DROP TYPE order_state;
DROP EXTENSION pgdb_tools;
