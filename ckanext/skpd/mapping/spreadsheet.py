"""SKPD inventory spreadsheets: the column template, reading and mapping.

Many SKPD keep their data inventory in a spreadsheet. The template below
has one row per dataset and one column per field of the seven analysis
steps; its headers exist in Indonesian and in English, and either (or the
column codes) are accepted when reading. CSV (comma, semicolon or tab
separated, UTF-8) and XLSX (the first sheet) are read.

Values of controlled fields may be written as the code (``monthly``) or
as either label (``Bulanan``, ``Monthly``), in any case. Fields that hold
several values separate them with ``;``. Lineage, exchange needs and
authority roles hold entries separated by ``;``, each entry's parts
separated by ``|``:

- lineage: ``upstream | relation | note`` (the upstream is a dataset of
  this catalogue, the dataset code of another row, or an http(s) URI);
- exchange needs: ``consumer SKPD | purpose | frequency | method | status``;
- authority roles: ``role | SKPD``.

Everything here is pure: no database, no network.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import Any

from ckanext.skpd import vocab


@dataclass(frozen=True)
class Column:
    """A template column: its code, headers, vocabulary and explanation."""

    code: str
    id: str
    en: str
    step: str
    help_id: str
    help_en: str
    vocabulary: str | None = None
    multiple: bool = False
    required: bool = False

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.id

    def help(self, lang: str) -> str:
        return self.help_en if lang == "en" else self.help_id


def _col(*args: Any, **kwargs: Any) -> Column:
    return Column(*args, **kwargs)


COLUMNS: tuple[Column, ...] = (
    _col("dataset_code", "Kode dataset", "Dataset code", "1",
         "Kode tetap dataset di inventaris SKPD; jangan diubah setelah diisi.",
         "A stable code of the dataset in the SKPD inventory; never change it."),
    _col("title", "Judul", "Title", "1",
         "Nama dataset.", "The name of the dataset.", required=True),
    _col("description", "Deskripsi", "Description", "1",
         "Isi dan kegunaan data.", "What the data holds and what it is for."),
    _col("owner", "SKPD pemilik", "Owning SKPD", "1",
         "Nama atau kode SKPD pemilik data.",
         "Name or code of the SKPD that owns the data.", required=True),
    _col("producer", "Produsen data", "Data producer", "1",
         "SKPD yang menghasilkan data, bila berbeda dari pemilik.",
         "The SKPD that produces the data, when not the owner."),
    _col("custodian", "Walidata", "Data custodian", "1",
         "SKPD walidata, biasanya Diskominfo.",
         "The custodian SKPD, usually the ICT office."),
    _col("keywords", "Kata kunci", "Keywords", "1",
         "Dipisah titik koma.", "Separated by semicolons."),
    _col("contact_name", "Nama kontak", "Contact name", "1",
         "Petugas atau bidang yang dapat dihubungi.",
         "Person or unit to contact."),
    _col("contact_email", "Surel kontak", "Contact e-mail", "1",
         "Alamat surel kontak.", "Contact e-mail address."),
    _col("collection_method", "Cara pengumpulan", "Collection method", "2",
         "Rutin-periodik atau insidental.", "Routine and periodic, or ad hoc.",
         vocabulary="collection_method"),
    _col("cadence", "Periode pemutakhiran", "Cadence", "2",
         "Wajib untuk rutin-periodik, mis. Bulanan, Tahunan.",
         "Required for routine collection, e.g. Monthly, Annual.",
         vocabulary="cadence"),
    _col("collection_technique", "Teknik pengumpulan", "Collection technique", "2",
         "Mis. Catatan administrasi, Survei.", "E.g. Administrative records, Survey.",
         vocabulary="collection_technique"),
    _col("availability_forms", "Bentuk ketersediaan", "Availability form", "3",
         "Satu atau lebih, dipisah titik koma.",
         "One or more, separated by semicolons.",
         vocabulary="availability_form", multiple=True),
    _col("information_system", "Nama sistem informasi", "Information system", "3",
         "SIM yang menyimpan data.", "The information system holding the data."),
    _col("lineage", "Asal-usul data", "Lineage", "4",
         "Entri dipisah titik koma: sumber | jenis hubungan | catatan. Sumber berupa "
         "kode dataset baris lain, nama dataset katalog, atau URI http(s).",
         "Entries separated by semicolons: upstream | relation | note. The upstream "
         "is the dataset code of another row, a catalogue dataset name, or an "
         "http(s) URI."),
    _col("exchange_needs", "Kebutuhan pertukaran", "Exchange needs", "5",
         "Entri dipisah titik koma: SKPD pengguna | tujuan | frekuensi | cara | "
         "status.",
         "Entries separated by semicolons: consumer SKPD | purpose | frequency | "
         "method | status."),
    _col("authority_roles", "Kewenangan", "Authority roles", "6",
         "Entri dipisah titik koma: peran | SKPD, mis. Pengumpul | Dinas Kesehatan.",
         "Entries separated by semicolons: role | SKPD, e.g. Collector | Dinas "
         "Kesehatan."),
    _col("exchange_methods", "Cara pertukaran", "Exchange methods", "7",
         "Mis. API; Ekspor berkas.", "E.g. API; File export.",
         vocabulary="exchange_method", multiple=True),
    _col("endpoint_url", "Alamat layanan", "Endpoint URL", "7",
         "URL API atau layanan data.", "URL of the API or data service."),
    _col("domains", "Urusan / domain", "Data domain", "-",
         "Dipisah titik koma.", "Separated by semicolons.",
         vocabulary="domain", multiple=True),
    _col("access_level", "Tingkat akses", "Access level", "-",
         "Terbuka, Terbatas atau Tertutup.", "Open, Limited or Closed.",
         vocabulary="access_level"),
    _col("concept", "Konsep", "Concept", "-",
         "Konsep menurut standar Satu Data.", "Concept per the Satu Data standard."),
    _col("definition", "Definisi", "Definition", "-",
         "Definisi menurut standar Satu Data.",
         "Definition per the Satu Data standard."),
    _col("unit_of_measure", "Satuan", "Unit of measure", "-",
         "Satuan ukuran.", "Unit of measure."),
    _col("reference_code", "Kode referensi", "Reference code", "-",
         "Kode referensi data.", "Reference code of the data."),
    _col("temporal_start", "Cakupan waktu mulai", "Temporal coverage from", "-",
         "Tanggal TTTT-BB-HH atau tahun.", "Date YYYY-MM-DD or a year."),
    _col("temporal_end", "Cakupan waktu sampai", "Temporal coverage to", "-",
         "Tanggal TTTT-BB-HH atau tahun.", "Date YYYY-MM-DD or a year."),
    _col("spatial_coverage", "Cakupan wilayah", "Spatial coverage", "-",
         "Mis. Kota Semarang.", "E.g. Kota Semarang."),
    _col("url", "Halaman sumber", "Source page", "-",
         "Halaman web dataset di SKPD.", "Web page of the dataset at the SKPD."),
)  # fmt: skip

COLUMN_BY_CODE = {column.code: column for column in COLUMNS}

STEP_TITLES = {
    "1": ("1. Inventarisasi", "1. Inventory"),
    "2": ("2. Cara pengumpulan", "2. Collection method"),
    "3": ("3. Bentuk ketersediaan", "3. Availability form"),
    "4": ("4. Keterkaitan data", "4. Relations between data"),
    "5": ("5. Kebutuhan pertukaran", "5. Exchange needs"),
    "6": ("6. Kewenangan", "6. Authority"),
    "7": ("7. Teknologi integrasi", "7. Integration technology"),
    "-": ("Klasifikasi dan standar", "Classification and standard"),
}


class SpreadsheetError(Exception):
    """A spreadsheet that cannot be read as an inventory, with the reason."""


def _key(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


_HEADER_INDEX: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.code, _column.id, _column.en):
        _HEADER_INDEX[_key(_name)] = _column.code


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Sheet:
    """The rows of an inventory, with where each value came from.

    :ivar columns: column code -> 0-based column index
    :ivar rows: ``(row number, {code: text})`` for each non-empty row
    :ivar headers: column code -> the header as written
    :ivar problems: problems of the sheet as a whole (unknown headers)
    """

    columns: dict[str, int]
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]
    problems: list[str] = field(default_factory=list)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet(raw_rows: list[tuple[int, list[Any]]]) -> Sheet:
    rows = [(number, [_cell_text(v) for v in values]) for number, values in raw_rows]
    rows = [(number, values) for number, values in rows if any(values)]
    if not rows:
        raise SpreadsheetError("the spreadsheet is empty")
    header_row, header = rows[0]
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    problems: list[str] = []
    for index, name in enumerate(header):
        if not name:
            continue
        code = _HEADER_INDEX.get(_key(name))
        if code is None:
            problems.append(
                f'Column {column_letter(index)} ("{name}") of row {header_row} is '
                "not a template column and was ignored."
            )
        elif code in columns:
            problems.append(
                f'Column {column_letter(index)} ("{name}") repeats column '
                f"{column_letter(columns[code])}; only the first is read."
            )
        else:
            columns[code] = index
            headers[code] = name
    missing = [c for c in COLUMNS if c.required and c.code not in columns]
    if missing:
        names = ", ".join(f'"{c.id}" ("{c.en}")' for c in missing)
        raise SpreadsheetError(
            f"row {header_row} is not the template header: the required "
            f"column(s) {names} are missing. Download the template and keep its "
            "first row."
        )
    data = []
    for number, values in rows[1:]:
        record = {
            code: values[index] if index < len(values) else ""
            for code, index in columns.items()
        }
        if any(record.values()):
            data.append((number, record))
    return Sheet(columns, headers, data, problems)


def read_csv(text: str) -> Sheet:
    """Read an inventory from CSV text (comma, semicolon or tab separated)."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        rows = [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as err:
        raise SpreadsheetError(f"the CSV text cannot be read ({err})") from err
    return _sheet(rows)


def read_xlsx(body: bytes) -> Sheet:
    """Read an inventory from the first sheet of an XLSX workbook."""
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(body), read_only=True, data_only=True
        )
    except (BadZipFile, KeyError, ValueError, OSError) as err:
        raise SpreadsheetError(f"the file is not an XLSX workbook ({err})") from err
    try:
        sheet = workbook.worksheets[0]
        rows = [
            (number, list(values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return _sheet(rows)


def is_xlsx(body: bytes) -> bool:
    return body[:4] == b"PK\x03\x04"


# Mapping a row -------------------------------------------------------------


def _term_index(vocabulary: str) -> dict[str, str]:
    index = {}
    for term in vocab.terms(vocabulary):
        for name in (term.code, term.id, term.en):
            index[_key(name)] = term.code
    return index


def _choices(vocabulary: str) -> str:
    return ", ".join(term.id for term in vocab.terms(vocabulary))


@dataclass
class RowResult:
    """A row mapped onto the SKPD schema.

    Organization fields hold SKPD names or codes as written; the harvester
    resolves them. ``lineage`` upstreams that are dataset codes of other
    rows are kept as ``code:<dataset code>``.
    """

    package: dict[str, Any]
    problems: list[str] = field(default_factory=list)


class _Row:
    def __init__(self, number: int, values: dict[str, str], sheet: Sheet) -> None:
        self.number = number
        self.values = values
        self.sheet = sheet
        self.problems: list[str] = []

    def where(self, code: str) -> str:
        column = self.sheet.columns.get(code)
        letter = column_letter(column) if column is not None else "?"
        header = self.sheet.headers.get(code) or COLUMN_BY_CODE[code].id
        return f'Row {self.number}, column {letter} ("{header}")'

    def problem(self, code: str, message: str) -> None:
        self.problems.append(f"{self.where(code)}: {message}")

    def text(self, code: str) -> str:
        return self.values.get(code, "").strip()

    def term(self, code: str, vocabulary: str, value: str | None = None) -> str | None:
        value = self.text(code) if value is None else value
        if not value:
            return None
        found = _term_index(vocabulary).get(_key(value))
        if found is None:
            self.problem(
                code,
                f'"{value}" is not a known value; use one of: {_choices(vocabulary)}.',
            )
        return found

    def terms(self, code: str, vocabulary: str) -> list[str]:
        found = []
        for part in _split(self.text(code)):
            term = self.term(code, vocabulary, part)
            if term and term not in found:
                found.append(term)
        return found


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date(row: _Row, code: str) -> str | None:
    text = row.text(code)
    if not text:
        return None
    match = _DATE.match(text.split("T")[0].split(" ")[0])
    if match:
        year, month, day = match.group(1), match.group(2) or "1", match.group(3) or "1"
        try:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            pass
    row.problem(code, f'"{text}" is not a date; write YYYY-MM-DD or a year.')
    return None


def _lineage(row: _Row) -> list[dict[str, str]]:
    entries = []
    for entry in _split(row.text("lineage")):
        parts = [p.strip() for p in entry.split("|")]
        upstream = parts[0]
        relation = row.term(
            "lineage", "relation_type", parts[1] if len(parts) > 1 else ""
        )
        if len(parts) < 2 or not parts[1]:
            row.problem(
                "lineage",
                f'the entry "{entry}" has no relation; write upstream | relation, '
                f"with a relation from: {_choices('relation_type')}.",
            )
            continue
        if relation is None:
            continue
        if not upstream.startswith(("http://", "https://")):
            upstream = "code:" + upstream
        item = {"upstream": upstream, "relation": relation}
        if len(parts) > 2 and parts[2]:
            item["note"] = parts[2]
        entries.append(item)
    return entries


def _needs(row: _Row) -> list[dict[str, Any]]:
    needs = []
    for entry in _split(row.text("exchange_needs")):
        parts = [p.strip() for p in entry.split("|")] + [""] * 5
        consumer, purpose, frequency, method, status = parts[:5]
        if not consumer or not status:
            row.problem(
                "exchange_needs",
                f'the entry "{entry}" needs at least the consumer SKPD and a status: '
                f"consumer | purpose | frequency | method | status, with a status "
                f"from: {_choices('exchange_status')}.",
            )
            continue
        need: dict[str, Any] = {"consumer": consumer, "status": None}
        need["status"] = row.term("exchange_needs", "exchange_status", status)
        if purpose:
            need["purpose"] = purpose
        if frequency:
            need["frequency"] = row.term("exchange_needs", "cadence", frequency)
        if method:
            need["method"] = row.term("exchange_needs", "exchange_method", method)
        if all(value is not None for value in need.values()):
            needs.append(need)
    return needs


def _roles(row: _Row) -> list[dict[str, str]]:
    roles = []
    for entry in _split(row.text("authority_roles")):
        parts = [p.strip() for p in entry.split("|")]
        if len(parts) != 2 or not all(parts):
            row.problem(
                "authority_roles",
                f'the entry "{entry}" must be role | SKPD, with a role from: '
                f"{_choices('authority_role')}.",
            )
            continue
        role = row.term("authority_roles", "authority_role", parts[0])
        if role:
            roles.append({"role": role, "holder": parts[1]})
    return roles


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_FIELDS = (
    "title",
    "contact_name",
    "information_system",
    "concept",
    "definition",
    "unit_of_measure",
    "reference_code",
    "spatial_coverage",
)


def _map_text(row: _Row, package: dict[str, Any]) -> None:
    for code in _TEXT_FIELDS:
        if row.text(code):
            package[code] = row.text(code)
    if not row.text("title"):
        row.problem("title", "every dataset needs a title.")
    if not row.text("owner"):
        row.problem("owner", "name the SKPD that owns the dataset (name or code).")
    else:
        package["owner_org"] = row.text("owner")
    for code in ("producer", "custodian"):
        if row.text(code):
            package[code] = row.text(code)
    if row.text("description"):
        package["notes"] = row.text("description")
    package["tags"] = [{"name": tag} for tag in _split(row.text("keywords"))]


def _map_addresses(row: _Row, package: dict[str, Any]) -> None:
    email = row.text("contact_email")
    if email and not _EMAIL.match(email):
        row.problem("contact_email", f'"{email}" is not an e-mail address.')
    elif email:
        package["contact_email"] = email
    for code in ("url", "endpoint_url"):
        value = row.text(code)
        if value and not value.startswith(("http://", "https://")):
            row.problem(
                code, f'"{value}" is not a web address; start it with https://.'
            )
        elif value:
            package[code] = value


def _map_dates(row: _Row, package: dict[str, Any]) -> None:
    for code in ("temporal_start", "temporal_end"):
        date = _date(row, code)
        if date:
            package[code] = date
    if package.get("temporal_start", "") > package.get("temporal_end", "9999"):
        row.problem(
            "temporal_end", "the end of the temporal coverage is before its start."
        )


def map_row(number: int, values: dict[str, str], sheet: Sheet) -> RowResult:
    """Map one inventory row onto the SKPD dataset schema."""
    row = _Row(number, values, sheet)
    package: dict[str, Any] = {}
    _map_text(row, package)
    _map_addresses(row, package)
    _map_vocabularies(row, package)
    _map_dates(row, package)
    for code, entries in (
        ("lineage", _lineage(row)),
        ("exchange_needs", _needs(row)),
        ("authority_roles", _roles(row)),
    ):
        if entries:
            package[code] = entries
    return RowResult(package, row.problems)


def _map_vocabularies(row: _Row, package: dict[str, Any]) -> None:
    for code in (
        "collection_method",
        "cadence",
        "collection_technique",
        "access_level",
    ):
        term = row.term(code, COLUMN_BY_CODE[code].vocabulary or code)
        if term:
            package[code] = term
    for code in ("availability_forms", "exchange_methods", "domains"):
        terms = row.terms(code, COLUMN_BY_CODE[code].vocabulary or code)
        if terms:
            package[code] = terms
    if package.get("cadence") and "collection_method" not in package:
        method = "ad_hoc" if package["cadence"] == "irregular" else "routine_periodic"
        package["collection_method"] = method
    if package.get("collection_method") == "routine_periodic" and not package.get(
        "cadence"
    ):
        row.problem(
            "cadence",
            "routine and periodic collection needs a cadence; use one of: "
            f"{_choices('cadence')}.",
        )


# The template ----------------------------------------------------------------

EXAMPLE_ROW = {
    "dataset_code": "DINKES-001",
    "title": "Jumlah kunjungan puskesmas per bulan",
    "description": "Kunjungan pasien ke puskesmas menurut kecamatan.",
    "owner": "Dinas Kesehatan",
    "custodian": "Dinas Komunikasi dan Informatika",
    "keywords": "kesehatan; puskesmas",
    "contact_name": "Seksi Data dan Informasi",
    "collection_method": "Rutin-periodik",
    "cadence": "Bulanan",
    "collection_technique": "Catatan administrasi",
    "availability_forms": "Database sistem informasi (SIM); "
    "Berkas aplikasi perkantoran",
    "information_system": "SIMPUS",
    "lineage": "https://data.example.go.id/dataset/penduduk | "
    "Divalidasi dengan / merujuk",
    "exchange_needs": "Bappeda | Perencanaan program kesehatan | Triwulanan | API | "
    "Disepakati",
    "authority_roles": "Pengumpul | Dinas Kesehatan; Penyedia | Dinas Komunikasi dan "
    "Informatika",
    "exchange_methods": "API",
    "domains": "Layanan kesehatan",
    "access_level": "Terbuka",
    "unit_of_measure": "kunjungan",
    "temporal_start": "2023-01-01",
    "spatial_coverage": "Kota Semarang",
}


def template_rows(lang: str) -> list[list[str]]:
    """Return the header row and one example row of the template."""
    header = [column.header(lang) for column in COLUMNS]
    example = [EXAMPLE_ROW.get(column.code, "") for column in COLUMNS]
    return [header, example]


def template_csv(lang: str) -> bytes:
    """Return the CSV template (UTF-8 with BOM, so spreadsheet programs read it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(template_rows(lang))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _guide_rows(lang: str) -> list[list[str]]:
    en = lang == "en"
    rows = [
        ["Column", "Step", "Required", "What to write", "Allowed values"]
        if en
        else ["Kolom", "Langkah", "Wajib", "Isian", "Nilai yang diterima"]
    ]
    for column in COLUMNS:
        step = STEP_TITLES[column.step][1 if en else 0]
        required = ("yes" if en else "ya") if column.required else ""
        allowed = ""
        if column.vocabulary:
            allowed = "; ".join(
                term.en if en else term.id for term in vocab.terms(column.vocabulary)
            )
        rows.append([column.header(lang), step, required, column.help(lang), allowed])
    return rows


def template_xlsx(lang: str) -> bytes:
    """Return the XLSX template: the inventory sheet and a guide sheet."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Inventory" if lang == "en" else "Inventaris"
    for row in template_rows(lang):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 24

    guide = workbook.create_sheet("Guide" if lang == "en" else "Petunjuk")
    for row in _guide_rows(lang):
        guide.append(row)
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (26, 26, 8, 60, 60), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
