"""The history of a candidacy or a term of office as its readers see it: audit events with the
action and the states named in the reader's language, and the reason the system gave rendered
from its codes (a reason a person typed is shown as typed)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..models import Candidacy, EndReason
from ..reasons import render_failures

# The audit actions that reach these histories. An action not listed shows its code.
ACTION_LABELS = {
    "registry.nominate": _("Nomination received"),
    "registry.update_documents": _("Documents updated"),
    "registry.register": _("Candidate registered"),
    "registry.register_for_runoff": _("Candidate registered for the runoff"),
    "registry.refuse": _("Registration refused"),
    "registry.withdraw": _("Candidacy withdrawn"),
    "registry.deregister": _("Registration cancelled"),
    "registry.open_term_of_office": _("Term of office opened"),
    "registry.complete_term": _("Term of office completed"),
    "registry.terminate_term": _("Term of office ended early"),
}

TERM_STATES = {"in_office": _("in office"), "ended": _("ended")}


@dataclass(frozen=True)
class HistoryRow:
    created_at: object
    who: str
    action: str
    code: str
    from_state: str
    to_state: str
    reason: str


def _label(labels, value):
    return str(labels.get(value, value)) if value else ""


def _written_in_some_language(text, label):
    """Whether `text` is `label` as one of the site's languages writes it (the service used to store
    the label, rendered in the language of the day, as the reason)."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if text == str(label):
                return True
    return False


def event_reason(event):
    """The reason of an event in the active language. A refusal for failed requirements carries them
    as codes and values (data["failures"]); before they were stored that way, its reason was those
    failures' messages joined, as written then, and is rendered again from the codes. An early end
    of a term names its legal ground (data["end_reason"]); its reason text, when it is only that
    ground's label, is shown in the reader's language."""
    data = event.data if isinstance(event.data, dict) else {}
    failures = data.get("failures")
    if event.action == "registry.refuse" and isinstance(failures, list) and failures:
        written = "; ".join(str(f.get("message", "")) for f in failures if isinstance(f, dict))
        if not event.reason or event.reason == written:
            return render_failures(failures)
    end_reason = data.get("end_reason")
    if end_reason in EndReason.values:
        label = EndReason(end_reason).label
        if not event.reason or _written_in_some_language(event.reason, label):
            return str(label)
    return event.reason


def history_rows(events, state_labels):
    """Rows for the history table of one object: `state_labels` names its states ({value: label})."""
    return [
        HistoryRow(
            created_at=event.created_at,
            who=event.actor_name or event.actor_role,
            action=_label(ACTION_LABELS, event.action),
            code=event.action,
            from_state=_label(state_labels, event.from_state),
            to_state=_label(state_labels, event.to_state),
            reason=event_reason(event),
        )
        for event in events
    ]


def candidacy_history(events):
    return history_rows(events, dict(Candidacy.Status.choices))


def term_history(events):
    return history_rows(events, TERM_STATES)
