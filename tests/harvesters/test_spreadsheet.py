"""The skpd_spreadsheet harvester through the real queues, and the template
downloads."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from ckanext.skpd.mapping import spreadsheet
from tests.harvesters.conftest import call, datasets, make_source, run_job

HEADER = [
    "Kode dataset",
    "Judul",
    "SKPD pemilik",
    "Periode pemutakhiran",
    "Bentuk ketersediaan",
    "Asal-usul data",
    "Kewenangan",
    "Kebutuhan pertukaran",
]
ROWS = [
    [
        "KES-02",
        "Kunjungan puskesmas",
        "Dinas Kesehatan",
        "Bulanan",
        "Database sistem informasi (SIM)",
        "DUK-01 | Divalidasi dengan / merujuk | NIK pasien",
        "Pengumpul | Dinas Kesehatan",
        "Bappeda | Perencanaan | Triwulanan | API | Disepakati",
    ],
    ["DUK-01", "Penduduk per kecamatan", "1.02.03", "Semesteran", "", "", "", ""],
]


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue()


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def disdukcapil_code(skpd_factory):
    return skpd_factory(
        name="disdukcapil",
        title="Dinas Kependudukan dan Pencatatan Sipil",
        skpd_code="1.02.03",
    )


@pytest.mark.usefixtures("with_plugins")
class TestSpreadsheetHarvest:
    @pytest.mark.parametrize("kind", ["csv", "xlsx"])
    def test_rows_become_datasets_with_the_seven_steps(
        self, source_server, owner, consumers, disdukcapil_code, kind
    ):
        """Each row is a dataset; codes, lineage and roles are resolved."""
        body = _csv([HEADER, *ROWS]) if kind == "csv" else _xlsx([HEADER, *ROWS])
        url = source_server.write(f"inventaris.{kind}", body)
        job = run_job(consumers, make_source(url, owner, "skpd_spreadsheet"))

        assert job.statuses == {"added": 2}
        by_title = {d["title"]: d for d in datasets()}
        visits = call("package_show", id=by_title["Kunjungan puskesmas"]["id"])
        population = by_title["Penduduk per kecamatan"]
        assert population["owner_org"] == disdukcapil_code["id"]
        assert visits["cadence"] == "monthly"
        assert visits["collection_method"] == "routine_periodic"
        assert visits["availability_forms"] == ["sim_database"]
        assert visits["lineage"] == [
            {
                "upstream": population["id"],
                "relation": "validated_against",
                "note": "NIK pasien",
            }
        ]
        assert visits["authority_roles"] == [
            {"role": "collector", "holder": visits["owner_org"]}
        ]
        bappeda = call("organization_show", id=visits["exchange_needs"][0]["consumer"])
        assert bappeda["abbreviation"] == "BAPPEDA"

    def test_row_problems_name_row_and_column(
        self, source_server, owner, consumers, disdukcapil_code
    ):
        """A bad row is an object error with its row; the other rows import."""
        bad = ["KES-03", "Rujukan", "Dinas Kesehatan", "Sewindu", "", "", "", ""]
        url = source_server.write("inventaris.csv", _csv([HEADER, *ROWS, bad]))
        job = run_job(consumers, make_source(url, owner, "skpd_spreadsheet"))

        errors = job.object_errors()
        assert list(errors) == ["KES-03"]
        assert (
            'Row 4, column D ("Periode pemutakhiran"): "Sewindu" is not a known value'
            in errors["KES-03"][0]
        )
        failed = next(o for o in job.objects if o.guid == "KES-03")
        assert failed.errors[0].line == 4
        assert len(datasets()) == 2

    def test_repeated_code_and_unknown_column_are_listed(
        self, source_server, owner, consumers, disdukcapil_code
    ):
        """A repeated dataset code and a foreign column appear in the job report."""
        header = [*HEADER, "Catatan"]
        rows = [[*ROWS[1], "x"], [*ROWS[1], "y"]]
        url = source_server.write("inventaris.csv", _csv([header, *rows]))
        job = run_job(consumers, make_source(url, owner, "skpd_spreadsheet"))

        assert any('Column I ("Catatan")' in e for e in job.gather_errors)
        assert any(
            'Row 3 repeats the dataset code "DUK-01"' in e for e in job.gather_errors
        )
        assert job.statuses == {"added": 1}

    def test_not_an_inventory_is_a_job_error(self, source_server, owner, consumers):
        """A sheet without the template header is refused as a whole."""
        url = source_server.write("inventaris.csv", "a;b\n1;2\n")
        job = run_job(consumers, make_source(url, owner, "skpd_spreadsheet"))

        assert "is not the template header" in job.gather_errors[0]
        assert job.objects == []

    def test_unchanged_sheet_is_not_reread(
        self, source_server, owner, consumers, disdukcapil_code
    ):
        """The second run of an unchanged sheet is a 304 and writes nothing."""
        url = source_server.write("inventaris.csv", _csv([HEADER, *ROWS]))
        source = make_source(url, owner, "skpd_spreadsheet")
        run_job(consumers, source)

        second = run_job(consumers, source)

        assert second.objects == []
        assert second.summary["not_modified"] is True


@pytest.mark.usefixtures("with_plugins")
class TestTemplateDownload:
    @pytest.mark.parametrize(
        ("path", "media_type", "first_header"),
        [
            ("id.csv", "text/csv", "Kode dataset"),
            ("en.csv", "text/csv", "Dataset code"),
        ],
    )
    def test_csv(self, app, path, media_type, first_header):
        """The CSV templates carry the headers of their language."""
        response = app.get(f"/skpd/inventory-template/{path}")

        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(media_type)
        text = response.get_data().decode("utf-8-sig")
        assert text.split(",", 1)[0] == first_header

    @pytest.mark.parametrize("lang", ["id", "en"])
    def test_xlsx(self, app, lang):
        """The XLSX templates open as workbooks with the template columns."""
        response = app.get(f"/skpd/inventory-template/{lang}.xlsx")

        workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        headers = [cell.value for cell in workbook.worksheets[0][1]]
        assert headers == [c.header(lang) for c in spreadsheet.COLUMNS]

    def test_page_links_all_four_files(self, app):
        """The template page links the four downloads."""
        page = app.get("/skpd/inventory-template").get_data(as_text=True)

        for path in ("id.xlsx", "id.csv", "en.xlsx", "en.csv"):
            assert f"/skpd/inventory-template/{path}" in page

    def test_unknown_template_is_404(self, app):
        """Another language or format is not found."""
        assert app.get("/skpd/inventory-template/fr.ods").status_code == 404
