"""docs/django.md's recipes through the ORM, as the application's role (run by test/e2e/django.sh
after `migrate`). Prints what it sees; exits non-zero on the first surprise."""
import os
import sys
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djshop.settings")
django.setup()

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction  # noqa: E402
from shop.models import Event, Order, OrderLine  # noqa: E402


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        sys.exit(1)


def sqlstate(error):
    return getattr(error.__cause__, "pgcode", None)


# row_version and save(): the second save of an instance looks stale ...
cart = Order.objects.create(total=Decimal("1.00"))
cart.total = Decimal("2.00")
cart.save()
check(Order.objects.get(pk=cart.pk).version == 2, "first save: the trigger stored version 2")
cart.total = Decimal("3.00")
try:
    with transaction.atomic():
        cart.save()
    check(False, "second save without a reload should fail")
except OperationalError as e:
    check(sqlstate(e) == "40001", f"second save of the same instance: OperationalError {sqlstate(e)}")
# ... unless the instance reloads the version in the same transaction as its save
with transaction.atomic():
    cart.refresh_from_db(fields=["version"])
    cart.save()
with transaction.atomic():
    cart.refresh_from_db(fields=["version"])
    cart.save()
stored = Order.objects.get(pk=cart.pk)
check(stored.version == 4 and stored.total == Decimal("3.00"),
      f"refresh_from_db(fields=['version']) then save(), twice: version {stored.version}")

# soft_delete with on_delete=CASCADE: Django deletes the lines, then the order; both are kept
order = Order.objects.create()
OrderLine.objects.create(order=order)
OrderLine.objects.create(order=order)
pk = order.pk
deleted, _ = order.delete()  # Django then sets order.pk to None, as for a row really deleted
kept = Order.objects.get(pk=pk)
lines = OrderLine.objects.filter(order_id=pk)
check(not kept.is_active and lines.count() == 2 and not any(l.is_active for l in lines),
      f"order.delete(): order and its 2 lines kept, marked inactive (delete() counted {deleted})")
check(Order.objects.filter(is_active=True, pk=pk).count() == 0, "filter(is_active=True) hides it")

# a refusal caught by SQLSTATE class: protect on paid orders
paid = Order.objects.create(status="paid")
OrderLine.objects.create(order=paid)
try:
    with transaction.atomic():
        paid.delete()
    check(False, "deleting a paid order should be refused")
except DatabaseError as e:
    code = sqlstate(e)
    check(isinstance(e, IntegrityError) and code == "23000",
          f"paid.delete(): {type(e).__name__}, SQLSTATE {code}")
    check(getattr(e.__cause__.diag, "message_primary", "") == "paid orders are kept",
          "the refusal carries protect's message")
check(Order.objects.get(pk=paid.pk).is_active and paid.lines.get().is_active,
      "the refused delete() rolled back: the lines' marks too")

# the partitioned event table, through the ORM
Event.objects.create(kind="signup", created_at=django.utils.timezone.now())
with connection.cursor() as cur:
    cur.execute("SELECT count(*), count(*) FILTER (WHERE tableoid = 'shop_event_default'::regclass)"
                " FROM shop_event")
    rows, in_default = cur.fetchone()
    cur.execute("SELECT count(*) FROM pgdb_tools.partitions('shop_event')")
    partitions = cur.fetchone()[0]
check(rows == 3 and in_default == 0 and partitions > 4,
      f"shop_event: {rows} events in {partitions} partitions, none in the default")
