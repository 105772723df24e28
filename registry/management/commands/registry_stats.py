"""`manage.py registry_stats --election ID [--json]`: the registered-candidate statistics of an election."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry.models import Election
from registry.stats import breakdowns, election_stats


class Command(BaseCommand):
    help = "Statistics of registered candidates: by region, nomination type, party, sex, education, age."

    def add_arguments(self, parser):
        parser.add_argument("--election", type=int, required=True, help="Election id.")
        parser.add_argument("--json", action="store_true", help="Print the stable JSON form for scripts.")

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
        out(f"{election}")
        out(_("contests: %(contests)s, registered candidates: %(registered)s") % stats)
        out(_("self-nominated: %(self_nominated)s (%(self_nominated_percent)s%%)") % stats)
        out(_("party-nominated: %(party_nominated)s (%(party_nominated_percent)s%%)") % stats)
        for party, n in stats["by_party"].items():
            out(f"  {party}: {n}")
        extra = breakdowns(election)
        out(_("by sex: ") + ", ".join(f"{k}: {v}" for k, v in sorted(extra["by_sex"].items())))
        out(_("by education: ") + ", ".join(f"{k}: {v}" for k, v in sorted(extra["by_education"].items())))
        out(_("contests with fewer than two registered candidates: %(contests_with_fewer_than_two)s") % stats)
        out(_("region  contests  registered  men  women  higher  avg age  youngest  oldest  name"))
        for prefix, r in stats["by_region"].items():
            out(
                f"{prefix:>6}  {r['contests']:>8}  {r['registered']:>10}  {r['men']:>3}  {r['women']:>5}  "
                f"{r['higher_education']:>6}  {r['average_age']!s:>7}  {r['youngest']!s:>8}  {r['oldest']!s:>6}  "
                f"{r['name']}"
            )
