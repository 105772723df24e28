# ApiToken, moved here from core (issue 18): the model enters the api app's state over the table it
# already has (core_apitoken, created by core.0003_api_token), with its rows; no table is created.
# The content type follows the model, so that permissions given on tokens stay given.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="api", model="apitoken").exists():
        ContentType.objects.using(db).filter(app_label="core", model="apitoken").update(app_label="api")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="core", model="apitoken").exists():
        ContentType.objects.using(db).filter(app_label="api", model="apitoken").update(app_label="core")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_api_token_moved_to_api"),
        ("territory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(blank=True, help_text="What the token is for.", max_length=200, verbose_name="note")),
                        ("key_prefix", models.CharField(db_index=True, editable=False, max_length=12, verbose_name="token prefix")),
                        ("key_hash", models.CharField(editable=False, max_length=64, unique=True, verbose_name="token SHA-256")),
                        ("created_at", models.DateTimeField(editable=False, verbose_name="issued at")),
                        ("expires_at", models.DateTimeField(verbose_name="expires at")),
                        ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked at")),
                        ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used at")),
                        ("created_by", models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="issued by")),
                        ("scope_unit", models.ForeignKey(blank=True, help_text="Leave empty for a national auditor.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="territory.adminunit", verbose_name="region")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to=settings.AUTH_USER_MODEL, verbose_name="auditor")),
                    ],
                    options={
                        "verbose_name": "API token",
                        "verbose_name_plural": "API tokens",
                        "db_table": "core_apitoken",
                        "ordering": ["-created_at"],
                        "constraints": [models.CheckConstraint(condition=models.Q(("expires_at__gt", models.F("created_at"))), name="token_expires_later")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
