# The throwaway project test/e2e/django.sh runs docs/django.md's recipes in. Connection from the
# environment: PGHOST (a socket directory works), PGPORT, DJANGO_DB_NAME, DJANGO_DB_USER.
import os

SECRET_KEY = "pgdb_tools docs test"
INSTALLED_APPS = ["pgdb", "shop"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ["PGHOST"],
        "PORT": os.environ["PGPORT"],
        "NAME": os.environ["DJANGO_DB_NAME"],
        "USER": os.environ["DJANGO_DB_USER"],
        # manage.py test copies this database, made by a superuser with the extension in it.
        "TEST": {"TEMPLATE": os.environ["DJANGO_DB_NAME"] + "_template"},
    }
}
