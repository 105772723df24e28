"""A protocol's audit history as the dashboard's station page shows it: each core audit event of the
protocol with a translated label for its action, its states and the actor's role."""

from django.utils.translation import gettext_lazy as _

from territory.models import Membership

from .models import ProtocolState

ACTION_LABELS = {
    "protocol.start_first": _("first entry started"),
    "protocol.save_draft": _("entry draft saved"),
    "protocol.finish_first": _("first entry finished"),
    "protocol.abandon_first": _("first entry abandoned"),
    "protocol.start_second": _("second entry started"),
    "protocol.abandon_second": _("second entry abandoned"),
    "protocol.finish_second_equal": _("second entry finished: both entries agree"),
    "protocol.finish_second_different": _("second entry finished: the entries differ"),
    "protocol.resolve_keep_entry": _("discrepancy resolved: an entry kept"),
    "protocol.resolve_corrected": _("discrepancy resolved: corrected figures"),
    "protocol.resolve_discard_both": _("discrepancy resolved: both entries discarded"),
    "protocol.certify": _("certified"),
    "protocol.reopen": _("reopened"),
    "protocol.fixture_loaded": _("loaded by the development tools"),
}
STATE_LABELS = dict(ProtocolState.choices)
ROLE_LABELS = {**dict(Membership.Role.choices), "superuser": _("superuser"), "system": _("system")}


def history_rows(events):
    """Rows (when, action, from, to, who, role, commission, reason) of audit events, in their order."""
    return [
        {
            "when": e.created_at,
            "action": ACTION_LABELS.get(e.action, e.action),
            "from": STATE_LABELS.get(e.from_state, e.from_state),
            "to": STATE_LABELS.get(e.to_state, e.to_state),
            "who": e.actor_name,
            "role": ROLE_LABELS.get(e.actor_role, e.actor_role),
            "commission": e.commission,
            "reason": e.reason,
        }
        for e in events
    ]
