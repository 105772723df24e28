"""manage.py audit_checkpoint: sign a checkpoint of the audit trail now, export one, or make a key.

    manage.py audit_checkpoint                       # sign and store a checkpoint of the trail as it is
    manage.py audit_checkpoint --export FILE         # write the latest one (or --id N) as JSON
    manage.py audit_checkpoint --export - --no-heads # to stdout, without the list of chain heads
    manage.py audit_checkpoint --new-key             # print a new AUDIT_SIGNING_KEY and its public key

The exported JSON holds the size, the chains, the cut, the Merkle root, the time, the Ed25519
signature and public key, and (unless --no-heads) every chain's head, so that `verify_audit
--checkpoint FILE` can later name the chain that differs.
"""

import json
import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import checkpoints
from core.commands import LocalizedCommand, number
from core.models import AuditCheckpoint


class Command(LocalizedCommand):
    help = gettext_lazy("Sign a checkpoint of the audit trail, export one as JSON, or make a new signing key.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--export", metavar="FILE", help=gettext_lazy("Write a checkpoint as JSON to FILE ('-': stdout).")
        )
        parser.add_argument(
            "--id", type=int, help=gettext_lazy("The checkpoint to export (default: the latest; made if none).")
        )
        parser.add_argument(
            "--no-heads", action="store_true", help=gettext_lazy("Leave the chain heads out of the export.")
        )
        parser.add_argument(
            "--new-key", action="store_true", help=gettext_lazy("Print a new Ed25519 key pair and exit.")
        )

    def handle(self, *args, **options):
        if options["new_key"]:
            private, public = checkpoints.new_key_pair()
            self.stdout.write(f"AUDIT_SIGNING_KEY={private}")
            self.stdout.write(f"AUDIT_PUBLIC_KEY={public}")
            return
        try:
            if options["export"] is None:
                checkpoint = checkpoints.make_checkpoint(AuditCheckpoint.Occasion.MANUAL)
                self._describe(checkpoint)
                return
            if options["id"] is not None:
                checkpoint = AuditCheckpoint.objects.filter(pk=options["id"]).first()
                if checkpoint is None:
                    raise CommandError(_("There is no checkpoint %(id)d.") % {"id": options["id"]})
            else:
                checkpoint = AuditCheckpoint.objects.order_by("-id").first() or checkpoints.make_checkpoint(
                    AuditCheckpoint.Occasion.MANUAL
                )
        except (checkpoints.SigningKeyMissing, checkpoints.SigningKeyInvalid) as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(checkpoints.export(checkpoint, with_chains=not options["no_heads"]), indent=1)
        if options["export"] == "-":
            sys.stdout.write(text + "\n")
            return
        with open(options["export"], "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        self._describe(checkpoint, exported_to=options["export"])

    def _describe(self, checkpoint, exported_to=None):
        values = {
            "id": checkpoint.pk,
            "size": number(checkpoint.size),
            "chains": number(checkpoint.chains),
            "root": checkpoint.root,
            "key": checkpoint.public_key,
        }
        self.stdout.write(
            _("checkpoint #%(id)s: %(size)s events in %(chains)s chains, root %(root)s, public key %(key)s") % values
        )
        if exported_to:
            self.stdout.write(_("written to %(path)s") % {"path": exported_to})
