"""The skpd_ckan harvester against a second CKAN site, through the real queues."""

from __future__ import annotations

import pytest

from ckanext.skpd.mapping import ckan as mapping
from tests.harvesters.conftest import call, datasets, make_source, run_job

REMOTE_CONTENT = [
    {
        "action": "organization_create",
        "as": "r_dinkes",
        "data": {
            "name": "dinkes-kota-contoh",
            "title": "Dinas Kesehatan Kota Contoh",
            "skpd_code": "1.02.01",
        },
    },
    {
        "action": "organization_create",
        "as": "r_bappeda",
        "data": {"name": "bappeda-kota", "title": "Bappeda Kota Contoh"},
    },
    {
        "action": "organization_create",
        "as": "r_dukcapil",
        "data": {
            "name": "dukcapil",
            "title": "Dinas Kependudukan dan Pencatatan Sipil",
            "skpd_code": "2.12.01",
            "kind": "dinas",
        },
    },
    {
        "action": "package_create",
        "as": "r_penduduk",
        "data": {
            "name": "penduduk-kecamatan",
            "title": "Penduduk per kecamatan",
            "owner_org": "$r_dukcapil",
            "collection_method": "routine_periodic",
            "cadence": "semiannual",
        },
    },
    {
        "action": "package_create",
        "as": "r_kunjungan",
        "data": {
            "name": "kunjungan-puskesmas",
            "title": "Kunjungan puskesmas",
            "owner_org": "$r_dinkes",
            "collection_method": "routine_periodic",
            "cadence": "monthly",
            "availability_forms": ["sim_database"],
            "lineage": [{"upstream": "$r_penduduk", "relation": "validated_against"}],
            "authority_roles": [{"role": "collector", "holder": "$r_dinkes"}],
            "exchange_needs": [{"consumer": "$r_bappeda", "status": "agreed"}],
            "resources": [{"url": "https://dinkes.example.go.id/k.csv", "name": "CSV"}],
        },
    },
    {
        "action": "package_create",
        "data": {
            "name": "rekam-medis",
            "title": "Rekam medis",
            "owner_org": "$r_dinkes",
            "private": True,
        },
    },
]


@pytest.fixture
def remote(remote_ckan):
    remote_ckan.reset()
    remote_ckan.apply(REMOTE_CONTENT)
    return remote_ckan


@pytest.fixture
def local_orgs(dinkes, skpd_factory):
    planning = skpd_factory(name="perencanaan", title="Badan Perencanaan Daerah")
    return {"dinkes": dinkes, "planning": planning}


def _source(remote, owner, **config):
    config.setdefault("organization_aliases", {"Bappeda Kota Contoh": "perencanaan"})
    return make_source(remote.url, owner, "skpd_ckan", config)


@pytest.mark.usefixtures("with_plugins")
class TestCkanHarvest:
    def test_first_harvest_maps_organizations_and_lineage(
        self, remote, owner, local_orgs, consumers
    ):
        """Public datasets arrive with SKPD matched by code, alias or created."""
        job = run_job(consumers, _source(remote, owner))

        assert job.statuses == {"added": 2}
        by_title = {d["title"]: call("package_show", id=d["id"]) for d in datasets()}
        assert set(by_title) == {"Penduduk per kecamatan", "Kunjungan puskesmas"}
        visits = by_title["Kunjungan puskesmas"]
        population = by_title["Penduduk per kecamatan"]
        assert visits["owner_org"] == local_orgs["dinkes"]["id"]
        assert visits["lineage"] == [
            {"upstream": population["id"], "relation": "validated_against"}
        ]
        assert visits["authority_roles"] == [
            {"role": "collector", "holder": local_orgs["dinkes"]["id"]}
        ]
        assert visits["exchange_needs"][0]["consumer"] == local_orgs["planning"]["id"]
        assert visits["availability_forms"] == ["sim_database"]
        created = call("organization_show", id=population["owner_org"])
        assert created["skpd_code"] == "2.12.01"
        extras = {e["key"]: e["value"] for e in visits["extras"]}
        assert extras["remote_identifier"] == "kunjungan-puskesmas"
        assert extras["harvest_source_url"] == remote.url

    def test_rerun_changes_and_removals(self, remote, owner, local_orgs, consumers):
        """Unchanged datasets are skipped; changes merge; removals withdraw."""
        source = _source(remote, owner)
        run_job(consumers, source)
        unchanged = run_job(consumers, source)
        visits = datasets(q='title:"kunjungan"')[0]
        local_entry = {"upstream": "https://bps.example.go.id/x", "relation": "copy_of"}
        current = call("package_show", id=visits["id"])
        call(
            "package_patch", id=visits["id"], lineage=[*current["lineage"], local_entry]
        )
        remote.apply(
            [
                {
                    "action": "package_patch",
                    "data": {"id": "kunjungan-puskesmas", "cadence": "quarterly"},
                },
                {"action": "package_delete", "data": {"id": "penduduk-kecamatan"}},
            ]
        )

        changed = run_job(consumers, source)

        assert unchanged.objects == []
        assert unchanged.summary["unchanged"] == 2
        assert sorted(o.report_status for o in changed.objects) == [
            "deleted",
            "updated",
        ]
        assert changed.summary["removed"]["policy"] == "withdraw"
        updated = call("package_show", id=visits["id"])
        assert updated["cadence"] == "quarterly"
        assert local_entry in updated["lineage"]
        assert [d["title"] for d in datasets()] == ["Kunjungan puskesmas"]

    def test_site_that_is_not_ckan_is_a_job_error(
        self, source_server, owner, consumers
    ):
        """A URL that is no CKAN Action API ends the job with a clear error."""
        source_server.write("index.html", "<html>Portal</html>")
        source_server.routes["/api/3/action/organization_list"] = lambda h: h.send_body(
            200, b"<!DOCTYPE html><html>portal</html>", "text/html"
        )
        job = run_job(
            consumers, make_source(source_server.base_url, owner, "skpd_ckan")
        )

        assert "not the CKAN Action API" in job.gather_errors[0]
        assert job.objects == []


class TestStockMapping:
    def test_stock_dataset_maps_contact_and_cadence(self):
        """A stock CKAN dataset gives its contact, tags and a cadence extra."""
        result = mapping.map_dataset(
            {
                "title": "Realisasi APBD",
                "owner_org": "abc",
                "maintainer": "Bidang Anggaran",
                "maintainer_email": "anggaran@example.go.id",
                "tags": [{"name": "keuangan"}],
                "extras": [{"key": "frequency", "value": "Tahunan"}],
                "resources": [{"id": "r1", "url": "https://x.example/a.xlsx"}],
            }
        )

        assert result.problems == []
        assert result.package["owner_org"] == "org:abc"
        assert result.package["contact_name"] == "Bidang Anggaran"
        assert result.package["cadence"] == "annual"
        assert result.package["resources"][0]["url"] == "https://x.example/a.xlsx"
        assert "id" not in result.package["resources"][0]

    def test_dataset_without_organization_is_a_problem(self):
        """No owner organization means no SKPD, which is reported."""
        result = mapping.map_dataset({"title": "Tanpa pemilik"})

        assert result.problems[0].startswith("owner_org:")
