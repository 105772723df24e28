"""`manage.py registry_stats --election ID [--json]`: the registered-candidate statistics of an election."""

import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand, number, table
from registry.models import Election
from registry.models.people import Education, Sex
from registry.stats import breakdowns, election_stats

REGION_COLUMNS = (
    gettext_lazy("region"),
    gettext_lazy("contests"),
    gettext_lazy("registered"),
    gettext_lazy("men"),
    gettext_lazy("women"),
    gettext_lazy("higher"),
    gettext_lazy("avg age"),
    gettext_lazy("youngest"),
    gettext_lazy("oldest"),
    gettext_lazy("name"),
)


def region_table(by_region):
    """The per-region table: figures right-aligned under headers in the active language."""
    rows = [
        (
            prefix,
            number(r["contests"]),
            number(r["registered"]),
            number(r["men"]),
            number(r["women"]),
            number(r["higher_education"]),
            "-" if r["average_age"] is None else number(r["average_age"], 1),
            "-" if r["youngest"] is None else number(r["youngest"]),
            "-" if r["oldest"] is None else number(r["oldest"]),
            r["name"],
        )
        for prefix, r in by_region.items()
    ]
    return table(REGION_COLUMNS, rows, right=range(1, 9), indent="")


def _labelled(counts, choices):
    labels = dict(choices.choices)
    return ", ".join(f"{labels.get(code, code)}: {number(n)}" for code, n in sorted(counts.items()))


class Command(LocalizedCommand):
    help = gettext_lazy("Statistics of registered candidates: by region, nomination type, party, sex, education, age.")

    def add_arguments(self, parser):
        parser.add_argument("--election", type=int, required=True, help=gettext_lazy("Election id."))
        parser.add_argument("--json", action="store_true", help=gettext_lazy("Print the stable JSON form for scripts."))

    def handle(self, *args, **options):
        try:
            election = Election.objects.get(pk=options["election"])
        except Election.DoesNotExist as exc:
            raise CommandError(_("No election with id %(id)s.") % {"id": options["election"]}) from exc
        stats = election_stats(election)
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2))
            return
        out = self.stdout.write
        shown = {key: number(value) if isinstance(value, int) else value for key, value in stats.items()}
        for key in ("self_nominated_percent", "party_nominated_percent"):
            shown[key] = number(stats[key], 1)
        out(f"{election}")
        out(_("contests: %(contests)s, registered candidates: %(registered)s") % shown)
        out(_("self-nominated: %(self_nominated)s (%(self_nominated_percent)s%%)") % shown)
        out(_("party-nominated: %(party_nominated)s (%(party_nominated_percent)s%%)") % shown)
        for party, n in stats["by_party"].items():
            out(f"  {party}: {number(n)}")
        extra = breakdowns(election)
        out(_("by sex: ") + _labelled(extra["by_sex"], Sex))
        out(_("by education: ") + _labelled(extra["by_education"], Education))
        out(_("contests with fewer than two registered candidates: %(contests_with_fewer_than_two)s") % shown)
        for line in region_table(stats["by_region"]):
            out(line)
