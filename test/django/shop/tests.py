from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from .models import Order


class PgdbToolsInTests(TestCase):
    """Runs in the test database Django copies from the template that has the extension."""

    def test_extension_is_there(self):
        with connection.cursor() as cur:
            cur.execute("SELECT pgdb_tools.version()")
            self.assertTrue(cur.fetchone()[0])

    def test_paid_orders_are_kept(self):
        paid = Order.objects.create(status="paid")
        with self.assertRaises(DatabaseError):
            with transaction.atomic():
                paid.delete()
        self.assertTrue(Order.objects.filter(pk=paid.pk, is_active=True).exists())
