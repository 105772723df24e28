"""Importing a KATO extract (CSV) into the unit tree: validate every row, then write all or nothing.

The file has a header with the columns `code`, `name_kk`, `name_ru`, and optionally `name_en` and
`kind` (a kind value such as `township` or `city_regional`; without it the kind follows the code's
level: region, district, rural district, village). The parent of each unit is the unit whose code
is the row's code cut one level up (found in the file or in the database). Row numbers in the report
are the file's line numbers (the header is row 1).

Validation uses the model's own field validators and `territory.kato`, so a bad row gets the same
message as the admin form and `AdminUnit.full_clean()` give.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import DomainError
from core.text import UndecodableFile, decode_text_file

from . import kato
from .models import AdminUnit

REQUIRED_COLUMNS = ("code", "name_kk", "name_ru")
OPTIONAL_COLUMNS = ("name_en", "kind")
# The model's field names as the file's columns call them.
_COLUMN_OF_FIELD = {"kato": "code", "kind": "kind", "name_kk": "name_kk", "name_ru": "name_ru", "name_en": "name_en"}
_COMPARED = ("kind", "name_kk", "name_ru", "name_en", "parent_id", "region_id", "district_id")
_CHUNK = 1000


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self):
        return _("row %(row)s: %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)

    def summary(self):
        return _("%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class KatoImportInvalid(DomainError):
    """The file has bad rows: nothing was written. `report.errors` lists every one."""

    code = "kato_import_invalid"

    def __init__(self, report):
        self.report = report
        super().__init__(
            _("The KATO file has %(count)s errors; nothing was imported.") % {"count": len(report.errors)},
            details={"errors": [str(error) for error in report.errors]},
        )


@dataclass
class _Row:
    number: int
    code: str
    kind: str
    explicit_kind: bool
    name_kk: str
    name_ru: str
    name_en: str | None
    parent_code: str | None = None
    valid: bool = True


def _file_error(line, column, message):
    return KatoImportInvalid(ImportReport(errors=[RowError(line, column, message)]))


def read_rows(source, encoding=None):
    """(header, [(row number, {column: value})]) from a path or a file object (text or bytes).

    Bytes are UTF-8 (with or without BOM), else Windows-1251, or the `encoding` named; a file that
    does not decode, or that csv cannot read (a field over its limit), raises KatoImportInvalid."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return read_rows(io.BytesIO(handle.read()), encoding)
    text = source.read()
    if isinstance(text, bytes):
        try:
            text, _used = decode_text_file(text, encoding)
        except UndecodableFile as error:
            raise _file_error(error.details.get("line", 1), "encoding", str(error.message)) from None
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        for record in reader:
            values = {key: (value or "").strip() for key, value in record.items() if key is not None}
            if not any(values.values()):
                continue  # a blank line
            rows.append((reader.line_num, values))
    except csv.Error as error:  # a field over csv's limit (128 KiB), a broken quote
        raise _file_error(reader.reader.line_num, "file", str(error)) from None
    return header, rows


def _fetch_by_code(codes):
    found = {}
    codes = sorted(set(codes))
    for start in range(0, len(codes), _CHUNK):
        for unit in AdminUnit.objects.filter(kato__in=codes[start : start + _CHUNK]):
            found[unit.kato] = unit
    return found


def _field_errors(row_number, error):
    return [
        RowError(row_number, _COLUMN_OF_FIELD.get(name, name), str(message))
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def validate(header, raw_rows, progress=None, progress_every=_CHUNK):
    """Check every row; returns (report with every error, rows, units already in the database by code)."""
    report = ImportReport(rows=len(raw_rows))
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        report.errors.append(RowError(1, "header", _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        return report, [], {}

    codes = [values.get("code", "") for _n, values in raw_rows]
    existing = _fetch_by_code(code for code in codes if not kato.kato_errors(code))
    rows, by_code = [], {}
    has_kind, has_en = "kind" in header, "name_en" in header
    exclude = ["parent", "region", "district", "registered_voters", "active_from", "active_to"]

    for index, (number, values) in enumerate(raw_rows, start=1):
        code = values.get("code", "")
        given_kind = values.get("kind", "") if has_kind else ""
        row = _Row(
            number=number,
            code=code,
            kind=given_kind,
            explicit_kind=bool(given_kind),
            name_kk=values.get("name_kk", ""),
            name_ru=values.get("name_ru", ""),
            name_en=values.get("name_en", "") if has_en else None,
        )
        errors = [
            RowError(number, column, _("contains a NUL character (\\0), which cannot be stored"))
            for column, value in values.items()
            if "\x00" in value
        ]
        if errors:
            row.valid = False
            report.errors.extend(errors)
            rows.append(row)
            continue
        if not row.kind and not kato.kato_errors(code):
            level = kato.level_of_code(code)
            known = existing.get(code)
            # An existing unit keeps its kind (a township stays one) unless the file says otherwise.
            row.kind = known.kind if known and kato.LEVEL.get(known.kind) == level else kato.DEFAULT_KIND[level]
        candidate = AdminUnit(
            kato=code, kind=row.kind or "", name_kk=row.name_kk, name_ru=row.name_ru, name_en=row.name_en or ""
        )
        try:
            # Without a well-formed code there is no kind to infer: the code's error says it all.
            candidate.clean_fields(exclude=exclude if row.kind else [*exclude, "kind"])
        except ValidationError as error:
            errors.extend(_field_errors(number, error))
        if code in by_code and not kato.kato_errors(code):
            errors.append(
                RowError(
                    number,
                    "code",
                    _("the KATO code %(code)s is already on row %(row)s") % {"code": code, "row": by_code[code].number},
                )
            )
        else:
            by_code.setdefault(code, row)
        row.valid = not errors
        if row.valid:
            row.parent_code = kato.parent_code(code)
        report.errors.extend(errors)
        rows.append(row)
        if progress and index % progress_every == 0:
            progress(index, len(raw_rows), _("checked"))

    parent_codes = {row.parent_code for row in rows if row.parent_code and row.parent_code not in by_code}
    existing.update(_fetch_by_code(code for code in parent_codes if code not in existing))

    for row in rows:
        if not row.valid:
            continue
        parent_kind = None
        if row.parent_code is not None:
            in_file = by_code.get(row.parent_code)
            if in_file is not None:
                if not in_file.valid:
                    report.errors.append(
                        RowError(
                            row.number,
                            "parent",
                            _("its parent unit %(code)s (row %(row)s) has errors")
                            % {"code": row.parent_code, "row": in_file.number},
                        )
                    )
                    continue
                parent_kind = in_file.kind
            elif row.parent_code in existing:
                parent_kind = existing[row.parent_code].kind
            else:
                report.errors.append(
                    RowError(
                        row.number,
                        "parent",
                        _("no unit with the KATO code %(code)s (its parent unit) in the file or the database")
                        % {"code": row.parent_code},
                    )
                )
                continue
        nesting = kato.nesting_errors_by_field(row.code, row.kind, row.parent_code, parent_kind)
        for name, messages in nesting.items():
            report.errors.extend(RowError(row.number, _COLUMN_OF_FIELD.get(name, name), str(m)) for m in messages)
    report.errors.sort(key=lambda error: error.row)
    return report, rows, existing


def _write(rows, existing, report, progress=None, progress_every=_CHUNK):
    """Create and update the units level by level (parents first); fills the report's counts."""
    # code -> (pk, level, region_id, district_id) of every unit a row may hang under
    placed = {code: (u.pk, u.level, u.region_id, u.district_id) for code, u in existing.items()}
    done = 0
    for level in (1, 2, 3, 4):
        to_create, to_update, reparented = [], [], []
        for row in rows:
            if kato.LEVEL[row.kind] != level:
                continue
            parent_id = region_id = district_id = None
            if row.parent_code is not None:
                parent_id, parent_level, parent_region, parent_district = placed[row.parent_code]
                region_id = parent_id if parent_level == 1 else parent_region
                if level > 2:
                    district_id = parent_id if parent_level == 2 else parent_district
            wanted = {
                "kind": row.kind,
                "name_kk": row.name_kk,
                "name_ru": row.name_ru,
                "parent_id": parent_id,
                "region_id": region_id,
                "district_id": district_id,
            }
            unit = existing.get(row.code)
            if unit is None:
                unit = AdminUnit(kato=row.code, name_en=row.name_en or "", **wanted)
                to_create.append(unit)
            else:
                if row.name_en is not None:
                    wanted["name_en"] = row.name_en
                changed = {name: value for name, value in wanted.items() if getattr(unit, name) != value}
                if changed:
                    if "region_id" in changed or "district_id" in changed:
                        reparented.append(unit)
                    for name, value in changed.items():
                        setattr(unit, name, value)
                    to_update.append(unit)
                else:
                    report.unchanged += 1
            done += 1
            if progress and done % progress_every == 0:
                progress(done, len(rows), _("written"))
        AdminUnit.objects.bulk_create(to_create, batch_size=_CHUNK)
        if to_update:
            AdminUnit.objects.bulk_update(to_update, list(_COMPARED) + ["name_en"], batch_size=_CHUNK)
        for unit in reparented:
            unit._propagate_to_subtree()  # units below it that the file does not list
        report.created += len(to_create)
        report.updated += len(to_update)
        for unit in [*to_create, *to_update]:
            placed[unit.kato] = (unit.pk, level, unit.region_id, unit.district_id)


def import_kato(source, *, actor=None, progress=None, progress_every=_CHUNK, dry_run=False, encoding=None):
    """Import a KATO extract: all rows or none. Returns the ImportReport; raises KatoImportInvalid on bad rows.

    `progress(done, total, phase)` is called every `progress_every` rows. With `dry_run` the
    counts are computed and nothing is kept.
    """
    header, raw_rows = read_rows(source, encoding)
    with transaction.atomic():
        report, rows, existing = validate(header, raw_rows, progress, progress_every)
        if report.errors:
            raise KatoImportInvalid(report)
        _write(rows, existing, report, progress, progress_every)
        if report.created or report.updated:
            name = Path(source).name if isinstance(source, str | Path) else getattr(source, "name", "")
            audit.record(
                actor=actor,
                action="territory.kato_imported",
                object_type="territory.adminunit",
                object_id=str(name)[:40],
                data={"rows": report.rows, "created": report.created, "updated": report.updated},
            )
        if dry_run:
            transaction.set_rollback(True)
    return report
