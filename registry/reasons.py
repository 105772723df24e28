"""Reasons the system gives (failed eligibility requirements), rendered in the reader's language.

A refusal for failed requirements is stored as codes and values (`Candidacy.reason_failures`, the
`failures` of the audit record), never as text: the commission's member reads it in Kazakh, the
auditor's program in the API reads the codes, a Russian page shows Russian. `render_failure` is the
one place that turns (code, values) into words, at the moment it is shown: translated by gettext
then, with numbers and dates formatted for the active language. A reason a person typed is shown
as typed (`reason_text`).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext, ngettext

from .models.people import Education, Person


def number(value):
    """An integer or a decimal as the active language writes it: 1,001 / 1 001; 2.50 / 2,50."""
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    decimal_pos = -value.as_tuple().exponent if isinstance(value, Decimal) else None
    return formats.number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


def day(value):
    """An ISO date ("2017-08-10") in the active language's date format; None is an open end (…)."""
    if not value:
        return "…"
    try:
        return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value)


def _education(value):
    return Education(value).label if value in Education.values else value


def _qualification(values):
    state = values.get("qualification")
    if state == Person.Qualification.NOT_CHECKED:
        return gettext("The civil-service qualification check has not been done.")
    if state == Person.Qualification.FAILED:
        return gettext("The candidate has failed the civil-service qualification check.")
    return gettext("The civil-service qualification check is not passed (%(state)s).") % {"state": state}


def _age(values):
    age = values["age"]
    return ngettext(
        "The candidate is %(age)s year old on election day; the minimum age is %(min)s.",
        "The candidate is %(age)s years old on election day; the minimum age is %(min)s.",
        age,
    ) % {"age": number(age), "min": number(values["min_age"])}


def _terms(values):
    held = values["terms"]
    text = ngettext(
        "The candidate has held this post for %(n)s term; the limit is %(limit)s.",
        "The candidate has held this post for %(n)s terms; the limit is %(limit)s.",
        held,
    ) % {"n": number(held), "limit": number(values["term_limit"])}
    listed = values.get("terms_held")
    if listed:
        periods = ", ".join(f"{day(start)} – {day(end)}" for start, end in listed)
        text += " " + gettext("Terms: %(terms)s.") % {"terms": periods}
    return text


def _signatures(values):
    return gettext(
        "Valid signatures: %(valid)s; a self-nominee needs %(required)s "
        "(%(percent)s%% of the %(voters)s voters on the lists)."
    ) % {
        "valid": number(values["signatures_valid"]),
        "required": number(values["signatures_required"]),
        "percent": number(values["threshold_percent"]),
        "voters": number(values["contest_voters"]),
    }


def _education_text(values):
    return gettext("Education '%(actual)s' is below the required '%(required)s'.") % {
        "actual": _education(values["education"]),
        "required": _education(values["min_education"]),
    }


# code -> values -> text in the active language. The codes are those of registry.eligibility.
RENDERERS = {
    "not_citizen": lambda values: gettext("The candidate is not a citizen of Kazakhstan."),
    "age_below_minimum": _age,
    "education_below_minimum": _education_text,
    "qualification_not_passed": _qualification,
    "criminal_record": lambda values: gettext("The candidate has an unexpunged criminal record."),
    "corruption_offence": lambda values: gettext("The candidate has committed a corruption offence."),
    "term_limit_reached": _terms,
    "signatures_insufficient": _signatures,
    "deposit_not_paid": lambda values: gettext("The election deposit has not been paid."),
}


def render_failure(code, values=None):
    """The text of one failed requirement in the active language. A code this version does not know
    (or values missing) is shown as the code itself rather than failing the page that shows it."""
    render = RENDERERS.get(code)
    if render is None:
        return code
    try:
        return render(values or {})
    except (KeyError, TypeError, ValueError):
        return code


def render_failures(failures):
    """Stored failures ([{"code": ..., "values": {...}}, ...]) as one text, in the active language
    (each failure is a sentence of its own)."""
    return " ".join(render_failure(f.get("code", ""), f.get("values")) for f in failures or ())


def reason_text(reason, failures):
    """The reason to show: the typed one as typed, else the failed requirements in the reader's language."""
    return reason or render_failures(failures)


def stored(failures):
    """eligibility.Failure objects as they are stored: codes and values, no text."""
    return [{"code": f.code, "values": f.values} for f in failures]
