"""Exports of the result tables (scoped): CSV streamed row by row, XLSX written by openpyxl in
write-only mode, and the printable results protocol of one contest (HTML with print CSS). Every
cell goes through core.spreadsheets, so no text is ever read as a formula.

Rows are read with `.values_list(...).iterator()`, so memory stays flat however large the election.
Unit, district and region names are those of the election day (`territory.selectors.name_on`: a
renamed unit keeps its old name in the exports of an earlier election).
"""

import csv
import tempfile

from django.contrib import admin
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.spreadsheets import csv_cell, xlsx_cell
from registry.models import Contest, ContestFollowUp, Election
from territory.scope import filter_by_unit, scope_for
from territory.selectors import dated, name_on

from . import printing
from .models import Basis, CandidateResult, ContestResult, TurnoutRollup
from .outcomes import FLAG_LABELS, LABELS

CHUNK = 2000
XLSX_MAX_ROWS = 1_048_576


def _contest_rows(user, election):
    day = election.election_day
    qs = (
        filter_by_unit(user, ContestResult.objects.filter(election=election), "unit")
        .annotate(
            unit_name_on_day=name_on("unit", day),
            district_name_on_day=name_on("district", day),
            region_name_on_day=name_on("region", day),
        )
        .order_by("unit__kato", "basis")
    )
    header = [
        _("KATO"),
        _("electoral unit"),
        _("district"),
        _("region"),
        _("basis"),
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
        _("winner"),
        _("flags"),
        _("computed at"),
        _("kind of election"),
        _("follows election (id)"),
        _("follow-up"),
        _("follow-up election (id)"),
    ]
    # Every row of an election shares its kind and the election it follows.
    kind, origin = str(election.get_kind_display()), election.origin_id or ""
    fields = [
        "unit__kato",
        "unit_name_on_day",
        "district_name_on_day",
        "region_name_on_day",
        "basis",
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
        "outcome",
        "winner__person__surname",
        "winner__person__given_name",
        "flags",
        "computed_at",
        "contest__follow_up__action",
        "contest__follow_up__follow_up_election_id",
    ]
    actions = dict(ContestFollowUp.Action.choices)

    def rows():
        for r in qs.values_list(*fields).iterator(chunk_size=CHUNK):
            r = list(r)
            winner = " ".join(p for p in (r[16], r[17]) if p)
            flags = ", ".join(str(FLAG_LABELS.get(f, f)) for f in r[18] or [])
            action = str(actions.get(r[20], "")) if r[20] else ""
            yield [
                *r[:15],
                str(LABELS.get(r[15], r[15])),
                winner,
                flags,
                r[19].isoformat(),
                kind,
                origin,
                action,
                r[21] or "",
            ]

    return header, rows()


def _candidate_rows(user, election):
    qs = (
        filter_by_unit(user, CandidateResult.objects.filter(election=election), "contest__unit")
        .annotate(unit_name_on_day=name_on("contest__unit", election.election_day))
        .order_by("contest__unit__kato", "basis", "rank", "candidacy_id")
    )
    header = [
        _("KATO"),
        _("electoral unit"),
        _("basis"),
        _("candidate"),
        _("nominated"),
        _("party"),
        _("votes"),
        _("share of valid ballots, %"),
        _("rank"),
        _("winner"),
    ]
    fields = [
        "contest__unit__kato",
        "unit_name_on_day",
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

    def rows():
        for r in qs.values_list(*fields).iterator(chunk_size=CHUNK):
            yield [r[0], r[1], r[2], f"{r[3]} {r[4]}", r[5], r[6] or "", *r[7:10], _("yes") if r[10] else ""]

    return header, rows()


def _turnout_rows(user, election):
    qs = TurnoutRollup.objects.filter(election=election)
    if not scope_for(user).national:
        qs = filter_by_unit(user, qs.exclude(unit=None), "unit")
    qs = qs.annotate(unit_name_on_day=name_on("unit", election.election_day)).order_by("basis", "level", "unit__kato")
    header = [
        _("basis"),
        _("level"),
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
    fields = [
        "basis",
        "level",
        "unit__kato",
        "unit_name_on_day",
        "contests",
        "contests_complete",
        "registered_voters",
        "ballots_issued",
        "turnout_percent",
        "protocols_counted",
        "protocols_expected",
    ]

    def rows():
        for r in qs.values_list(*fields).iterator(chunk_size=CHUNK):
            yield [r[0], r[1], r[2] or "", r[3] or _("whole election"), *r[4:]]

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
    header, rows = TABLES[table](request.user, election)
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # BOM: spreadsheet programs then read UTF-8 Cyrillic correctly
        yield writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}-{table}.csv"'
    return response


def xlsx_view(request, election_id):
    """All three tables as sheets of one workbook (write-only: rows go straight to the file)."""
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
    day = contest.election.election_day
    dated([contest.unit], day)
    if result is not None:
        dated([u for u in (result.district, result.region) if u is not None], day)
    context = {
        **admin.site.each_context(request),
        "title": _("Results protocol"),
        "contest": contest,
        "election": contest.election,
        "result": result,
        "candidates": candidates,
        "basis": basis,
        "basis_label": Basis(basis).label,
        "outcome_label": LABELS.get(result.outcome) if result else None,
        "flag_labels": [FLAG_LABELS.get(f, f) for f in (result.flags if result else [])],
        # The commission that signs it, where, when, and a line per member (as on the paper).
        **printing.signing(
            printing.establishing_commission(contest), contest.election, printing.contest_place(contest)
        ),
    }
    return TemplateResponse(request, "results/protocol_print.html", context)
