from django.db import migrations
from django.db.models import F


def to_cents(apps, schema_editor):
    apps.get_model("shop", "Order").objects.update(total=F("total") * 100)


class Migration(migrations.Migration):
    dependencies = [("shop", "0004_triggers")]
    operations = [
        # Forward: a snapshot first. Backward: put the tables back as they were, drop the snapshot.
        migrations.RunSQL(
            "SELECT pgdb_tools.snapshot_create('shop_0005', "
            "ARRAY['shop_order', 'shop_orderline']::regclass[], note => 'before 0005')",
            reverse_sql=[
                "SELECT * FROM pgdb_tools.snapshot_restore('shop_0005')",
                "SELECT pgdb_tools.snapshot_drop('shop_0005')",
            ],
        ),
        migrations.RunPython(to_cents, migrations.RunPython.noop),
    ]
