from django.db import migrations

# The model's table becomes a monthly partition set with the same name, columns and id sequence;
# its rows move over. The primary key must include the partition key: (id, created_at).
TO_PARTITIONED = """
ALTER TABLE shop_event RENAME TO shop_event_old;
ALTER TABLE shop_event_old RENAME CONSTRAINT shop_event_pkey TO shop_event_old_pkey;
CREATE TABLE shop_event (LIKE shop_event_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
                         PRIMARY KEY (id, created_at))
  PARTITION BY RANGE (created_at);
ALTER SEQUENCE shop_event_id_seq OWNED BY shop_event.id;
SELECT pgdb_tools.create_partitioned(
  'shop_event', 'created_at', '1 month', premake => 3,
  start_at => (SELECT min(created_at) FROM shop_event_old)::text);
INSERT INTO shop_event SELECT * FROM shop_event_old;
DROP TABLE shop_event_old;
"""


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunSQL(TO_PARTITIONED)]  # no reverse_sql: irreversible
