"""Candidacy.reason_failures: a refusal for failed requirements keeps their codes and values.

Existing refusals whose reason is the text the system wrote (the failed requirements rendered in
the language of the day, joined by "; ") get their codes and values back and an empty `reason`;
a reason somebody typed stays as typed. The system's text is recognised by the refusal's own audit
record (`registry.refuse`), which lists the failures it was made of, each with the code, the values
and the message as written then: the reason is system-made when it is exactly those messages
joined. The audit trail itself is not touched (it is append-only). Going back writes the old text
again, from the same record.
"""

from django.db import migrations, models

CANDIDACY = "registry.candidacy"
BATCH = 1000


def _refusal_failures(AuditEvent, candidacy_ids):
    """{candidacy id (str): the failures of its latest refusal record} for these candidacies."""
    found = {}
    events = (
        AuditEvent.objects.filter(object_type=CANDIDACY, object_id__in=candidacy_ids, action="registry.refuse")
        .order_by("id")
        .values_list("object_id", "data")
    )
    for object_id, data in events:
        failures = data.get("failures") if isinstance(data, dict) else None
        found[object_id] = failures if isinstance(failures, list) else None
    return found


def _written_text(failures):
    """The reason the service wrote from these failures, or None when they do not carry their texts."""
    if not failures or not all(isinstance(f, dict) and "code" in f and "message" in f for f in failures):
        return None
    return "; ".join(str(f["message"]) for f in failures)


def _batches(queryset):
    rows = list(queryset)
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def store_codes(apps, schema_editor):
    Candidacy = apps.get_model("registry", "Candidacy")
    AuditEvent = apps.get_model("core", "AuditEvent")
    refused = Candidacy.objects.filter(status="refused").exclude(reason="").only("pk", "reason").order_by("pk")
    for batch in _batches(refused):
        failures_of = _refusal_failures(AuditEvent, [str(c.pk) for c in batch])
        changed = []
        for candidacy in batch:
            failures = failures_of.get(str(candidacy.pk))
            if _written_text(failures) != candidacy.reason:
                continue  # typed by a person, or not recognised: left as it is
            candidacy.reason_failures = [{"code": f["code"], "values": f.get("values") or {}} for f in failures]
            candidacy.reason = ""
            changed.append(candidacy)
        Candidacy.objects.bulk_update(changed, ["reason", "reason_failures"])


def write_text_back(apps, schema_editor):
    Candidacy = apps.get_model("registry", "Candidacy")
    AuditEvent = apps.get_model("core", "AuditEvent")
    coded = Candidacy.objects.filter(reason="").exclude(reason_failures=[]).only("pk", "reason").order_by("pk")
    for batch in _batches(coded):
        failures_of = _refusal_failures(AuditEvent, [str(c.pk) for c in batch])
        changed = []
        for candidacy in batch:
            text = _written_text(failures_of.get(str(candidacy.pk)))
            if text:
                candidacy.reason = text
                changed.append(candidacy)
        Candidacy.objects.bulk_update(changed, ["reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_checkpoints"),
        ("registry", "0006_election_results_within_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidacy",
            name="reason_failures",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The failed requirements given as the reason of a refusal: codes and the values compared.",
                verbose_name="failed requirements",
            ),
        ),
        migrations.RunPython(store_codes, write_text_back, elidable=False),
    ]
