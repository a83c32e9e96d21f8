"""Unit tests of the inventory spreadsheet template, reader and row mapping."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from ckanext.skpd.mapping import spreadsheet


def _sheet(rows: list[list[str]]) -> spreadsheet.Sheet:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return spreadsheet.read_csv(buffer.getvalue())


def _row(**values: str) -> tuple[spreadsheet.Sheet, int, dict[str, str]]:
    header = ["Kode dataset", "Judul", "SKPD pemilik", *values]
    data = ["K-1", "Jumlah guru", "Dinas Pendidikan", *values.values()]
    sheet = _sheet([header, data])
    number, row = sheet.rows[0]
    return sheet, number, row


class TestTemplate:
    @pytest.mark.parametrize("lang", ["id", "en"])
    def test_csv_template_reads_back_with_its_example(self, lang):
        """The CSV template's example row maps without problems."""
        sheet = spreadsheet.read_csv(spreadsheet.template_csv(lang).decode("utf-8"))

        number, values = sheet.rows[0]
        result = spreadsheet.map_row(number, values, sheet)

        assert result.problems == []
        assert result.package["cadence"] == "monthly"
        assert result.package["availability_forms"] == ["sim_database", "office_files"]
        assert result.package["authority_roles"][0] == {
            "role": "collector",
            "holder": "Dinas Kesehatan",
        }

    @pytest.mark.parametrize(
        ("lang", "header", "guide"),
        [("id", "Periode pemutakhiran", "Petunjuk"), ("en", "Cadence", "Guide")],
    )
    def test_xlsx_template_has_headers_and_a_guide(self, lang, header, guide):
        """The XLSX template has the headers of its language and a guide sheet."""
        body = spreadsheet.template_xlsx(lang)
        workbook = openpyxl.load_workbook(io.BytesIO(body))

        headers = [cell.value for cell in workbook.worksheets[0][1]]
        assert header in headers
        assert len(headers) == len(spreadsheet.COLUMNS)
        assert workbook.sheetnames[1] == guide
        assert spreadsheet.read_xlsx(body).rows[0][1]["title"]


class TestReader:
    def test_unknown_header_is_listed_and_ignored(self):
        """A header outside the template is a sheet problem with its column."""
        sheet = _sheet([["Judul", "SKPD pemilik", "Catatan internal"], ["A", "B", "x"]])

        assert sheet.problems == [
            'Column C ("Catatan internal") of row 1 is not a template column and '
            "was ignored."
        ]

    def test_missing_required_column_is_an_error(self):
        """Without the title column the sheet is refused, naming the column."""
        with pytest.raises(spreadsheet.SpreadsheetError, match='"Judul" \\("Title"\\)'):
            _sheet([["SKPD pemilik"], ["Dinas Kesehatan"]])

    def test_english_headers_and_comma_separator(self):
        """English headers with commas are read like Indonesian ones."""
        sheet = spreadsheet.read_csv("Title,Owning SKPD\nJumlah guru,Disdik\n")

        assert sheet.rows == [(2, {"title": "Jumlah guru", "owner": "Disdik"})]


class TestMapRow:
    def test_unknown_vocabulary_value_names_row_and_column(self):
        """A wrong cadence is reported by row, column letter and header."""
        sheet, number, row = _row(**{"Periode pemutakhiran": "Sewindu"})

        result = spreadsheet.map_row(number, row, sheet)

        assert result.problems[0].startswith(
            'Row 2, column D ("Periode pemutakhiran"): "Sewindu" is not a known value'
        )

    def test_labels_in_either_language_are_accepted(self):
        """Indonesian and English labels map to the same codes."""
        sheet, number, row = _row(
            **{
                "Tingkat akses": "Limited",
                "Bentuk ketersediaan": "Hardcopy data mentah",
            }
        )

        result = spreadsheet.map_row(number, row, sheet)

        assert result.package["access_level"] == "limited"
        assert result.package["availability_forms"] == ["raw_hardcopy"]

    def test_entries_need_their_parts(self):
        """A role entry without SKPD is a problem of that column."""
        sheet, number, row = _row(Kewenangan="Pengumpul")

        result = spreadsheet.map_row(number, row, sheet)

        assert (
            'column D ("Kewenangan"): the entry "Pengumpul" must be'
            in (result.problems[0])
        )

    def test_lineage_codes_and_uris(self):
        """An upstream that is no URI is kept as a dataset code to resolve."""
        sheet, number, row = _row(
            **{
                "Asal-usul data": "K-2 | Diturunkan dari; "
                "https://x.example/d | copy_of | salinan"
            }
        )

        result = spreadsheet.map_row(number, row, sheet)

        assert result.package["lineage"] == [
            {"upstream": "code:K-2", "relation": "derived_from"},
            {
                "upstream": "https://x.example/d",
                "relation": "copy_of",
                "note": "salinan",
            },
        ]

    def test_routine_collection_without_cadence(self):
        """Routine collection without a cadence is reported on the cadence column."""
        sheet, number, row = _row(**{"Cara pengumpulan": "Rutin-periodik"})

        result = spreadsheet.map_row(number, row, sheet)

        assert "routine and periodic collection needs a cadence" in result.problems[0]

    def test_bad_date_and_email(self):
        """Dates and e-mail addresses are checked with their column."""
        sheet, number, row = _row(
            **{"Cakupan waktu mulai": "kemarin", "Surel kontak": "bukan-surel"}
        )

        problems = spreadsheet.map_row(number, row, sheet).problems

        assert any('"kemarin" is not a date' in p for p in problems)
        assert any('"bukan-surel" is not an e-mail address' in p for p in problems)
