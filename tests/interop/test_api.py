"""The Action API as clients use it: ckanapi.RemoteCKAN over real HTTP
against a running site (the ``live_site`` server shares the test database
and Solr core)."""

from __future__ import annotations

import json
from typing import Any

import ckanapi
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

USER_AGENT = "ckanext-skpd-tests/1.0"


def _token(user: str) -> str:
    return call_action(
        "api_token_create", context={"user": user}, user=user, name="api"
    )["token"]


@pytest.fixture
def editor(skpd_orgs: dict[str, Any]) -> dict[str, Any]:
    """An editor of the health office, with an API token."""
    user = factories.User()
    call_action(
        "organization_member_create",
        id=skpd_orgs["dinkes"]["id"],
        username=user["name"],
        role="editor",
    )
    return {"name": user["name"], "token": _token(user["name"])}


def _client(base_url: str, token: str | None = None) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(base_url, apikey=token, user_agent=USER_AGENT)


def _new_dataset(orgs: dict[str, Any], upstream_id: str) -> dict[str, Any]:
    return {
        "name": "imunisasi-balita",
        "title": "Imunisasi balita",
        "notes": "Cakupan imunisasi dasar lengkap.",
        "owner_org": orgs["dinkes"]["name"],
        "collection_method": "routine_periodic",
        "cadence": "monthly",
        "domains": ["health_services"],
        "lineage": [{"upstream": upstream_id, "relation": "validated_against"}],
        "authority_roles": [
            {"role": "collector", "holder": orgs["dinkes"]["name"]},
            {"role": "custodian", "holder": orgs["diskominfo"]["name"]},
        ],
    }


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestSearch:
    def test_facets_count_skpd_fields(self, live_site, full_dataset, upstream_dataset):
        """package_search returns SKPD facets with counts and labels."""
        result = _client(live_site).call_action(
            "package_search",
            {"facet.field": ["skpd_domain", "skpd_cadence", "skpd_role_holder"]},
        )

        facets = result["search_facets"]
        domains = {i["name"]: i for i in facets["skpd_domain"]["items"]}
        assert domains["health_services"]["count"] == 1
        assert domains["health_services"]["display_name"] == "Layanan kesehatan"
        cadences = {i["name"]: i["count"] for i in facets["skpd_cadence"]["items"]}
        assert cadences == {"monthly": 1, "semiannual": 1}
        holders = {i["name"] for i in facets["skpd_role_holder"]["items"]}
        assert holders == {"dinas-kesehatan", "diskominfo", "bps-kota"}

    def test_filter_on_skpd_field(self, live_site, full_dataset, upstream_dataset):
        """An fq on an skpd_* field selects the datasets with that value."""
        result = _client(live_site).action.package_search(
            fq="skpd_role_holder:bps-kota"
        )

        assert [d["name"] for d in result["results"]] == [full_dataset["name"]]

    def test_filter_on_role_pair(self, live_site, full_dataset, upstream_dataset):
        """A quoted role:holder pair selects the datasets with that role."""
        result = _client(live_site).action.package_search(
            fq='skpd_role_pair:"custodian:diskominfo"'
        )

        assert [d["name"] for d in result["results"]] == [full_dataset["name"]]

    def test_package_show_has_skpd_fields(self, live_site, full_dataset):
        """package_show returns the SKPD fields as typed JSON values."""
        dataset = _client(live_site).action.package_show(id=full_dataset["name"])

        assert dataset["availability_forms"] == ["sim_database", "office_files"]
        assert dataset["lineage"][1]["relation"] == "aggregated_from"
        assert dataset["unmapped_values"] == {"keyword": ["!!"]}


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestWrite:
    def test_create_with_lineage_and_roles(
        self, live_site, editor, skpd_orgs, upstream_dataset
    ):
        """An editor creates a dataset with lineage and authority roles."""
        client = _client(live_site, editor["token"])

        created = client.action.package_create(
            **_new_dataset(skpd_orgs, upstream_dataset["name"])
        )

        assert created["lineage"][0]["upstream"] == upstream_dataset["id"]
        roles = {(r["role"], r["holder"]) for r in created["authority_roles"]}
        assert ("custodian", skpd_orgs["diskominfo"]["id"]) in roles

    def test_update_changes_the_skpd_fields(
        self, live_site, editor, skpd_orgs, upstream_dataset
    ):
        """package_patch replaces a repeating field and keeps the others."""
        client = _client(live_site, editor["token"])
        created = client.action.package_create(
            **_new_dataset(skpd_orgs, upstream_dataset["id"])
        )

        client.action.package_patch(
            id=created["id"],
            cadence="quarterly",
            authority_roles=[{"role": "user", "holder": skpd_orgs["bps"]["id"]}],
        )

        shown = client.action.package_show(id=created["id"])
        assert shown["cadence"] == "quarterly"
        assert shown["authority_roles"] == [
            {"role": "user", "holder": skpd_orgs["bps"]["id"]}
        ]
        assert shown["lineage"][0]["upstream"] == upstream_dataset["id"]

    def test_lineage_reads_back(self, live_site, editor, skpd_orgs, upstream_dataset):
        """skpd_lineage_show links the new dataset to its upstream."""
        client = _client(live_site, editor["token"])
        created = client.action.package_create(
            **_new_dataset(skpd_orgs, upstream_dataset["id"])
        )

        graph = client.action.skpd_lineage_show(id=created["name"], direction="up")

        assert graph["root"] == created["id"]
        assert {n["id"] for n in graph["nodes"]} >= {upstream_dataset["id"]}
        assert graph["edges"][0]["relation"] == "validated_against"


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestErrors:
    def test_missing_cadence_names_the_field(self, live_site, editor, skpd_orgs):
        """A routine dataset without cadence is a ValidationError on cadence."""
        client = _client(live_site, editor["token"])
        fields = _new_dataset(skpd_orgs, "https://example.org/data/1")
        del fields["cadence"]

        with pytest.raises(ckanapi.ValidationError) as raised:
            client.action.package_create(**fields)

        errors = raised.value.error_dict
        assert errors.pop("__type") == "Validation Error"
        assert list(errors) == ["cadence"]
        assert "monthly" in errors["cadence"][0]

    def test_bad_code_in_a_repeating_field(self, live_site, editor, skpd_orgs):
        """An unknown relation code is reported on its lineage row."""
        client = _client(live_site, editor["token"])
        fields = _new_dataset(skpd_orgs, "https://example.org/data/1")
        fields["lineage"][0]["relation"] = "borrowed_from"

        with pytest.raises(ckanapi.ValidationError) as raised:
            client.action.package_create(**fields)

        message = raised.value.error_dict["lineage"][0]["relation"][0]
        assert "borrowed_from" in message
        assert "derived_from" in message

    def test_unknown_upstream_names_it(self, live_site, editor, skpd_orgs):
        """An upstream that is no dataset and no URI is reported by name."""
        client = _client(live_site, editor["token"])
        fields = _new_dataset(skpd_orgs, "no-such-dataset")

        with pytest.raises(ckanapi.ValidationError) as raised:
            client.action.package_create(**fields)

        message = raised.value.error_dict["lineage"][0]["upstream"][0]
        assert "no-such-dataset" in message

    def test_english_errors_under_en(self, live_site, editor, skpd_orgs):
        """The /en prefix gives the same errors in English."""
        client = _client(live_site + "/en", editor["token"])
        fields = _new_dataset(skpd_orgs, "https://example.org/data/1")
        del fields["cadence"]

        with pytest.raises(ckanapi.ValidationError) as raised:
            client.action.package_create(**fields)

        assert raised.value.error_dict["cadence"][0].startswith("A cadence is required")

    def test_other_skpd_cannot_create(self, live_site, skpd_orgs):
        """A user outside the owning SKPD gets NotAuthorized."""
        outsider = factories.User()
        client = _client(live_site, _token(outsider["name"]))

        with pytest.raises(ckanapi.NotAuthorized):
            client.action.package_create(
                name="bukan-milik",
                title="Bukan milik",
                owner_org=skpd_orgs["dinkes"]["id"],
            )

    def test_anonymous_cannot_update(self, live_site, full_dataset):
        """Without a token, writing is NotAuthorized."""
        with pytest.raises(ckanapi.NotAuthorized):
            _client(live_site).action.package_patch(
                id=full_dataset["id"], cadence="daily"
            )

    def test_private_dataset_is_hidden(self, live_site, skpd_orgs, sysadmin_name):
        """A private dataset is neither shown nor named in search to anonymous."""
        secret = call_action(
            "package_create",
            context={"user": sysadmin_name},
            name="gaji-pegawai",
            title="Gaji pegawai",
            owner_org=skpd_orgs["dinkes"]["id"],
            private=True,
        )
        client = _client(live_site)

        with pytest.raises(ckanapi.NotAuthorized):
            client.action.package_show(id=secret["id"])
        found = client.action.package_search(q="*:*", include_private=True)
        assert secret["id"] not in json.dumps(found)
