from django.db import models


class Order(models.Model):
    status = models.CharField(max_length=20, default="draft")
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    is_active = models.BooleanField(default=True)  # soft_delete clears it
    version = models.IntegerField(default=1)  # row_version keeps it


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    qty = models.IntegerField(default=1)
    is_active = models.BooleanField(default=True)


class Event(models.Model):
    created_at = models.DateTimeField()
    kind = models.CharField(max_length=20)
