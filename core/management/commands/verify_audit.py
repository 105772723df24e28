"""manage.py verify_audit: walk every audit hash chain and check the trail against signed checkpoints.

Exit 1 when anything is wrong, each finding on its own line of stderr naming what differs:
- an event whose stored content no longer hashes to its stored hash (an update made with the
  trigger disabled), one that does not link to the event before it, or one in the wrong chain;
- against the latest stored checkpoint and, with `--checkpoint FILE`, against one exported
  earlier (`audit_checkpoint --export`): a truncated table, a removed tail of a chain, a forged
  event (a chain head rewritten with a recomputed hash), an inserted event, an altered checkpoint
  (its signature or its list of heads no longer matches) or one signed by another key.
"""

import sys
import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import checkpoints
from core.audit import LEGACY_STREAM, chain_breaks
from core.commands import LocalizedCommand, number
from core.models import AuditCheckpoint

_BREAK_MESSAGES = {
    "altered": gettext_noop(
        "altered: event %(id)d (chain %(chain)s, %(action)s): its stored content no longer hashes to its "
        "stored hash %(hash)s"
    ),
    "unlinked": gettext_noop(
        "unlinked: event %(id)d (chain %(chain)s, %(action)s) does not follow the event before it in its "
        "chain (one was removed before it, or it was inserted)"
    ),
    "misplaced": gettext_noop(
        "misplaced: event %(id)d (%(action)s) sits in chain %(chain)s, not in its object's chain"
    ),
}


class Command(LocalizedCommand):
    help = gettext_lazy("Verify the audit trail's hash chains and check it against the latest signed checkpoint.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            action="append",
            default=[],
            help=gettext_lazy(
                "Also check against this exported checkpoint (JSON of audit_checkpoint --export); repeatable."
            ),
        )
        parser.add_argument(
            "--public-key",
            default=None,
            metavar="KEY",
            help=gettext_lazy(
                "The published public key (base64) every checkpoint must be signed with "
                "(default: AUDIT_PUBLIC_KEY, else the key of AUDIT_SIGNING_KEY)."
            ),
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            claims = [checkpoints.Claim.from_file(path) for path in options["checkpoint"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(_("Cannot read the checkpoint: %(error)s") % {"error": exc}) from exc
        count, breaks = chain_breaks()
        findings = []
        for kind, event in breaks:
            findings.append(
                _(_BREAK_MESSAGES[kind])
                % {
                    "id": event.pk,
                    "chain": event.stream if event.stream != LEGACY_STREAM else _("(legacy chain)"),
                    "action": event.action,
                    "hash": event.hash,
                }
            )
        latest = AuditCheckpoint.objects.order_by("-id").first()
        if latest is not None:
            claims.insert(0, checkpoints.Claim.from_stored(latest))
        trusted = options["public_key"] or checkpoints.trusted_public_key()
        for claim in claims:
            findings += [finding.message for finding in checkpoints.verify_claim(claim, trusted_key=trusted)]
        seconds = time.monotonic() - started
        if findings:
            if breaks:
                # The first line as before, for scripts that read it.
                self.stderr.write(_("broken at record %(id)d") % {"id": breaks[0][1].pk})
            for line in findings:
                self.stderr.write(line)
            self.stderr.write(
                _("audit trail NOT intact: %(problems)s finding(s); %(count)s records verified in %(seconds)s s")
                % {"problems": number(len(findings)), "count": number(count), "seconds": number(seconds, 1)}
            )
            sys.exit(1)
        self.stdout.write(_("audit chain intact: %(count)s records verified") % {"count": number(count)})
        for claim in claims:
            self.stdout.write(
                _("extends %(what)s: %(size)s events in %(chains)s chains up to event %(cut)s, root %(root)s")
                % {
                    "what": claim.source,
                    "size": number(claim.size),
                    "chains": number(claim.chains),
                    "cut": claim.last_event_id,
                    "root": claim.root,
                }
            )
        if latest is None:
            self.stderr.write(_("no stored checkpoint yet: only the chains were checked (manage.py audit_checkpoint)"))
