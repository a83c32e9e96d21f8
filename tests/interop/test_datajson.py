"""The /data.json document (Project Open Data 1.1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.skpd import vocab
from ckanext.skpd.interop import pod, terms
from ckanext.skpd.mapping import datajson as mapping


def _document(app: Any, **kwargs: Any) -> dict[str, Any]:
    response = app.get("/data.json", **kwargs)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


def _record(document: dict[str, Any], title: str) -> dict[str, Any]:
    return next(r for r in document["dataset"] if r["title"] == title)


def _token(user: str) -> str:
    return call_action(
        "api_token_create", context={"user": user}, user=user, name="datajson"
    )["token"]


class TestPeriodicity:
    @pytest.mark.parametrize(
        ("cadence", "expected"),
        [
            ("daily", "R/P1D"),
            ("weekly", "R/P1W"),
            ("monthly", "R/P1M"),
            ("quarterly", "R/P3M"),
            ("semiannual", "R/P6M"),
            ("annual", "R/P1Y"),
            ("biennial", "R/P2Y"),
            ("triennial", "R/P3Y"),
            ("quinquennial", "R/P5Y"),
            ("irregular", "irregular"),
        ],
    )
    def test_cadence_is_a_repeating_duration(self, cadence, expected):
        """Each cadence is written as an ISO 8601 repeating duration."""
        assert terms.pod_periodicity(cadence) == expected

    def test_every_cadence_reads_back_through_the_mapping(self):
        """The data.json mapping reads every written periodicity back."""
        for code in vocab.codes("cadence"):
            assert mapping.cadence_code(terms.pod_periodicity(code)) == code


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDataJson:
    def test_document_is_a_pod_catalogue(self, app, full_dataset):
        """The document has the POD 1.1 catalogue header and a dataset list."""
        document = _document(app)

        assert document["@type"] == "dcat:Catalog"
        assert document["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
        assert document["@id"].endswith("/data.json")
        assert len(document["dataset"]) == 2

    def test_record_carries_the_skpd_metadata(self, app, full_dataset):
        """A record has publisher, contact, access level and cadence of the SKPD."""
        record = _record(_document(app), full_dataset["title"])

        assert record["publisher"] == {
            "@type": "org:Organization",
            "name": "Dinas Kesehatan",
        }
        assert record["contactPoint"] == {
            "@type": "vcard:Contact",
            "fn": "Seksi Data Kesehatan",
            "hasEmail": "mailto:data@dinkes.example.go.id",
        }
        assert record["accrualPeriodicity"] == "R/P1M"
        assert record["accessLevel"] == "restricted public"
        assert record["rights"] == "Terbatas"
        assert record["temporal"] == "2020-01-01/2023-12-31"
        assert record["spatial"] == "Kota Semarang"
        assert record["keyword"] == ["kesehatan", "puskesmas"]
        assert record["theme"] == ["Kependudukan", "Layanan kesehatan"]
        assert record["identifier"].endswith("/dataset/" + full_dataset["id"])
        assert record["distribution"][0]["downloadURL"].endswith("kunjungan.csv")

    def test_satu_data_fields_close_the_description(self, app, full_dataset):
        """Concept, definition, unit and producer end the description."""
        record = _record(_document(app), full_dataset["title"])

        assert record["description"].startswith(full_dataset["notes"])
        assert "Konsep = Kunjungan pasien" in record["description"]
        assert "Satuan = kunjungan" in record["description"]
        assert (
            "Produsen Data = Dinas Kependudukan dan Pencatatan Sipil"
            in record["description"]
        )

    def test_record_maps_back_onto_the_skpd_schema(self, app, full_dataset):
        """The project's data.json mapping reads a record back into SKPD fields."""
        record = _record(_document(app), full_dataset["title"])

        result = mapping.map_record(record)

        assert result.problems == []
        assert result.publisher.title == "Dinas Kesehatan"
        assert result.producer.title == "Dinas Kependudukan dan Pencatatan Sipil"
        package = result.package
        assert package["cadence"] == "monthly"
        assert package["access_level"] == "limited"
        assert package["concept"] == "Kunjungan pasien"
        assert package["unit_of_measure"] == "kunjungan"
        assert package["temporal_start"] == "2020-01-01"
        assert package["contact_email"] == "data@dinkes.example.go.id"


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDataJsonPermissions:
    @pytest.fixture
    def private_dataset(self, skpd_orgs, sysadmin_name):
        return call_action(
            "package_create",
            context={"user": sysadmin_name},
            name="gaji-pegawai",
            title="Gaji pegawai",
            notes="Rincian gaji.",
            owner_org=skpd_orgs["dinkes"]["id"],
            private=True,
        )

    def test_private_dataset_is_not_listed_to_anonymous(self, app, private_dataset):
        """Anonymous readers never see a private dataset, even when asking."""
        document = _document(app, query_string={"include_private": "true"})

        assert private_dataset["title"] not in json.dumps(document)
        assert private_dataset["id"] not in json.dumps(document)

    def test_member_sees_private_dataset_on_request(
        self, app, private_dataset, skpd_orgs
    ):
        """A member of the owning SKPD gets it with include_private=true."""
        user = factories.User()
        call_action(
            "organization_member_create",
            id=skpd_orgs["dinkes"]["id"],
            username=user["name"],
            role="member",
        )
        headers = {"Authorization": _token(user["name"])}

        without = _document(app, headers=headers)
        with_private = _document(
            app, headers=headers, query_string={"include_private": "true"}
        )

        assert private_dataset["title"] not in json.dumps(without)
        record = _record(with_private, private_dataset["title"])
        assert record["accessLevel"] == "non-public"

    def test_other_users_do_not_see_private_dataset(self, app, private_dataset):
        """A user outside the owning SKPD does not get it, even when asking."""
        user = factories.User()
        headers = {"Authorization": _token(user["name"])}

        document = _document(
            app, headers=headers, query_string={"include_private": "true"}
        )

        assert private_dataset["title"] not in json.dumps(document)


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_large_catalogue_is_written_page_by_page(app, dinkes, monkeypatch):
    """Every dataset appears once when the document spans many search pages."""
    monkeypatch.setattr(pod, "PAGE_SIZE", 2)
    names = [factories.Dataset(owner_org=dinkes["id"])["name"] for _ in range(5)]

    document = _document(app)

    listed = [r["landingPage"].rsplit("/", 1)[1] for r in document["dataset"]]
    assert sorted(listed) == sorted(names)
