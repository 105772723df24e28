"""manage.py verify_audit: walk the audit hash chain; exit 1 at the first broken record."""

import sys

from django.core.management.base import BaseCommand

from core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail."

    def handle(self, *args, **options):
        count, broken = verify_chain()
        if broken is not None:
            self.stderr.write(f"broken at record {broken}")
            sys.exit(1)
        self.stdout.write(f"audit chain intact: {count} records verified")
