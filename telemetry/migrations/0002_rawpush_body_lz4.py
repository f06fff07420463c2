"""Compress raw push bodies with lz4 on PostgreSQL, which costs the server less CPU than pglz."""

from django.db import migrations


def use_lz4(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'"
            " AND 'lz4' = ANY(enumvals)"
        )
        if cursor.fetchone():
            schema_editor.execute(
                "ALTER TABLE telemetry_rawpush ALTER COLUMN body SET COMPRESSION lz4"
            )


class Migration(migrations.Migration):
    dependencies = [("telemetry", "0001_initial")]

    operations = [migrations.RunPython(use_lz4, migrations.RunPython.noop, elidable=True)]
