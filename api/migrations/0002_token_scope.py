# Issue 17: a token carries the territory it was issued with. Existing tokens get theirs here:
# with a region -> "region"; of a user in the auditors group -> "national"; of a user holding exactly
# one active commission seat today -> that commission; any other (staff without a seat, several
# seats) -> "commission" with no seat, which never authenticates (re-issue it with `issue_token`).

import datetime

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def assign_scopes(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    Membership = apps.get_model("territory", "Membership")
    db = schema_editor.connection.alias
    today = datetime.date.today()
    for token in ApiToken.objects.using(db).select_related("user"):
        commission_id = None
        if token.scope_unit_id:
            scope = "region"
        elif token.user.groups.filter(name="auditors").exists():
            scope = "national"
        else:
            scope = "commission"
            seats = set(
                Membership.objects.using(db)
                .filter(user_id=token.user_id)
                .filter(Q(active_from__isnull=True) | Q(active_from__lte=today))
                .filter(Q(active_to__isnull=True) | Q(active_to__gte=today))
                .values_list("commission_id", flat=True)
            )
            commission_id = seats.pop() if len(seats) == 1 else None
        ApiToken.objects.using(db).filter(pk=token.pk).update(scope=scope, scope_commission_id=commission_id)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("territory", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[
                    ("national", "national"),
                    ("region", "one region"),
                    ("commission", "a commission's territory"),
                ],
                default="commission",
                editable=False,
                max_length=20,
                verbose_name="territory",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scope_commission",
            field=models.ForeignKey(
                blank=True,
                help_text="For a commission member's token: the seat that backs it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territory.commission",
                verbose_name="commission",
            ),
        ),
        migrations.RunPython(assign_scopes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("scope", "national"), ("scope_commission__isnull", True), ("scope_unit__isnull", True)),
                    models.Q(("scope", "region"), ("scope_commission__isnull", True), ("scope_unit__isnull", False)),
                    models.Q(("scope", "commission"), ("scope_unit__isnull", True)),
                    _connector="OR",
                ),
                name="token_scope_consistent",
            ),
        ),
    ]
