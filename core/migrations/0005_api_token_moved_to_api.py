# The ApiToken model moved to the `api` app (issue 18): removed from core's state only; its table,
# core_apitoken, and its rows stay, and api.0001_initial takes them over.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_streams"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
    ]
