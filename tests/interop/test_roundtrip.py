"""Round trip between two sites: this site's DCAT catalogue, served over
HTTP by a live CKAN server, harvested by a second site with ckanext-dcat's
``dcat_rdf`` harvester into its own database and Solr core."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from ckan.tests.helpers import call_action

from tests.interop.conftest import PLAIN_FIELDS

ORG_KEYS = ("title", "abbreviation", "skpd_code", "kind", "satu_data_role")


def _org_key(org: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(org.get(key) or "") for key in ORG_KEYS)


def _org_keys_by_id(orgs: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    return {org["id"]: _org_key(org) for org in orgs}


def _uri(dataset: dict[str, Any]) -> str:
    return next(e["value"] for e in dataset["extras"] if e["key"] == "uri")


def _portable(
    dataset: dict[str, Any],
    orgs: dict[str, tuple[str, ...]],
    uris: dict[str, str],
) -> dict[str, Any]:
    """Return a dataset with its references made comparable across sites.

    Organizations become their (title, abbreviation, code, kind, role) and
    catalogue datasets their URI; repeating fields become sorted lists.
    """
    result = {field: dataset.get(field) for field in PLAIN_FIELDS}
    result["spatial"] = (
        json.loads(dataset["spatial"]) if dataset.get("spatial") else None
    )
    result["tags"] = sorted(tag["name"] for tag in dataset["tags"])
    result["resources"] = sorted(
        (r["url"], r["name"], r["format"]) for r in dataset["resources"]
    )
    for field in ("owner_org", "producer", "custodian"):
        result[field] = orgs.get(dataset.get(field) or "")
    result["authority_roles"] = sorted(
        (r["role"], orgs[r["holder"]]) for r in dataset.get("authority_roles") or []
    )
    result["exchange_needs"] = sorted(
        (
            orgs[n["consumer"]],
            n.get("purpose") or "",
            n.get("frequency") or "",
            n.get("method") or "",
            n["status"],
        )
        for n in dataset.get("exchange_needs") or []
    )
    result["lineage"] = sorted(
        (uris.get(e["upstream"], e["upstream"]), e["relation"], e.get("note") or "")
        for e in dataset.get("lineage") or []
    )
    return result


@pytest.fixture
def private_upstream(skpd_orgs: dict[str, Any], sysadmin_name: str) -> dict[str, Any]:
    return call_action(
        "package_create",
        context={"user": sysadmin_name},
        name="rekam-medis-rahasia",
        title="Rekam medis rahasia",
        notes="Tidak untuk umum.",
        owner_org=skpd_orgs["dinkes"]["id"],
        private=True,
    )


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestRoundTrip:
    def test_every_skpd_field_survives_a_dcat_harvest(
        self,
        live_site: str,
        remote_site: Any,
        full_dataset: dict[str, Any],
        upstream_dataset: dict[str, Any],
        private_upstream: dict[str, Any],
        sysadmin_name: str,
    ):
        """A second site harvesting /catalog.ttl gets every SKPD field back."""
        lineage = full_dataset["lineage"] + [
            {"upstream": private_upstream["id"], "relation": "copy_of"}
        ]
        call_action(
            "package_patch",
            context={"user": sysadmin_name},
            id=full_dataset["id"],
            lineage=lineage,
        )
        catalogue = urllib.request.urlopen(live_site + "/catalog.ttl").read().decode()
        assert private_upstream["id"] not in catalogue

        harvested = remote_site.harvest(live_site + "/catalog.ttl")

        assert harvested["gather_errors"] == []
        assert [o["errors"] for o in harvested["objects"]] == [[], []]
        local = call_action("package_show", id=full_dataset["id"])
        upstream = call_action("package_show", id=upstream_dataset["id"])
        remote = {_uri(d): d for d in harvested["datasets"]}
        local_uris = {d["id"]: _uri_of_local(live_site, d) for d in (local, upstream)}
        remote_uris = {d["id"]: uri for uri, d in remote.items()}
        local_orgs = _org_keys_by_id(
            [call_action("organization_show", id=o) for o in _org_ids(local)]
        )
        remote_orgs = _org_keys_by_id(harvested["organizations"])

        expected = _portable(local, local_orgs, local_uris)
        expected["lineage"] = [e for e in expected["lineage"] if e[1] != "copy_of"]
        assert (
            _portable(remote[local_uris[local["id"]]], remote_orgs, remote_uris)
            == expected
        )
        assert _portable(
            remote[local_uris[upstream["id"]]], remote_orgs, remote_uris
        ) == _portable(upstream, local_orgs, local_uris)

    def test_harvested_lineage_points_at_the_local_copy(
        self,
        live_site: str,
        remote_site: Any,
        full_dataset: dict[str, Any],
        upstream_dataset: dict[str, Any],
    ):
        """The second site links the lineage to its own copy of the upstream."""
        harvested = remote_site.harvest(live_site + "/catalog.ttl")

        remote = {d["name"]: d for d in harvested["datasets"]}
        copy = next(
            d for d in remote.values() if d["title"] == upstream_dataset["title"]
        )
        derived = next(
            d for d in remote.values() if d["title"] == full_dataset["title"]
        )
        upstreams = {e["upstream"] for e in derived["lineage"]}
        assert upstreams == {copy["id"], "https://data.bps.go.id/dataset/penduduk-2020"}


def _uri_of_local(base_url: str, dataset: dict[str, Any]) -> str:
    return f"{base_url}/dataset/{dataset['id']}"


def _org_ids(dataset: dict[str, Any]) -> set[str]:
    ids = {dataset["owner_org"], dataset.get("producer"), dataset.get("custodian")}
    ids |= {r["holder"] for r in dataset.get("authority_roles") or []}
    ids |= {n["consumer"] for n in dataset.get("exchange_needs") or []}
    return {i for i in ids if i}
