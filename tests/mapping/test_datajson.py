"""Tests of the data.json mapping over the real catalogues of the shared data.

No database and no CKAN application: the mapping is pure.
"""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path
from typing import Any

import pytest

from ckanext.skpd.mapping import datajson

DATA_DIR = (
    Path(os.environ.get("SKPD_SHARED_DATA", Path(__file__).parents[3] / "shared" / "data"))
    / "datajson"
)

FILES = {
    "kotasemarang.json": 2276,
    "jakarta2.json": 155,
    "magetan02.json": 330,
    "padangpanjang2.json": 4,
    "provinsi-jawa-barat-data.json": 9,
}


def _load(name: str) -> dict[str, Any]:
    path = DATA_DIR / name
    if not path.exists():
        pytest.skip(f"shared data file {path} not found; set SKPD_SHARED_DATA")
    return json.loads(path.read_text("utf-8"))


def _map_file(name: str) -> list[datajson.MappingResult]:
    document = _load(name)
    publisher = datajson.catalogue_publisher(document)
    return [
        datajson.map_record(record, default_publisher=publisher)
        for record in document["dataset"]
    ]


@pytest.fixture(scope="module")
def mapped() -> dict[str, list[datajson.MappingResult]]:
    return {name: _map_file(name) for name in FILES}


class TestWholeFiles:
    @pytest.mark.parametrize(("name", "count"), FILES.items())
    def test_every_record_maps_without_problems(self, mapped, name, count):
        """Each file yields its known number of datasets, none with problems."""
        results = mapped[name]

        assert len(results) == count
        assert [r.problems for r in results if r.problems] == []

    def test_semarang_has_fifty_distinct_publishers(self, mapped):
        """Kota Semarang's 50 publisher names stay 50 SKPD.

        No two of its names are spellings of one SKPD: normalisation only
        drops "Kota Semarang" from BPS, BMKG, Kemenag, PLN and Polrestabes,
        which stay distinct.
        """
        keys = {r.publisher_key for r in mapped["kotasemarang.json"]}

        assert len(keys) == 50
        assert "badan pusat statistik" in keys
        assert "pln" in keys

    def test_all_files_together_have_86_publishers(self, mapped):
        """The five files name 92 distinct publishers; 86 SKPD remain after merging.

        "Dinas Kesehatan" (three files), "Dinas Pendidikan", "Dinas Sosial"
        and others are one SKPD each across files.
        """
        results = [r for results in mapped.values() for r in results]
        raw = {r.publisher.raw for r in results}
        keys = {r.publisher_key for r in results}

        assert len(keys) == 86
        assert len(raw) == 92

    def test_health_office_of_three_files_is_one_skpd(self, mapped):
        """Dinas Kesehatan of Semarang, Jakarta and Magetan is one key."""
        per_file = {
            name: {r.publisher_key for r in results}
            for name, results in mapped.items()
        }

        for name in ("kotasemarang.json", "jakarta2.json", "magetan02.json"):
            assert "dinas kesehatan" in per_file[name]

    def test_padang_panjang_uses_the_catalogue_publisher(self, mapped):
        """Records without a publisher take the catalogue's."""
        titles = {r.publisher_title for r in mapped["padangpanjang2.json"]}

        assert titles == {"Dinas Komunikasi dan Informatika"}

    def test_unmapped_values_per_file(self, mapped):
        """Only the two "20 Tahun Sekali" cadences and two one-letter keywords."""
        counts = {
            name: collections.Counter(
                (field, json.dumps(value)) for r in results for field, value in r.unmapped
            )
            for name, results in mapped.items()
        }

        assert counts["jakarta2.json"] == {
            ("accrualPeriodicity", '"20 Tahun Sekali"'): 2
        }
        assert counts["magetan02.json"] == {
            ("keyword", '["A"]'): 1,
            ("keyword", '["m"]'): 1,
        }
        assert not counts["kotasemarang.json"]
        assert not counts["padangpanjang2.json"]
        assert not counts["provinsi-jawa-barat-data.json"]

    def test_unmapped_value_is_kept_verbatim_on_the_dataset(self, mapped):
        """The unmapped cadence is stored as a JSON object field."""
        result = next(r for r in mapped["jakarta2.json"] if r.unmapped)

        assert result.package["unmapped_values"] == {
            "accrualPeriodicity": "20 Tahun Sekali"
        }
        assert "cadence" not in result.package
        assert "collection_method" not in result.package

    def test_cadences_found_per_file(self, mapped):
        """Every non-null cadence of the files maps, except "20 Tahun Sekali"."""
        cadences = {
            name: collections.Counter(r.package.get("cadence") for r in results)
            for name, results in mapped.items()
        }

        assert cadences["kotasemarang.json"] == {
            None: 2047,
            "annual": 227,
            "semiannual": 2,
        }
        assert cadences["jakarta2.json"] == {
            "annual": 116,
            "monthly": 21,
            "quarterly": 13,
            "semiannual": 3,
            None: 2,
        }
        assert cadences["magetan02.json"] == {"annual": 330}
        assert cadences["padangpanjang2.json"] == {"annual": 4}

    def test_semarang_standard_fields_are_read(self, mapped):
        """Unit, definition and concept come out of Semarang's HTML."""
        results = mapped["kotasemarang.json"]
        count = collections.Counter(
            field
            for r in results
            for field in ("concept", "definition", "unit_of_measure")
            if r.package.get(field)
        )

        assert count["unit_of_measure"] == 2274
        assert count["definition"] == 1269
        assert count["concept"] == 1235
        assert all(r.producer is not None for r in results)

    def test_descriptions_hold_no_html(self, mapped):
        """No description keeps a tag."""
        notes = [
            r.package.get("notes", "") for results in mapped.values() for r in results
        ]

        assert not [n for n in notes if "<br" in n or "<p>" in n]

    def test_tags_follow_ckan_rules(self, mapped):
        """Every tag is 2-100 characters of the allowed set, none repeated."""
        import re

        allowed = re.compile(r"^[\w \-.]{2,100}$")
        for results in mapped.values():
            for result in results:
                names = [t["name"] for t in result.package["tags"]]
                assert all(allowed.match(n) for n in names), names
                assert len({n.lower() for n in names}) == len(names)


class TestSemarangRecord:
    def test_first_record(self, mapped):
        """The stunting record maps its fields, producer and custodian."""
        result = mapped["kotasemarang.json"][0]
        package = result.package

        assert package["concept"] == "Prevalensi Baduta Stunting"
        assert package["definition"].startswith("Stunting adalah kondisi gagal tumbuh")
        assert package["unit_of_measure"] == "%"
        assert result.producer.key == "dinas kesehatan"
        assert result.custodian.title == (
            "Dinas Komunikasi, Informatika, Statistik dan Persandian"
        )
        assert package["contact_email"] == "diskominfo@semarangkota.go.id"
        assert package["access_level"] == "open"
        assert package["domains"] == ["health_services"]
        assert package["url"] == "https://data.semarangkota.go.id/datasektoral/detail/12280"
        assert package["resources"][0]["format"] == "xlsx"
        assert {"key": "guid", "value": "590bd243-7eae-44c2-81e8-2b8a99cd3e44"} in (
            package["extras"]
        )

    def test_private_access_level_is_closed(self, mapped):
        """Semarang's "private" records are closed."""
        levels = collections.Counter(
            r.package["access_level"] for r in mapped["kotasemarang.json"]
        )

        assert levels == {"open": 1313, "closed": 963}


class TestJakartaRecords:
    def test_satuan_and_definisi_lines(self, mapped):
        """"Satuan: Persen" and "Definisi: ..." lines are read."""
        result = next(
            r
            for r in mapped["jakarta2.json"]
            if (r.package.get("notes") or "").startswith("Satuan: Persen")
        )

        assert result.package["unit_of_measure"] == "Persen"
        assert result.package["definition"].startswith("Hasil perhitungan")

    def test_unit_before_a_sentence(self, mapped):
        """"Satuan : %. Total ..." gives the unit "%"."""
        units = collections.Counter(
            r.package.get("unit_of_measure") for r in mapped["jakarta2.json"]
        )

        assert units["%"] >= 5
        assert units["Indeks"] >= 2

    def test_mailto_is_removed(self, mapped):
        """The contact e-mail loses its mailto: prefix."""
        result = mapped["jakarta2.json"][0]

        assert result.package["contact_email"] == "satudataindonesia@jakarta.go.id"


class TestCadence:
    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("Tahunan", "annual"),
            ("tahunan", "annual"),
            ("Semesteran", "semiannual"),
            ("1 Tahun Sekali", "annual"),
            ("1 Bulan Sekali", "monthly"),
            ("3 Bulan Sekali", "quarterly"),
            ("6 Bulan Sekali", "semiannual"),
            ("12 Bulan Sekali", "annual"),
            ("2 Tahun Sekali", "biennial"),
            ("R/P1Y", "annual"),
            ("R/P1M", "monthly"),
            ("R/P3M", "quarterly"),
            ("R/P6M", "semiannual"),
            ("R/P1D", "daily"),
            ("R/P1W", "weekly"),
            ("P1Y", "annual"),
            ("harian", "daily"),
            ("mingguan", "weekly"),
            ("bulanan", "monthly"),
            ("Triwulanan", "quarterly"),
            ("semesteran", "semiannual"),
            ("  TAHUNAN ", "annual"),
            ("tidak tentu", "irregular"),
            ("20 Tahun Sekali", None),
            ("R/P20Y", None),
            ("kadang-kadang", None),
        ],
    )
    def test_cadence_code(self, value, code):
        """Each accrualPeriodicity form maps to its cadence code."""
        assert datajson.cadence_code(value) == code

    def test_null_is_neither_mapped_nor_unmapped(self):
        """A null cadence sets nothing and is not an unmapped value."""
        assert datajson.map_cadence(None) == ({}, None)

    def test_known_cadence_is_routine(self):
        """A cadence makes the collection routine and periodic."""
        fields, unmapped = datajson.map_cadence("Tahunan")

        assert fields == {"collection_method": "routine_periodic", "cadence": "annual"}
        assert unmapped is None

    def test_irregular_is_ad_hoc(self):
        """An irregular cadence means ad hoc collection."""
        fields, _unmapped = datajson.map_cadence("tidak tentu")

        assert fields == {"collection_method": "ad_hoc", "cadence": "irregular"}

    def test_unknown_cadence_is_returned_verbatim(self):
        """"20 Tahun Sekali" is returned as the unmapped value."""
        assert datajson.map_cadence("20 Tahun Sekali") == ({}, "20 Tahun Sekali")


class TestSkpdNames:
    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
            ("Badan Kesatuan Bangsa & Politik", "Badan Kesatuan Bangsa dan Politik"),
            ("Dinas Kesehatan Kota Semarang", "dinas  kesehatan"),
            ("Dinas Kesehatan Kabupaten Magetan", "Dinas Kesehatan"),
            (
                "Dinas Komunikasi, Informatika dan Statistik Provinsi DKI Jakarta",
                "Dinas Komunikasi, Informatika, dan Statistik",
            ),
            ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
            ("BPS Kota Semarang", "Badan Pusat Statistik"),
            ("Satpol PP", "Satuan Polisi Pamong Praja"),
            (
                "Pelaksana Badan Penanggulangan Bencana Daerah",
                "Badan Penanggulangan Bencana daerah",
            ),
        ],
    )
    def test_same_skpd(self, first, second):
        """Two spellings of one SKPD have one key."""
        assert datajson.skpd_key(first) == datajson.skpd_key(second)

    @pytest.mark.parametrize(
        "name",
        ["Kota Administrasi Jakarta Barat", "Dinas Tata Kota dan Perumahan"],
    )
    def test_area_words_inside_a_name_stay(self, name):
        """"Kota" that is part of the name is not cut."""
        assert datajson.skpd_key(name).split()[-1] in {"barat", "perumahan"}

    @pytest.mark.parametrize(
        ("name", "kind", "domains"),
        [
            ("Dinas Kesehatan", "dinas", ("health_services",)),
            ("RSUD Sayidiman", "upt", ("health_services",)),
            ("BPKAD", "badan", ("regional_finance",)),
            ("Badan Pendapatan Daerah", "badan", ("regional_finance",)),
            ("BKPSDM", "badan", ("staffing",)),
            ("Dinas Kependudukan dan Pencatatan Sipil", "dinas", ("population",)),
            ("Dinas Penataan Ruang", "dinas", ("spatial",)),
            ("Dinas Pendidikan", "dinas", ("education",)),
            ("BPS Kota Semarang", "vertical", ()),
            ("BMKG Kota Semarang", "vertical", ("environment",)),
            ("Bagian Hukum", "sekretariat", ("governance",)),
            ("Kecamatan Semarang Tengah", "kecamatan", ("governance",)),
            ("Dinas Pemuda dan Olahraga", "dinas", ()),
        ],
    )
    def test_kind_and_domains(self, name, kind, domains):
        """The kind and domains are guessed from the name."""
        skpd = datajson.parse_skpd(name)

        assert skpd.kind == kind
        assert skpd.domains == domains

    def test_display_title_drops_the_area(self):
        """The title loses the area name and gets consistent case."""
        skpd = datajson.parse_skpd("Dinas Tanaman Pangan Dan Hortikultura Kota Bogor")

        assert skpd.title == "Dinas Tanaman Pangan dan Hortikultura"
        assert skpd.slug == "dinas-tanaman-pangan-dan-hortikultura"

    def test_abbreviation_gets_the_official_title(self):
        """An abbreviation becomes the official name, keeping the abbreviation."""
        skpd = datajson.parse_skpd("BPKAD")

        assert skpd.title == "Badan Pengelolaan Keuangan dan Aset Daerah"
        assert skpd.abbreviation == "BPKAD"

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("Dinas Komunikasi, Informatika dan Statistik Provinsi DKI Jakarta", True),
            ("Dinas Pendidikan", True),
            ("Wali Data Kabupaten Magetan", False),
            (None, False),
        ],
    )
    def test_contact_names_an_skpd(self, name, expected):
        """Only an SKPD name as contact point becomes the custodian."""
        assert datajson.names_an_skpd(name) is expected


class TestRecordFields:
    def _record(self, **fields: Any) -> dict[str, Any]:
        record = {"title": "Jumlah penduduk", "publisher": {"name": "Dinas Kesehatan"}}
        record.update(fields)
        return record

    def test_missing_title_is_a_problem(self):
        """A record without a title cannot be imported."""
        result = datajson.map_record(self._record(title=""))

        assert result.problems and result.problems[0].startswith("title:")

    def test_missing_publisher_is_a_problem(self):
        """Without publisher or default the record names what to set."""
        result = datajson.map_record(self._record(publisher=None))

        assert "default_publisher" in result.problems[0]

    def test_default_publisher(self):
        """The default publisher applies when the record names none."""
        result = datajson.map_record(self._record(publisher=None), "BPKAD")

        assert result.publisher_title == "Badan Pengelolaan Keuangan dan Aset Daerah"
        assert not result.problems

    def test_keywords_are_cleaned(self):
        """Invalid characters go, duplicates go, too-short keywords are unmapped."""
        result = datajson.map_record(
            self._record(keyword=["Kesehatan & Gizi", "kesehatan dan gizi", "x", "a/b"])
        )

        assert result.package["tags"] == [
            {"name": "Kesehatan dan Gizi"},
            {"name": "a b"},
        ]
        assert result.package["unmapped_values"] == {"keyword": ["x"]}

    def test_access_levels(self):
        """POD access levels map to open, limited and closed."""
        levels = [
            datajson.map_record(self._record(accessLevel=level)).package.get(
                "access_level"
            )
            for level in ("public", "restricted public", "non-public")
        ]

        assert levels == ["open", "limited", "closed"]

    def test_vcard_email_and_contact(self):
        """vcard:hasEmail is read; an SKPD contact becomes the custodian."""
        result = datajson.map_record(
            self._record(
                contactPoint={"fn": "Dinas Pendidikan", "vcard:hasEmail": "d@x.go.id"}
            )
        )

        assert result.package["contact_email"] == "d@x.go.id"
        assert result.custodian.key == "dinas pendidikan"

    def test_temporal_and_spatial(self):
        """Temporal dates are read, "-" is skipped, spatial names kept."""
        result = datajson.map_record(
            self._record(
                temporal={"startDate": "2020-01-01", "endDate": "-"},
                spatial={"name": "Kota Padang Panjang"},
            )
        )

        assert result.package["temporal_start"] == "2020-01-01"
        assert "temporal_end" not in result.package
        assert result.package["spatial_coverage"] == "Kota Padang Panjang"

    def test_pod_temporal_interval_text(self):
        """A "start/end" interval string gives both dates."""
        fields, unmapped = datajson.map_temporal("2019-01-01/2021-12-31")

        assert fields == {"temporal_start": "2019-01-01", "temporal_end": "2021-12-31"}
        assert unmapped is None

    def test_html_is_stripped_safely(self):
        """Tags go, encoded tags go too, comparisons stay."""
        text = datajson.html_to_text(
            "<p>a &lt; b<br>c</p><script>alert(1)</script>&lt;img src=x onerror=y&gt;"
        )

        assert text == "a < b\nc"

    def test_definisi_on_following_lines(self):
        """"Definisi :" with its text on the next line is read."""
        fields = datajson.parse_standard_fields(
            "Definisi :\nData PKK dari tingkat Provinsi\n\nKeterangan : x"
        )

        assert fields == {"definition": "Data PKK dari tingkat Provinsi"}

    def test_distribution_access_url_and_media_type(self):
        """accessURL and mediaType fill in for downloadURL and format."""
        resource = datajson.map_distribution(
            {"title": "Data 2024", "accessURL": "https://x/api", "mediaType": "application/json"}
        )

        assert resource["url"] == "https://x/api"
        assert resource["format"] == "application/json"
