from django.db import migrations


class Migration(migrations.Migration):
    # A superuser ran CREATE EXTENSION pgdb_tools in the database (and in the test template):
    # this is a no-op for the application's role, and states the dependency for every app.
    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pgdb_tools", migrations.RunSQL.noop),
    ]
