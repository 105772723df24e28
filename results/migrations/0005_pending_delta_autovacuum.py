"""The pending-delta queue is vacuumed by row count, not by size (PostgreSQL): every delta run
deletes what it consumes, and a queue index full of dead entries slows the next consumption.
Autovacuum's default (20% of the table) lets a busy queue grow far before it is cleaned."""

from django.db import migrations

SETTINGS = "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000"


def tune(apps, schema_editor, reset=False):
    if schema_editor.connection.vendor != "postgresql":
        return
    if reset:
        schema_editor.execute(
            "ALTER TABLE results_pendingdelta RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)"
        )
    else:
        schema_editor.execute(f"ALTER TABLE results_pendingdelta SET ({SETTINGS})")


class Migration(migrations.Migration):
    dependencies = [("results", "0004_pending_deltas")]

    operations = [
        migrations.RunPython(tune, lambda apps, se: tune(apps, se, reset=True), elidable=False),
    ]
