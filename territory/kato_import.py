"""Importing a KATO extract into the unit tree: read, validate every row, then write all or nothing.

Two formats are read, recognised by their header (`read_rows`):
- the importer's own CSV: columns `code`, `name_ru`, `name_kk`, and optionally `name_en`, `kind`
  (a kind value such as `township`) and `parent` (the parent unit's code);
- the statistics office's export of the classifier (XLSX, or CSV saved from it): columns `te`
  (the 9-digit code) or the code segments `ab`, `cd`, `ef`, `hij`, then `k` (the level),
  `kaz_name`, `rus_name` and `nn` (a running number).
CSV may be separated by commas, semicolons or tabs, encoded UTF-8 (with or without a BOM) or cp1251.

A unit's parent is the `parent` column's unit when given, else its nearest ancestor by code: the
code's trailing segments (AB CD EF H IJ) are zeroed one at a time until a unit with that code
exists, in the file or (without `--as-of`) in the database. A unit's kind is the `kind` column's,
else an existing unit's, else inferred from its code, its parent's kind and the abbreviations of its
names (`territory.kato.infer_kind`). An empty Kazakh name is allowed: the Russian name stands in and
the unit is marked and listed as lacking a Kazakh name.

With `as_of` (a date) the file is the territory from that day on: new units start on it, units
missing from the file end the day before, and a unit whose kind, name or parent changes keeps its
old state in a dated `AdminUnitVersion` (the unit's row holds the new one). Nothing is deleted, and
no unit changes region or district (a unit that moves between regions or districts takes a new
code in the classifier: it is a new unit, and the old one ends).

Row numbers in the report are the file's line numbers (the header is row 1); validation uses the
model's field validators and `territory.kato`, so a bad row gets the admin's message.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import audit
from core.errors import DomainError
from core.text import UndecodableFile, decode_text_file

from . import kato
from .models import AdminUnit, AdminUnitVersion

REQUIRED_COLUMNS = ("code", "name_kk", "name_ru")
OPTIONAL_COLUMNS = ("name_en", "kind", "parent")
# The statistics office's export: the code whole (`te`) or in segments, the level, the names.
STAT_SEGMENTS = (("ab", 2), ("cd", 2), ("ef", 2), ("hij", 3))
STAT_NAME_COLUMNS = ("kaz_name", "rus_name")
FORMAT_IMPORTER, FORMAT_STAT = "importer", "stat"
# The model's field names as the file's columns call them.
_COLUMN_OF_FIELD = {"kato": "code", "kind": "kind", "name_kk": "name_kk", "name_ru": "name_ru", "name_en": "name_en"}
_VERSIONED = ("kind", "name_kk", "name_ru", "name_en", "parent_id")
_CHUNK = 1000
_ONE_DAY = datetime.timedelta(days=1)


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
    ended: int = 0
    versioned: int = 0
    file_format: str = FORMAT_IMPORTER
    as_of: datetime.date | None = None
    errors: list = field(default_factory=list)
    # What the import starts, ends and changes: (code, name) and (code, column, before, after).
    started: list = field(default_factory=list)
    ended_units: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    lacking_kazakh_name: list = field(default_factory=list)

    def summary(self):
        text = _("%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.as_of is not None:
            text += _("; as of %(day)s: %(ended)s ended, %(versioned)s kept as dated versions") % {
                "day": self.as_of.isoformat(),
                "ended": self.ended,
                "versioned": self.versioned,
            }
        if self.lacking_kazakh_name:
            text += _("; %(count)s without a Kazakh name") % {"count": len(self.lacking_kazakh_name)}
        return text

    def listing(self):
        """One line per unit that starts, ends or changes, and per unit lacking a Kazakh name."""
        lines = [_("starts: %(code)s %(name)s") % {"code": code, "name": name} for code, name in self.started]
        lines += [_("ends: %(code)s %(name)s") % {"code": code, "name": name} for code, name in self.ended_units]
        lines += [
            _("changes: %(code)s %(column)s: %(before)s -> %(after)s")
            % {"code": code, "column": column, "before": before, "after": after}
            for code, column, before, after in self.changes
        ]
        lines += [
            _("lacks a Kazakh name: %(code)s %(name)s") % {"code": code, "name": name}
            for code, name in self.lacking_kazakh_name
        ]
        return lines


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
    lacks_kazakh_name: bool = False
    given_parent: str = ""
    parent_code: str | None = None
    valid: bool = True


# Reading -----------------------------------------------------------------------------------------


def decode(data, encoding=None):
    """Text of the file's bytes: `encoding` when named, else UTF-8 (a BOM is dropped), else cp1251
    (`core.text.decode_text_file`); a file that does not decode raises KatoImportInvalid naming the
    line."""
    try:
        text, _used = decode_text_file(data, encoding)
    except UndecodableFile as error:
        raise _file_error(error.details.get("line", 1), "encoding", str(error.message)) from None
    return text


def _file_error(line, column, message):
    return KatoImportInvalid(ImportReport(errors=[RowError(line, column, message)]))


def _cell(value):
    """A spreadsheet cell as text: whole numbers without a decimal point (codes stored as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_records(data):
    """[(row number, [cells])] of the workbook's first sheet."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [
            (number, [_cell(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()


def _csv_records(text):
    sample = "\n".join(text.split("\n", 6)[:6])  # a title line may come before the header
    delimiter = max(",;\t", key=sample.count) if sample else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, [value.strip() for value in values]) for values in reader]
    except csv.Error as error:  # a field over csv's limit (128 KiB), a broken quote
        raise _file_error(reader.line_num, "file", str(error)) from None


def _is_header(cells):
    names = {cell.strip().lower() for cell in cells}
    return "code" in names or (names & set(STAT_NAME_COLUMNS) and ("te" in names or "ab" in names))


def _stat_values(record):
    """A row of the statistics office's export in the importer's columns."""
    code = record.get("te", "")
    if not code and any(record.get(name) for name, _width in STAT_SEGMENTS):
        code = "".join(record.get(name, "").zfill(width) for name, width in STAT_SEGMENTS)
    values = {"code": code, "name_kk": record.get("kaz_name", ""), "name_ru": record.get("rus_name", "")}
    for column in OPTIONAL_COLUMNS:
        if record.get(column):
            values[column] = record[column]
    return values


def read_rows(source, encoding=None):
    """(header, [(row number, {column: value})], format) from a path, bytes or a file object.

    The statistics office's export comes out in the importer's columns (`code`, `name_kk`,
    `name_ru`, and `kind`, `parent` when it has them); lines before the header (a title) and blank
    lines are skipped.
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return read_rows(handle.read(), encoding)
    if not isinstance(source, bytes | str):
        return read_rows(source.read(), encoding)
    if isinstance(source, bytes) and source[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(source)):
        records = _xlsx_records(source)
    else:
        text = source if isinstance(source, str) else decode(source, encoding)
        records = _csv_records(text.lstrip("\ufeff"))
    records = [(number, cells) for number, cells in records if any(cells)]
    start = next((i for i, (_n, cells) in enumerate(records[:10]) if _is_header(cells)), 0)
    if not records:
        return [], [], FORMAT_IMPORTER
    header = [cell.strip().lower() for cell in records[start][1]]
    file_format = FORMAT_IMPORTER if "code" in header else FORMAT_STAT
    if file_format == FORMAT_STAT and not set(STAT_NAME_COLUMNS) & set(header):
        file_format = FORMAT_IMPORTER  # neither: report the importer's missing columns
    rows = []
    for number, cells in records[start + 1 :]:
        record = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
        rows.append((number, _stat_values(record) if file_format == FORMAT_STAT else record))
    if file_format == FORMAT_STAT:
        header = [*REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in header)]
    return header, rows, file_format


# Validation --------------------------------------------------------------------------------------


_FIELDS = {name: AdminUnit._meta.get_field(name) for name in ("kato", "kind", "name_kk", "name_ru", "name_en")}


def _depth(code):
    """Ancestors have shorter significant prefixes: rows sorted by it come parents first."""
    return len(kato.code_prefix(code))


def _check_row(number, values, has_en, known_kinds):
    """A _Row and its own errors (code, names, kind: what needs no other row)."""
    code = values.get("code", "")
    given_kind = values.get("kind", "")
    name_ru = values.get("name_ru", "")
    name_kk = values.get("name_kk", "")
    row = _Row(
        number=number,
        code=code,
        kind=given_kind,
        explicit_kind=bool(given_kind),
        name_kk=name_kk or name_ru,
        name_ru=name_ru,
        name_en=values.get("name_en", "") if has_en else None,
        lacks_kazakh_name=not name_kk and bool(name_ru),
        given_parent=values.get("parent", ""),
    )
    errors = [
        RowError(number, column, _("contains a NUL character (\\0), which cannot be stored"))
        for column, value in values.items()
        if "\x00" in value
    ]
    if errors:
        return row, errors
    # The model's own fields check the values (the admin's messages), without a model per row.
    checked = (("kato", code), ("name_kk", row.name_kk), ("name_ru", name_ru), ("name_en", row.name_en or ""))
    for name, value in (*checked, *((("kind", given_kind),) if given_kind else ())):
        try:
            _FIELDS[name].clean(value, None)
        except ValidationError as error:
            errors.extend(RowError(number, _COLUMN_OF_FIELD[name], str(message)) for message in error.messages)
    if given_kind and given_kind not in known_kinds and not any(e.field == "kind" for e in errors):
        errors.append(RowError(number, "kind", _("unknown kind %(kind)s") % {"kind": given_kind}))
    if row.given_parent and kato.kato_errors(row.given_parent):
        errors.extend(RowError(number, "parent", str(message)) for message in kato.kato_errors(row.given_parent))
    return row, errors


def validate(header, raw_rows, progress=None, progress_every=_CHUNK, *, as_of=None, existing=None):
    """Check every row; returns (report with every error, rows parents first, units in the database by code).

    `existing` (code -> AdminUnit) saves the query when the caller has the units already.
    """
    report = ImportReport(rows=len(raw_rows), as_of=as_of)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if "name_kk" in missing and "name_ru" not in missing:
        missing.remove("name_kk")  # the Russian name stands in
    if missing:
        report.errors.append(RowError(1, "header", _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        return report, [], {}

    if existing is None:
        existing = {unit.kato: unit for unit in AdminUnit.objects.all()}
    known_kinds = set(kato.LEVEL)
    has_kind, has_en = "kind" in header, "name_en" in header
    rows, by_code = [], {}
    for index, (number, values) in enumerate(raw_rows, start=1):
        row, errors = _check_row(number, values, has_en, known_kinds if has_kind else ())
        code = row.code
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
        known = existing.get(code)
        if as_of is not None and known is not None and known.active_to is not None and known.active_to < as_of:
            errors.append(
                RowError(
                    number,
                    "code",
                    _("the unit %(code)s ended on %(day)s; a unit that ended does not start again")
                    % {"code": code, "day": known.active_to.isoformat()},
                )
            )
        row.valid = not errors
        report.errors.extend(errors)
        rows.append(row)
        if progress and index % progress_every == 0:
            progress(index, len(raw_rows), _("checked"))

    # Parents and kinds, parents first: a row's kind may follow from its parent's (a point below a
    # village, a district of a city of republican significance).
    rows.sort(key=lambda row: (_depth(row.code) if row.valid else 0, row.number))
    kinds = {code: unit.kind for code, unit in existing.items()} if as_of is None else {}
    in_db = set(existing) if as_of is None else set()
    for row in rows:
        if not row.valid:
            continue
        if row.given_parent:
            row.parent_code = row.given_parent
            in_file = by_code.get(row.parent_code)
            if in_file is None and row.parent_code not in in_db:
                report.errors.append(
                    RowError(
                        row.number,
                        "parent",
                        _("no unit with the KATO code %(code)s (its parent unit) in the file or the database")
                        % {"code": row.parent_code},
                    )
                )
                row.valid = False
                continue
        else:
            ancestors = kato.ancestor_codes(row.code)
            row.parent_code = next((c for c in ancestors if c in by_code or c in in_db), None)
            if row.parent_code is None and ancestors:
                where = _("in the file") if as_of is not None else _("in the file or the database")
                report.errors.append(
                    RowError(
                        row.number,
                        "parent",
                        _("no unit with any of the KATO codes %(codes)s (its parent unit) %(where)s")
                        % {"codes": ", ".join(ancestors), "where": where},
                    )
                )
                row.valid = False
                continue
        in_file = by_code.get(row.parent_code) if row.parent_code else None
        if in_file is not None and not in_file.valid:
            report.errors.append(
                RowError(
                    row.number,
                    "parent",
                    _("its parent unit %(code)s (row %(row)s) has errors")
                    % {"code": row.parent_code, "row": in_file.number},
                )
            )
            row.valid = False
            continue
        parent_kind = kinds.get(row.parent_code) if row.parent_code else None
        if not row.explicit_kind:
            known = existing.get(row.code)
            # An existing unit keeps its kind (an administrator's correction) while it still nests.
            if known is not None and not kato.nesting_errors(row.code, known.kind, row.parent_code, parent_kind):
                row.kind = known.kind
            else:
                row.kind = kato.infer_kind(row.code, parent_kind, row.name_ru, row.name_kk)
        kinds[row.code] = row.kind
        nesting = kato.nesting_errors_by_field(row.code, row.kind, row.parent_code, parent_kind)
        for name, messages in nesting.items():
            report.errors.extend(RowError(row.number, _COLUMN_OF_FIELD.get(name, name), str(m)) for m in messages)
        if nesting:
            row.valid = False
    report.errors.sort(key=lambda error: error.row)
    return report, rows, existing


# Writing -----------------------------------------------------------------------------------------


def _placement(row, placed):
    """(parent_id, region_id, district_id) of a row whose parent is already placed."""
    if row.parent_code is None:
        return None, None, None
    parent_id, parent_level, parent_region, parent_district = placed[row.parent_code]
    region_id = parent_id if parent_level == 1 else parent_region
    district_id = None
    if kato.LEVEL[row.kind] > 2:
        district_id = parent_id if parent_level == 2 else parent_district
    return parent_id, region_id, district_id


def _version_start(unit, last_ends):
    last = last_ends.get(unit.pk)
    return last + _ONE_DAY if last else unit.active_from


def _write(rows, existing, report, progress=None, progress_every=_CHUNK, as_of=None):
    """Create, update, version and end the units, parents first; fills the report."""
    placed = {code: (u.pk, u.level, u.region_id, u.district_id) for code, u in existing.items()}
    codes_of = {u.pk: code for code, u in existing.items()}
    last_ends = {}
    if as_of is not None:
        last_ends = dict(AdminUnitVersion.objects.values_list("unit_id").annotate(end=Max("valid_to")).order_by())
    errors, versions, done = [], [], 0
    groups = {}
    for row in rows:
        groups.setdefault(_depth(row.code), []).append(row)
    for depth in sorted(groups):
        to_create, to_update, reparented = [], [], []
        for row in groups[depth]:
            parent_id, region_id, district_id = _placement(row, placed)
            wanted = {
                "kind": row.kind,
                "name_kk": row.name_kk,
                "name_ru": row.name_ru,
                "parent_id": parent_id,
                "region_id": region_id,
                "district_id": district_id,
                "lacks_kazakh_name": row.lacks_kazakh_name,
            }
            if row.lacks_kazakh_name:
                report.lacking_kazakh_name.append((row.code, row.name_ru))
            unit = existing.get(row.code)
            if unit is None:
                unit = _NewUnit(kato=row.code, name_en=row.name_en or "", active_from=as_of, **wanted)
                to_create.append(unit)
                report.started.append((row.code, row.name_ru))
            else:
                if row.name_en is not None:
                    wanted["name_en"] = row.name_en
                changed = {name: value for name, value in wanted.items() if getattr(unit, name) != value}
                if changed and as_of is not None and ("region_id" in changed or "district_id" in changed):
                    errors.append(
                        RowError(
                            row.number,
                            "parent",
                            _(
                                "the unit %(code)s would move to another region or district; in the "
                                "classifier such a unit takes a new code (the old one ends)"
                            )
                            % {"code": row.code},
                        )
                    )
                    changed = {}
                if changed:
                    for name, value in changed.items():
                        if name in ("region_id", "district_id", "lacks_kazakh_name"):
                            continue
                        before, after = getattr(unit, name), value
                        if name == "parent_id":
                            name, before, after = "parent", codes_of.get(before, ""), codes_of.get(after, "")
                        report.changes.append((row.code, _COLUMN_OF_FIELD.get(name, name), before, after))
                    versioned = set(changed) & set(_VERSIONED)
                    if as_of is not None and versioned and not (unit.active_from and unit.active_from >= as_of):
                        last = last_ends.get(unit.pk)
                        if last is not None and last >= as_of:
                            errors.append(
                                RowError(
                                    row.number,
                                    "code",
                                    _(
                                        "the unit %(code)s already has a version ending on %(day)s: "
                                        "import the extracts in the order of their dates"
                                    )
                                    % {"code": row.code, "day": last.isoformat()},
                                )
                            )
                        else:
                            versions.append(
                                AdminUnitVersion(
                                    unit=unit,
                                    valid_from=_version_start(unit, last_ends),
                                    valid_to=as_of - _ONE_DAY,
                                    kind=unit.kind,
                                    parent_id=unit.parent_id,
                                    name_kk=unit.name_kk,
                                    name_ru=unit.name_ru,
                                    name_en=unit.name_en,
                                )
                            )
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
        _insert(to_create)
        if to_update:
            fields = [*_VERSIONED, "region_id", "district_id", "lacks_kazakh_name"]
            AdminUnit.objects.bulk_update(to_update, fields, batch_size=_CHUNK)
        for unit in reparented:
            unit._propagate_to_subtree()  # units below it that the file does not list
        report.created += len(to_create)
        report.updated += len(to_update)
        for unit in [*to_create, *to_update]:
            placed[unit.kato] = (unit.pk, unit.level, unit.region_id, unit.district_id)
            codes_of[unit.pk] = unit.kato
    AdminUnitVersion.objects.bulk_create(versions, batch_size=_CHUNK)
    report.versioned = len(versions)
    if as_of is not None:
        errors.extend(_end_missing(rows, existing, report, as_of))
    return errors


_INSERTED = ("kato", "kind", "parent_id", "region_id", "district_id", "name_kk", "name_ru", "name_en")
_INSERTED += ("lacks_kazakh_name", "active_from")


class _NewUnit:
    """A unit to insert: its columns and, once inserted, its pk (a model instance per row would cost
    a third of the import)."""

    __slots__ = ("pk", *_INSERTED)

    def __init__(self, **values):
        self.pk = None
        for name in _INSERTED:
            setattr(self, name, values.get(name))

    @property
    def level(self):
        return kato.LEVEL[self.kind]


def _insert(units):
    """Insert new units, a multi-row INSERT per batch, and set their pks (one SELECT per batch):
    several times faster than `bulk_create` for a national classifier (no model instance and no
    model-to-SQL compilation per value)."""
    if not units:
        return
    table = connection.ops.quote_name(AdminUnit._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(AdminUnit._meta.get_field(name).column) for name in _INSERTED)
    row = "(" + ", ".join(["%s"] * len(_INSERTED)) + ")"
    size = min(_CHUNK, (connection.features.max_query_params or 30000) // len(_INSERTED))
    with connection.cursor() as cursor:
        for start in range(0, len(units), size):
            batch = units[start : start + size]
            values = ", ".join([row] * len(batch))
            # the table and column names come from the model, the values are parameters
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",
                [getattr(unit, name) for unit in batch for name in _INSERTED],
            )
            ids = dict(AdminUnit.objects.filter(kato__in=[u.kato for u in batch]).values_list("kato", "pk"))
            for unit in batch:
                unit.pk = ids[unit.kato]


def _end_missing(rows, existing, report, as_of):
    """End (the day before `as_of`) every unit active on `as_of` that the file does not list."""
    listed = {row.code for row in rows}
    ending, errors = [], []
    for code, unit in sorted(existing.items()):
        if code in listed or (unit.active_to is not None and unit.active_to < as_of):
            continue
        if unit.active_from is not None and unit.active_from >= as_of:
            errors.append(
                RowError(
                    0,
                    "code",
                    _("the unit %(code)s starts on %(day)s and is not in the file: it cannot end before it starts")
                    % {"code": code, "day": unit.active_from.isoformat()},
                )
            )
            continue
        unit.active_to = as_of - _ONE_DAY
        ending.append(unit)
        report.ended_units.append((code, unit.name_ru))
    AdminUnit.objects.bulk_update(ending, ["active_to"], batch_size=_CHUNK)
    report.ended = len(ending)
    return errors


def import_kato(source, *, actor=None, progress=None, progress_every=_CHUNK, dry_run=False, as_of=None, encoding=None):
    """Import a KATO extract: all rows or none. Returns the ImportReport; raises KatoImportInvalid on bad rows.

    `progress(done, total, phase)` is called every `progress_every` rows. With `dry_run` the
    counts and listings are computed and nothing is kept. With `as_of` the file is the territory
    from that date on (see the module's docstring).
    """
    header, raw_rows, file_format = read_rows(source, encoding)
    with transaction.atomic():
        report, rows, existing = validate(header, raw_rows, progress, progress_every, as_of=as_of)
        report.file_format = file_format
        if report.errors:
            raise KatoImportInvalid(report)
        late_errors = _write(rows, existing, report, progress, progress_every, as_of)
        if late_errors:
            report.errors = sorted(late_errors, key=lambda error: error.row)
            raise KatoImportInvalid(report)
        if report.created or report.updated or report.ended:
            name = Path(source).name if isinstance(source, str | Path) else getattr(source, "name", "")
            audit.record(
                actor=actor,
                action="territory.kato_imported",
                object_type="territory.adminunit",
                object_id=str(name)[:40],
                data={
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "ended": report.ended,
                    "versioned": report.versioned,
                    "as_of": as_of.isoformat() if as_of else None,
                    "format": file_format,
                },
            )
        if dry_run:
            transaction.set_rollback(True)
    return report
