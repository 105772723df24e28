"""Exports of the result tables (scoped): CSV streamed row by row, XLSX written by openpyxl in
write-only mode, and the printable results protocol of one contest (HTML with print CSS). Every
cell goes through core.spreadsheets, so no text is ever read as a formula.

An export speaks the requesting user's language: translated headers, unit names in that language,
and for each coded value (basis, outcome, flags, nomination, level, kind, follow-up) its label
beside a column of the code itself, which programs read and which never changes with the language.
Moments are given in the election's time zone (named in the header), to the second.

Rows are read with `.values(...).iterator()`, so memory stays flat however large the election.
Unit, district and region names are those of the election day (`territory.selectors.name_on`: a
renamed unit keeps its old name in the exports of an earlier election).
"""

import csv
import tempfile

from django.contrib import admin
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.names import in_active_language
from core.spreadsheets import csv_cell, xlsx_cell
from registry.models import Candidacy, Contest, ContestFollowUp, Election
from territory.scope import filter_by_unit, scope_for
from territory.selectors import NAME_FIELDS, dated, name_on

from . import printing
from .models import Basis, CandidateResult, ContestResult, TurnoutLevel, TurnoutRollup
from .outcomes import FLAG_LABELS, LABELS

CHUNK = 2000
XLSX_MAX_ROWS = 1_048_576


def with_day_names(queryset, day, **paths):
    """The queryset annotated with `<alias>_name_kk/_ru/_en`: the names, as of `day`, of the unit at
    each path (alias=path), for `day_name`."""
    return queryset.annotate(
        **{f"{alias}_{field}": name_on(path, day, field) for alias, path in paths.items() for field in NAME_FIELDS}
    )


def day_name(row, alias):
    """The name annotated by `with_day_names` in the active language ("" for a row without the unit)."""
    return in_active_language(*(row[f"{alias}_{field}"] or "" for field in NAME_FIELDS))


def local_moment(value, election):
    """An aware moment in the election's time zone, to the second (None stays None)."""
    if value is None:
        return None
    return value.astimezone(election.zone).replace(microsecond=0)


def computed_at_header(election):
    return _("computed at (%(zone)s)") % {"zone": election.time_zone}


def label(choices, code):
    """The label of a coded value in the active language; the code itself when it has none."""
    return str(choices.get(code, code)) if code else ""


def _contest_rows(user, election):
    qs = with_day_names(
        filter_by_unit(user, ContestResult.objects.filter(election=election), "unit"),
        election.election_day,
        unit="unit",
        district="district",
        region="region",
    ).order_by("unit__kato", "basis")
    header = [
        _("KATO"),
        _("electoral unit"),
        _("district"),
        _("region"),
        _("basis"),
        _("basis (code)"),
        _("voters on the lists"),
        _("ballots issued"),
        _("turnout, %"),
        _("ballots found"),
        _("invalid"),
        _("valid"),
        _("against all"),
        _("protocols counted"),
        _("protocols expected"),
        _("candidates"),
        _("outcome"),
        _("outcome (code)"),
        _("winner"),
        _("flags"),
        _("flags (codes)"),
        computed_at_header(election),
        _("kind of election"),
        _("kind of election (code)"),
        _("follows election (id)"),
        _("follow-up"),
        _("follow-up (code)"),
        _("follow-up election (id)"),
    ]
    figures = [
        "registered_voters",
        "ballots_issued",
        "turnout_percent",
        "ballots_found",
        "invalid",
        "valid",
        "against_all",
        "protocols_counted",
        "protocols_expected",
        "candidates",
    ]
    fields = [
        "unit__kato",
        *(f"{alias}_{field}" for alias in ("unit", "district", "region") for field in NAME_FIELDS),
        "basis",
        *figures,
        "outcome",
        "winner__person__surname",
        "winner__person__given_name",
        "flags",
        "computed_at",
        "contest__follow_up__action",
        "contest__follow_up__follow_up_election_id",
    ]
    # Every row of an election shares its kind and the election it follows.
    kind, origin = election.get_kind_display(), election.origin_id or ""
    bases, actions = dict(Basis.choices), dict(ContestFollowUp.Action.choices)

    def rows():
        for r in qs.values(*fields).iterator(chunk_size=CHUNK):
            flags = r["flags"] or []
            yield [
                r["unit__kato"],
                day_name(r, "unit"),
                day_name(r, "district"),
                day_name(r, "region"),
                label(bases, r["basis"]),
                r["basis"],
                *(r[f] for f in figures),
                label(LABELS, r["outcome"]),
                r["outcome"],
                " ".join(p for p in (r["winner__person__surname"], r["winner__person__given_name"]) if p),
                ", ".join(label(FLAG_LABELS, f) for f in flags),
                ";".join(flags),
                local_moment(r["computed_at"], election),
                kind,
                election.kind,
                origin,
                label(actions, r["contest__follow_up__action"]),
                r["contest__follow_up__action"] or "",
                r["contest__follow_up__follow_up_election_id"] or "",
            ]

    return header, rows()


def _candidate_rows(user, election):
    qs = with_day_names(
        filter_by_unit(user, CandidateResult.objects.filter(election=election), "contest__unit"),
        election.election_day,
        unit="contest__unit",
    ).order_by("contest__unit__kato", "basis", "rank", "candidacy_id")
    header = [
        _("KATO"),
        _("electoral unit"),
        _("basis"),
        _("basis (code)"),
        _("candidate"),
        _("nominated"),
        _("nominated (code)"),
        _("party"),
        _("votes"),
        _("share of valid ballots, %"),
        _("rank"),
        _("winner"),
    ]
    fields = [
        "contest__unit__kato",
        *(f"unit_{field}" for field in NAME_FIELDS),
        "basis",
        "candidacy__person__surname",
        "candidacy__person__given_name",
        "candidacy__nomination_type",
        "candidacy__party__short_name",
        "votes",
        "share_percent",
        "rank",
        "is_winner",
    ]
    bases, nominations = dict(Basis.choices), dict(Candidacy.NominationType.choices)

    def rows():
        for r in qs.values(*fields).iterator(chunk_size=CHUNK):
            yield [
                r["contest__unit__kato"],
                day_name(r, "unit"),
                label(bases, r["basis"]),
                r["basis"],
                f"{r['candidacy__person__surname']} {r['candidacy__person__given_name']}",
                label(nominations, r["candidacy__nomination_type"]),
                r["candidacy__nomination_type"],
                r["candidacy__party__short_name"] or "",
                r["votes"],
                r["share_percent"],
                r["rank"],
                _("yes") if r["is_winner"] else "",
            ]

    return header, rows()


def _turnout_rows(user, election):
    qs = TurnoutRollup.objects.filter(election=election)
    if not scope_for(user).national:
        qs = filter_by_unit(user, qs.exclude(unit=None), "unit")
    qs = with_day_names(qs, election.election_day, unit="unit").order_by("basis", "level", "unit__kato")
    header = [
        _("basis"),
        _("basis (code)"),
        _("level"),
        _("level (code)"),
        _("KATO"),
        _("unit"),
        _("contests"),
        _("contests complete"),
        _("voters on the lists"),
        _("ballots issued"),
        _("turnout, %"),
        _("protocols counted"),
        _("protocols expected"),
    ]
    figures = [
        "contests",
        "contests_complete",
        "registered_voters",
        "ballots_issued",
        "turnout_percent",
        "protocols_counted",
        "protocols_expected",
    ]
    fields = ["basis", "level", "unit__kato", *(f"unit_{field}" for field in NAME_FIELDS), *figures]
    bases, levels = dict(Basis.choices), dict(TurnoutLevel.choices)

    def rows():
        for r in qs.values(*fields).iterator(chunk_size=CHUNK):
            yield [
                label(bases, r["basis"]),
                r["basis"],
                label(levels, r["level"]),
                r["level"],
                r["unit__kato"] or "",
                day_name(r, "unit") or _("whole election"),
                *(r[f] for f in figures),
            ]

    return header, rows()


TABLES = {"contests": _contest_rows, "candidates": _candidate_rows, "turnout": _turnout_rows}


class _Echo:
    def write(self, value):
        return value


def _election(request, election_id):
    if scope_for(request.user).empty:
        raise Http404
    return get_object_or_404(Election, pk=election_id)


def csv_view(request, election_id, table):
    election = _election(request, election_id)
    if table not in TABLES:
        raise Http404
    # The rows are written while the response streams, after the view returned: in the request's language.
    language = translation.get_language()
    writer = csv.writer(_Echo())

    def stream():
        with translation.override(language):
            header, rows = TABLES[table](request.user, election)
            yield "\ufeff"  # BOM: spreadsheet programs then read UTF-8 Cyrillic correctly
            yield writer.writerow([str(h) for h in header])
            for row in rows:
                yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}-{table}.csv"'
    return response


def xlsx_view(request, election_id):
    """All three tables as sheets of one workbook (write-only: rows go straight to the file). Sheet
    names stay the tables' codes (contests, candidates, turnout): programs find the sheets by them."""
    election = _election(request, election_id)
    workbook = Workbook(write_only=True)
    for name, build in TABLES.items():
        header, rows = build(request.user, election)
        header = [str(h) for h in header]
        part, sheet, used = 1, workbook.create_sheet(title=name), 1
        sheet.append(header)
        for row in rows:
            if used >= XLSX_MAX_ROWS:  # a sheet holds 1,048,576 rows: continue on the next one
                part += 1
                sheet, used = workbook.create_sheet(title=f"{name} ({part})"), 1
                sheet.append(header)
            sheet.append([xlsx_cell(v) for v in row])
            used += 1
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"election-{election.pk}-results.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def protocol_view(request, contest_id):
    """The printable results protocol of one contest: figures, candidates' votes, outcome."""
    contests = filter_by_unit(
        request.user, Contest.objects.select_related("election", "unit__district", "unit__region"), "unit"
    )
    contest = get_object_or_404(contests, pk=contest_id)
    election = contest.election
    basis = request.GET.get("basis") if request.GET.get("basis") in Basis.values else Basis.OFFICIAL
    result = (
        ContestResult.objects.filter(contest=contest, basis=basis)
        .select_related("winner__person", "district", "region")
        .first()
    )
    candidates = list(
        CandidateResult.objects.filter(contest=contest, basis=basis)
        .select_related("candidacy__person", "candidacy__party")
        .order_by("rank", "candidacy__person__surname")
    )
    day = election.election_day
    dated([u for u in (contest.unit, contest.unit.district, contest.unit.region) if u is not None], day)
    if result is not None:
        dated([u for u in (result.district, result.region) if u is not None], day)
    context = {
        **admin.site.each_context(request),
        "title": _("Results protocol"),
        "contest": contest,
        "election": election,
        "result": result,
        "computed_at": local_moment(result.computed_at, election) if result else None,
        "candidates": candidates,
        "basis": basis,
        "basis_label": Basis(basis).label,
        "outcome_label": LABELS.get(result.outcome) if result else None,
        "flag_labels": [FLAG_LABELS.get(f, f) for f in (result.flags if result else [])],
        # The commission that signs it, where, when, and a line per member (as on the paper).
        **printing.signing(printing.establishing_commission(contest), election, printing.contest_place(contest)),
    }
    return TemplateResponse(request, "results/protocol_print.html", context)
