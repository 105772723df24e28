"""Bulk paths: import many nominations at once (all or nothing, with a row report) and register many
candidacies. They apply the same rules and write the same audit records as the one-by-one services,
with bulk writes."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import record_many
from core.errors import DomainError
from territory.models import AdminUnit

from .. import eligibility, errors, iin, selectors
from ..models import Candidacy, Contest, Education, Election, Party, Person
from .candidacy import S, _nomination_data, check_nomination
from .common import NOMINATION_STAGES, check_before, check_stage, role_of
from .people import names_match, people_in_territory

REQUIRED_COLUMNS = ("iin", "surname", "given_name", "unit_kato", "nomination_type")
OPTIONAL_COLUMNS = (
    "patronymic",
    "education",
    "occupation",
    "party",
    "nominated_on",
    "signatures_submitted",
    "signatures_valid",
    "deposit_paid",
    "qualification",
    "qualification_checked_on",
    "qualification_checked_by",
    "criminal_record",
    "corruption_offence",
    "citizen",
    "is_synthetic",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

_TRUE = {"1", "true", "yes", "y", "да", "иә", "x"}
_FALSE = {"", "0", "false", "no", "n", "нет", "жоқ"}


class RowError(Exception):
    def __init__(self, code, message, **values):
        super().__init__(message)
        self.code, self.message, self.values = code, message, values


def _text(row, key):
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _bool(row, key, default=False):
    raw = _text(row, key).lower()
    if raw == "" and default is not None:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise RowError("bad_boolean", _("Column %(col)s: '%(value)s' is not yes/no.") % {"col": key, "value": raw})


# The largest count a PositiveIntegerField holds on every database (PostgreSQL's integer).
MAX_COUNT = 2_147_483_647
# Longest text accepted in a column that is not a Person field (a party's short name, a KATO code...).
MAX_CELL = 300


def _int(row, key):
    """A count: ASCII digits only (no sign, no decimal point, no other script's digits, which int()
    would accept), or a spreadsheet's whole number; at most MAX_COUNT."""
    value = row.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        raw, number = str(value), value
    else:
        raw = _text(row, key)
        if raw == "":
            return 0
        number = int(raw) if raw.isascii() and raw.isdigit() else None
    if number is None or number < 0:
        raise RowError(
            "bad_number",
            _("Column %(col)s: '%(value)s' is not a whole number written in the digits 0-9.")
            % {"col": key, "value": raw[:40]},
        )
    if number > MAX_COUNT:
        raise RowError(
            "number_too_large",
            _("Column %(col)s: %(value)s is larger than %(max)d.") % {"col": key, "value": raw[:40], "max": MAX_COUNT},
        )
    return number


def _cell_limit(column):
    field = _PERSON_COLUMNS.get(column)
    return Person._meta.get_field(field).max_length if field else MAX_CELL


_PERSON_COLUMNS = {
    "surname": "surname",
    "given_name": "given_name",
    "patronymic": "patronymic",
    "occupation": "occupation",
    "qualification_checked_by": "qualification_checked_by",
}


def check_cells(row):
    """Every text cell storable: no NUL character (PostgreSQL refuses it), no longer than its field."""
    for column in COLUMNS:
        value = row.get(column)
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            raise RowError(
                "text_has_nul",
                _("Column %(col)s: contains a NUL character (\\0), which cannot be stored.") % {"col": column},
            )
        limit = _cell_limit(column)
        if len(value.strip()) > limit:
            raise RowError(
                "too_long",
                _("Column %(col)s: %(length)d characters, at most %(limit)d.")
                % {"col": column, "length": len(value.strip()), "limit": limit},
            )


def _date(row, key, default):
    value = row.get(key)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = _text(row, key)
    if raw == "":
        return default
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise RowError("bad_date", _("Column %(col)s: '%(value)s' is not a date.") % {"col": key, "value": raw})


def _iin_text(row):
    value = row.get("iin")
    if isinstance(value, (int, float)):  # spreadsheets drop leading zeros
        value = f"{int(value):012d}"
    return "" if value is None else str(value).strip()


def missing_columns(header):
    present = {str(h).strip().lower() for h in header if h is not None}
    return [c for c in REQUIRED_COLUMNS if c not in present]


def import_nominations(actor, election, rows, *, register=False):
    """Nominate (and, with `register=True`, also register) every row, or nothing.

    `rows` is a list of dicts keyed by COLUMNS. Returns the row report (list of dicts with `row`,
    `status`, `candidacy`); raises ImportRejected with the same report (and `errors` per bad row) if any
    row fails, having written nothing."""
    rows = list(rows)
    with transaction.atomic():
        election = _locked_election(election)
        check_stage(election, NOMINATION_STAGES)
        today = selectors.local_today(election)

        katos = {_text(r, "unit_kato") for r in rows}
        contests = {
            c.unit.kato: c
            for c in Contest.objects.filter(election=election, unit__kato__in=katos).select_related("unit", "election")
        }
        allowed_units = _allowed_unit_ids(actor, [c.unit_id for c in contests.values()])
        parties = {p.short_name: p for p in Party.objects.all()}
        iins = {_iin_text(r) for r in rows}
        people = {p.iin: p for p in Person.objects.filter(iin__in=iins)}
        # Known people a row may name: those in the actor's territory (None: all), and only with the
        # recorded name (issue 17: an IIN alone finds no one).
        reachable = people_in_territory(actor, people.values())
        active_person_ids = set(
            Candidacy.objects.active()
            .filter(election=election, person__iin__in=iins)
            .values_list("person_id", flat=True)
        )
        active_party = set(
            Candidacy.objects.active()
            .filter(election=election, party__isnull=False, contest__in=contests.values())
            .values_list("contest_id", "party_id")
        )

        report, new_people, candidacies, seen_iins, bad = [], [], [], set(), False
        for number, row in enumerate(rows, start=1):
            entry = {"row": number, "iin": iin.mask(_iin_text(row)), "status": "ok", "errors": []}
            report.append(entry)
            try:
                check_cells(row)
                person, is_new = _person_for(row, people, reachable)
                contest = contests.get(_text(row, "unit_kato"))
                if contest is None:
                    raise RowError(
                        "unknown_contest",
                        _("No contest of this election in unit %(kato)s.") % {"kato": _text(row, "unit_kato")},
                    )
                if allowed_units is not None and contest.unit_id not in allowed_units:
                    raise RowError("out_of_scope", str(errors.ContestOutOfScope.default_message))
                check_before(contest.nomination_deadline, errors.NominationDeadlinePassed)
                nomination_type = _text(row, "nomination_type").lower()
                party_name = _text(row, "party")
                party = None
                if party_name:
                    party = parties.get(party_name)
                    if party is None:
                        raise RowError("unknown_party", _("Unknown party '%(name)s'.") % {"name": party_name})
                if person.iin in seen_iins:
                    raise errors.SecondActiveCandidacy(message=_("This IIN appears in an earlier row of the file."))
                check_nomination(
                    contest=contest,
                    person=person,
                    nomination_type=nomination_type,
                    party=party,
                    active_person_ids=active_person_ids,
                    active_party_ids={p for c, p in active_party if c == contest.pk},
                )
                candidacy = Candidacy(
                    person=person,
                    contest=contest,
                    election=election,
                    nomination_type=nomination_type,
                    party=party,
                    nominated_on=_date(row, "nominated_on", today),
                    signatures_required=(
                        eligibility.signatures_required(contest.registered_voters, election.signature_threshold_percent)
                        if nomination_type == "self"
                        else 0
                    ),
                    signatures_submitted=_int(row, "signatures_submitted"),
                    signatures_valid=_int(row, "signatures_valid"),
                    deposit_paid=_bool(row, "deposit_paid"),
                )
                candidacy.deposit_amount = election.deposit_amount if candidacy.deposit_paid else 0
                if candidacy.signatures_valid > candidacy.signatures_submitted:
                    raise RowError("signatures_valid_exceed_submitted", _("More valid signatures than submitted."))
                if candidacy.nominated_on > today:
                    raise RowError("nominated_in_future", _("The nomination date is in the future."))
            except RowError as exc:
                entry["errors"].append({"code": exc.code, "message": str(exc.message)})
            except DomainError as exc:
                entry["errors"].append({"code": exc.code, "message": str(exc.message), "details": exc.details})
            else:
                seen_iins.add(person.iin)
                if party is not None:
                    active_party.add((contest.pk, party.pk))
                if is_new:
                    new_people.append(person)
                    people[person.iin] = person
                candidacies.append((number, candidacy))
                continue
            entry["status"] = "error"
            bad = True
        if bad or not rows:
            if not rows:
                report.append({"row": 0, "status": "error", "errors": [{"code": "empty", "message": _("No rows.")}]})
            raise errors.ImportRejected(details={"rows": [e for e in report if e["status"] == "error"]})

        objs = [candidacy for _number, candidacy in candidacies]
        try:
            with transaction.atomic():
                Person.objects.bulk_create(new_people, batch_size=1000)
                Candidacy.objects.bulk_create(objs, batch_size=1000)
        except IntegrityError as exc:  # a concurrent nomination or import won a race on a constraint
            raise errors.ImportRejected(
                details={"rows": [{"row": 0, "status": "error", "errors": [{"code": "conflict", "message": str(exc)}]}]}
            ) from exc
        entries = [
            {"action": "registry.nominate", "obj": c, "to_state": S.NOMINATED, "data": _nomination_data(c)}
            for c in objs
        ]
        record_many(entries, actor=actor, role=role_of(actor))
        by_row = dict(zip((n for n, _c in candidacies), objs, strict=True))
        for entry in report:
            entry["candidacy"] = by_row[entry["row"]].pk
        if register:
            outcome = register_many(actor, objs)
            if outcome["not_registered"]:
                raise errors.ImportRejected(details={"rows": outcome["not_registered"]})
    return report


def _locked_election(election):
    return Election.objects.select_for_update(of=("self",)).get(pk=election.pk)


def _allowed_unit_ids(actor, unit_ids):
    """Unit ids among `unit_ids` inside the actor's territory, or None when everything is allowed."""
    if actor is None:
        return None
    scope = selectors.registry_scope_for(actor)
    if scope.national:
        return None
    if scope.empty:
        raise errors.NotTerritorialStaff()
    return set(AdminUnit.objects.filter(scope.unit_q(), pk__in=unit_ids).values_list("pk", flat=True))


def _person_for(row, people, reachable=None):
    value = _iin_text(row)
    problems = iin.iin_errors(value)
    if problems:
        raise RowError(problems[0].code, "; ".join(str(p.message) for p in problems))
    surname, given = _text(row, "surname"), _text(row, "given_name")
    if value in people:
        known = people[value]
        in_territory = known.pk is None or reachable is None or known.pk in reachable
        if not (in_territory and names_match(known, surname, given)):
            raise RowError(errors.PersonNotMatched.code, str(errors.PersonNotMatched.default_message))
        return known, False
    if not surname or not given:
        raise RowError("name_required", _("Surname and given name are required."))
    education = _text(row, "education").lower() or Education.NONE
    if education not in Education.values:
        raise RowError(
            "bad_education",
            _("Education must be one of: %(values)s.") % {"values": ", ".join(Education.values)},
        )
    qualification = _text(row, "qualification").lower() or Person.Qualification.NOT_CHECKED
    if qualification not in Person.Qualification.values:
        raise RowError(
            "bad_qualification",
            _("Qualification must be one of: %(values)s.") % {"values": ", ".join(Person.Qualification.values)},
        )
    checked_on = _date(row, "qualification_checked_on", None)
    if qualification != Person.Qualification.NOT_CHECKED and checked_on is None:
        raise RowError("qualification_date_required", _("A qualification check needs its date."))
    person = Person(
        iin=value,
        surname=surname,
        given_name=given,
        patronymic=_text(row, "patronymic"),
        education=education,
        occupation=_text(row, "occupation"),
        citizen=_bool(row, "citizen", default=True),
        qualification=qualification,
        qualification_checked_on=checked_on,
        qualification_checked_by=_text(row, "qualification_checked_by"),
        has_criminal_record=_bool(row, "criminal_record"),
        has_corruption_offence=_bool(row, "corruption_offence"),
        is_synthetic=_bool(row, "is_synthetic"),
    )
    person.derive_from_iin()
    return person, True


def register_many(actor, candidacies):
    """Register every given nominated candidacy that meets the rules, in one transaction. Returns
    {"registered": [pk...], "not_registered": [{"candidacy": pk, "code": ..., "errors": [...]}]}.
    Those not registered are left unchanged (the commission refuses them one by one, with reasons)."""
    pks = [c.pk for c in candidacies]
    with transaction.atomic():
        locked = list(
            Candidacy.objects.select_for_update(of=("self",))
            .filter(pk__in=pks)
            .select_related("person", "contest__election", "contest__unit")
            .order_by("pk")
        )
        outcome = {"registered": [], "not_registered": []}
        if not locked:
            return outcome
        allowed_units = _allowed_unit_ids(actor, {c.contest.unit_id for c in locked})
        facts = selectors.facts_for_many(locked)
        changed = []
        for candidacy in locked:
            contest = candidacy.contest
            election = contest.election
            try:
                if allowed_units is not None and contest.unit_id not in allowed_units:
                    raise errors.ContestOutOfScope()
                check_stage(election, NOMINATION_STAGES)
                if candidacy.status != S.NOMINATED:
                    raise errors.CandidacyWrongState(details={"status": candidacy.status})
                check_before(contest.registration_deadline, errors.RegistrationDeadlinePassed)
                failed = eligibility.failures(facts[candidacy.pk], eligibility.Rules.of(election))
                if failed:
                    raise errors.NotEligible(details={"failures": [f.as_dict() for f in failed]})
            except DomainError as exc:
                outcome["not_registered"].append(
                    {"candidacy": candidacy.pk, "code": exc.code, "message": str(exc.message), "details": exc.details}
                )
                continue
            candidacy.status = S.REGISTERED
            candidacy.decided_on = selectors.local_today(election)
            candidacy.reason = ""
            candidacy.reason_failures = []
            changed.append(candidacy)
        # The registered rows share every value but the day (one per election's time zone): one UPDATE
        # per day and batch (bulk_update's CASE WHEN per row cost seconds for the demo's 2,297).
        by_day = {}
        for candidacy in changed:
            by_day.setdefault(candidacy.decided_on, []).append(candidacy.pk)
        for day, ids in by_day.items():
            for start in range(0, len(ids), 1000):
                Candidacy.objects.filter(pk__in=ids[start : start + 1000]).update(
                    status=S.REGISTERED, decided_on=day, reason="", reason_failures=[]
                )
        record_many(
            [
                {
                    "action": "registry.register",
                    "obj": c,
                    "from_state": S.NOMINATED,
                    "to_state": S.REGISTERED,
                    "data": {"contest": c.contest_id},
                }
                for c in changed
            ],
            actor=actor,
            role=role_of(actor),
        )
        outcome["registered"] = [c.pk for c in changed]
    return outcome
