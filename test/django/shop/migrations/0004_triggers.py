from django.db import migrations


def trigger(sql, table, name):
    """One trigger per operation, reversed by dropping exactly that trigger."""
    return migrations.RunSQL(
        sql, reverse_sql=f"SELECT pgdb_tools.drop_trigger('{table}', '{name}')"
    )


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_maintenance")]
    operations = [
        trigger("""SELECT pgdb_tools.protect('shop_order', '{DELETE}', 'paid orders are kept',
                                             condition => $$OLD.status = 'paid'$$)""",
                "shop_order", "pgdb_protect_shop_order"),
        trigger("SELECT pgdb_tools.soft_delete('shop_order', 'is_active')",
                "shop_order", "pgdb_soft_delete_shop_order"),
        trigger("SELECT pgdb_tools.soft_delete('shop_orderline', 'is_active')",
                "shop_orderline", "pgdb_soft_delete_shop_orderline"),
        trigger("SELECT pgdb_tools.row_version('shop_order')",
                "shop_order", "pgdb_row_version_shop_order"),
    ]
