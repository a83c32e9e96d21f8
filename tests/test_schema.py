"""The SKPD dataset and organization schemas, through the Action API."""

from __future__ import annotations

import json
from typing import Any

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.skpd import vocab


def _dataset(owner: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data = {
        "name": "jumlah-penduduk",
        "title": "Jumlah penduduk menurut kecamatan",
        "owner_org": owner["id"],
    }
    data.update(fields)
    return data


def _site_user() -> dict[str, Any]:
    return {"user": call_action("get_site_user", context={"ignore_auth": True})["name"]}


def _create(owner: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return call_action("package_create", context=_site_user(), **_dataset(owner, **fields))


def _errors(owner: dict[str, Any], **fields: Any) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as info:
        _create(owner, **fields)
    return info.value.error_dict


def _dataset_count() -> int:
    return model.Session.query(model.Package).count()


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestControlledFields:
    @pytest.mark.parametrize(
        "field, vocabulary",
        [
            ("collection_technique", "collection_technique"),
            ("access_level", "access_level"),
        ],
    )
    def test_every_code_accepted(self, disdukcapil, field, vocabulary):
        """Each code of a single-choice vocabulary is stored as it is."""
        for number, code in enumerate(vocab.codes(vocabulary)):
            dataset = _create(disdukcapil, name=f"ds-{number}", **{field: code})

            assert dataset[field] == code

    @pytest.mark.parametrize(
        "field",
        ["collection_method", "cadence", "collection_technique", "access_level"],
    )
    def test_unknown_code_rejected(self, disdukcapil, field):
        """An unknown code is a field error that lists the allowed codes."""
        errors = _errors(disdukcapil, **{field: "sometimes"})

        assert field in errors
        assert '"sometimes"' in errors[field][0]
        assert vocab.codes(field if field != "collection_technique" else field)[0] in (
            errors[field][0]
        )
        assert _dataset_count() == 0

    def test_multiple_choice_stored_as_list(self, disdukcapil):
        """Availability forms come back as a list in vocabulary order."""
        dataset = _create(
            disdukcapil, availability_forms=["raw_hardcopy", "sim_database"]
        )

        assert dataset["availability_forms"] == ["sim_database", "raw_hardcopy"]

    def test_multiple_choice_accepts_comma_text(self, disdukcapil):
        """A comma-separated string is read as a list of codes."""
        dataset = _create(disdukcapil, domains="population, health_services")

        assert dataset["domains"] == ["population", "health_services"]

    def test_multiple_choice_rejects_unknown(self, disdukcapil):
        """One unknown code in a list rejects the list and names the code."""
        errors = _errors(disdukcapil, exchange_methods=["api", "fax"])

        assert '"fax"' in errors["exchange_methods"][0]
        assert "manual_delivery" in errors["exchange_methods"][0]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestCollection:
    def test_periodic_with_cadence(self, disdukcapil):
        """Routine collection with a cadence is stored."""
        dataset = _create(
            disdukcapil, collection_method="routine_periodic", cadence="monthly"
        )

        assert dataset["collection_method"] == "routine_periodic"
        assert dataset["cadence"] == "monthly"

    def test_periodic_without_cadence_rejected(self, disdukcapil):
        """Routine collection without a cadence is an error on the cadence."""
        errors = _errors(disdukcapil, collection_method="routine_periodic")

        assert list(errors) == ["cadence"]
        assert "cadence is required" in errors["cadence"][0]
        assert _dataset_count() == 0

    def test_ad_hoc_with_fixed_cadence_rejected(self, disdukcapil):
        """Ad hoc collection cannot carry a fixed cadence."""
        errors = _errors(disdukcapil, collection_method="ad_hoc", cadence="annual")

        assert '"annual"' in errors["cadence"][0]

    def test_ad_hoc_irregular_accepted(self, disdukcapil):
        """Ad hoc collection may say its cadence is irregular."""
        dataset = _create(disdukcapil, collection_method="ad_hoc", cadence="irregular")

        assert dataset["cadence"] == "irregular"


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLineage:
    def test_upstream_stored_by_id(self, disdukcapil, dinkes):
        """An upstream given by name is stored as the dataset's id."""
        population = _create(disdukcapil)
        health = _create(
            dinkes,
            name="kunjungan-puskesmas",
            lineage=[{"upstream": population["name"], "relation": "validated_against"}],
        )

        assert health["lineage"][0]["upstream"] == population["id"]
        assert health["lineage"][0]["relation"] == "validated_against"

    def test_external_uri_kept(self, dinkes):
        """An external http(s) URI is kept as it is."""
        uri = "https://data.go.id/dataset/jumlah-penduduk"
        dataset = _create(dinkes, lineage=[{"upstream": uri, "relation": "copy_of"}])

        assert dataset["lineage"][0]["upstream"] == uri

    def test_missing_upstream_rejected(self, dinkes):
        """A lineage entry naming no existing dataset is a field error."""
        errors = _errors(
            dinkes, lineage=[{"upstream": "no-such-dataset", "relation": "derived_from"}]
        )

        assert '"no-such-dataset" not found' in errors["lineage"][0]["upstream"][0]
        assert _dataset_count() == 0

    def test_self_reference_rejected(self, dinkes):
        """A dataset cannot name itself as its upstream."""
        dataset = _create(dinkes)
        with pytest.raises(tk.ValidationError) as info:
            call_action(
                "package_patch",
                context=_site_user(),
                id=dataset["id"],
                lineage=[{"upstream": dataset["name"], "relation": "copy_of"}],
            )

        assert "own upstream" in info.value.error_dict["lineage"][0]["upstream"][0]
        assert call_action("package_show", id=dataset["id"]).get("lineage", []) == []

    def test_unknown_relation_rejected(self, dinkes):
        """The relation type is a controlled code."""
        uri = "https://example.org/x"
        errors = _errors(dinkes, lineage=[{"upstream": uri, "relation": "inspired_by"}])

        assert '"inspired_by"' in errors["lineage"][0]["relation"][0]

    def test_private_upstream_hidden_from_outsider(self, disdukcapil, dinkes):
        """A private dataset the user cannot read is reported as not found."""
        secret = _create(disdukcapil, name="nik-lengkap", private=True)
        outsider = factories.User()
        call_action(
            "organization_member_create",
            id=dinkes["id"],
            username=outsider["name"],
            role="editor",
        )
        context = {"user": outsider["name"], "ignore_auth": False}
        with pytest.raises(tk.ValidationError) as info:
            call_action(
                "package_create",
                context=context,
                **_dataset(
                    dinkes,
                    lineage=[{"upstream": secret["id"], "relation": "derived_from"}],
                ),
            )

        assert "not found" in info.value.error_dict["lineage"][0]["upstream"][0]

    def test_blank_form_rows_dropped(self, dinkes):
        """An entry with every subfield blank is dropped, not rejected."""
        dataset = _create(
            dinkes, lineage=[{"upstream": "", "relation": "", "note": ""}]
        )

        assert dataset.get("lineage", []) == []


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestRolesAndExchange:
    def test_roles_stored_by_organization_id(self, disdukcapil, dinkes):
        """Role holders given by name are stored as organization ids."""
        dataset = _create(
            disdukcapil,
            authority_roles=[
                {"role": "collector", "holder": "disdukcapil"},
                {"role": "user", "holder": dinkes["name"]},
            ],
        )

        holders = [role["holder"] for role in dataset["authority_roles"]]
        assert holders == [disdukcapil["id"], dinkes["id"]]

    def test_role_with_missing_organization_rejected(self, disdukcapil):
        """A role naming no existing organization is a field error."""
        errors = _errors(
            disdukcapil, authority_roles=[{"role": "user", "holder": "dinas-hantu"}]
        )

        assert '"dinas-hantu" not found' in errors["authority_roles"][0]["holder"][0]
        assert _dataset_count() == 0

    def test_unknown_role_rejected(self, disdukcapil):
        """The role is a controlled code."""
        errors = _errors(
            disdukcapil, authority_roles=[{"role": "boss", "holder": "disdukcapil"}]
        )

        assert '"boss"' in errors["authority_roles"][0]["role"][0]

    def test_exchange_need_stored(self, disdukcapil, dinkes):
        """An exchange need keeps its consumer, method, frequency and status."""
        dataset = _create(
            disdukcapil,
            exchange_needs=[
                {
                    "consumer": "dinas-kesehatan",
                    "purpose": "Validasi NIK pasien",
                    "frequency": "monthly",
                    "method": "api",
                    "status": "running",
                }
            ],
        )

        need = dataset["exchange_needs"][0]
        assert need["consumer"] == dinkes["id"]
        assert need["status"] == "running"

    def test_exchange_need_without_status_rejected(self, disdukcapil, dinkes):
        """The status of an exchange need is required."""
        errors = _errors(
            disdukcapil, exchange_needs=[{"consumer": dinkes["name"], "method": "api"}]
        )

        assert "status" in errors["exchange_needs"][0]

    def test_producer_and_custodian_by_id(self, disdukcapil, dinkes):
        """Producer and custodian organizations are stored by id."""
        dataset = _create(disdukcapil, producer="disdukcapil", custodian=dinkes["name"])

        assert dataset["producer"] == disdukcapil["id"]
        assert dataset["custodian"] == dinkes["id"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestOtherFields:
    def test_standard_fields_stored(self, disdukcapil):
        """Satu Data standard fields and coverage are stored."""
        dataset = _create(
            disdukcapil,
            concept="Penduduk",
            definition="Orang yang berdomisili di wilayah kota",
            unit_of_measure="jiwa",
            reference_code="SDI-0001",
            temporal_start="2020-01-01",
            temporal_end="2024-12-31",
            spatial_coverage="Kota Semarang",
        )

        assert dataset["unit_of_measure"] == "jiwa"
        assert dataset["temporal_end"] == "2024-12-31"

    def test_temporal_end_before_start_rejected(self, disdukcapil):
        """A coverage that ends before it starts is an error on the end date."""
        errors = _errors(
            disdukcapil, temporal_start="2024-01-01", temporal_end="2020-01-01"
        )

        assert "before the start date" in errors["temporal_end"][0]

    def test_invalid_geojson_rejected(self, disdukcapil):
        """The spatial extent must be a GeoJSON geometry."""
        errors = _errors(disdukcapil, spatial='{"type": "Polygon"}')

        assert "GeoJSON" in errors["spatial"][0]

    def test_unmapped_values_round_trip(self, disdukcapil):
        """Unmapped harvest values are kept as a JSON object."""
        dataset = _create(
            disdukcapil, unmapped_values={"accrualPeriodicity": "20 Tahun Sekali"}
        )

        assert dataset["unmapped_values"] == {"accrualPeriodicity": "20 Tahun Sekali"}


@pytest.mark.usefixtures("with_plugins")
class TestOrganizationSchema:
    def test_fields_stored(self, dinkes):
        """The SKPD fields of an organization are stored and normalised."""
        org = call_action("organization_show", id=dinkes["id"])

        assert org["abbreviation"] == "DINKES"
        assert org["skpd_code"] == "1.02.01"
        assert org["kind"] == "dinas"
        assert org["urusan"] == ["health_services"]
        assert org["satu_data_role"] == "produsen_data"

    def test_duplicate_code_rejected(self, dinkes, skpd_factory):
        """Two SKPD cannot share a code."""
        with pytest.raises(tk.ValidationError) as info:
            skpd_factory(name="dinas-lain", skpd_code="1.02.01")

        assert "Dinas Kesehatan" in info.value.error_dict["skpd_code"][0] or (
            "dinas-kesehatan" in info.value.error_dict["skpd_code"][0]
        )

    def test_unknown_kind_rejected(self, skpd_factory):
        """The kind of unit is a controlled code."""
        with pytest.raises(tk.ValidationError) as info:
            skpd_factory(name="dinas-x", kind="ministry")

        assert '"ministry"' in info.value.error_dict["kind"][0]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestFacets:
    def test_multi_valued_facets(self, disdukcapil, dinkes):
        """package_search facets count each value of a multi-valued field."""
        _create(
            disdukcapil,
            name="ds-a",
            collection_method="routine_periodic",
            cadence="annual",
            availability_forms=["sim_database", "office_files"],
            domains=["population"],
            access_level="open",
            authority_roles=[{"role": "user", "holder": dinkes["name"]}],
        )
        _create(
            dinkes,
            name="ds-b",
            collection_method="routine_periodic",
            cadence="monthly",
            availability_forms=["office_files"],
            domains=["health_services", "population"],
            access_level="limited",
        )

        result = call_action(
            "package_search",
            **{
                "facet.field": json.dumps(
                    [
                        "skpd_collection_method",
                        "skpd_cadence",
                        "skpd_availability",
                        "skpd_domain",
                        "skpd_access_level",
                        "skpd_role_holder",
                    ]
                )
            },
        )
        facets = result["facets"]

        assert facets["skpd_collection_method"] == {"routine_periodic": 2}
        assert facets["skpd_cadence"] == {"annual": 1, "monthly": 1}
        assert facets["skpd_availability"] == {"office_files": 2, "sim_database": 1}
        assert facets["skpd_domain"] == {"population": 2, "health_services": 1}
        assert facets["skpd_access_level"] == {"open": 1, "limited": 1}
        assert facets["skpd_role_holder"] == {"dinas-kesehatan": 1}

    def test_filter_by_facet_value(self, disdukcapil):
        """A facet value filters the search with an fq term."""
        _create(disdukcapil, name="ds-a", availability_forms=["raw_hardcopy"])
        _create(disdukcapil, name="ds-b", availability_forms=["sim_database"])

        result = call_action("package_search", fq='skpd_availability:"raw_hardcopy"')

        assert [d["name"] for d in result["results"]] == ["ds-a"]

    def test_facet_items_carry_labels(self, disdukcapil):
        """search_facets give the label of a code as its display name."""
        _create(disdukcapil, collection_method="routine_periodic", cadence="quarterly")

        result = call_action(
            "package_search", **{"facet.field": json.dumps(["skpd_cadence"])}
        )
        items = result["search_facets"]["skpd_cadence"]["items"]

        assert items[0]["name"] == "quarterly"
        assert items[0]["display_name"] in ("Triwulanan", "Quarterly")


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLongText:
    def test_long_title_rejected(self, disdukcapil):
        """A title beyond 500 characters is a field error, not a Solr failure."""
        errors = _errors(disdukcapil, title="x" * 501)

        assert "501" in errors["title"][0]
        assert _dataset_count() == 0

    def test_long_definition_indexed(self, disdukcapil):
        """A definition longer than one Solr string term is stored and searchable."""
        definition = "penduduk " * 5000

        dataset = _create(disdukcapil, definition=definition)
        found = call_action("package_search", q="penduduk", rows=1)

        assert len(dataset["definition"]) == len(definition)
        assert found["count"] == 1

    def test_many_lineage_entries(self, disdukcapil):
        """Three hundred lineage entries validate and are all stored."""
        entries = [
            {"upstream": f"https://example.org/sumber/{number}", "relation": "copy_of"}
            for number in range(300)
        ]

        dataset = _create(disdukcapil, lineage=entries)

        assert len(dataset["lineage"]) == 300
