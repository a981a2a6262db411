from django.db import migrations


class Migration(migrations.Migration):
    # run_maintenance_proc commits after each set: it cannot run inside a transaction block.
    atomic = False
    dependencies = [("shop", "0002_event_partitioned")]
    operations = [
        migrations.RunSQL("CALL pgdb_tools.run_maintenance_proc()", migrations.RunSQL.noop),
    ]
