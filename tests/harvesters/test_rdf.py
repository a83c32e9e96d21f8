"""The skpd_dcat_rdf harvester: a DCAT-AP catalogue in Turtle, through the queues."""

from __future__ import annotations

import pytest
from ckanext.dcat.processors import RDFSerializer

from tests.harvesters.conftest import call, datasets, make_source, run_job


@pytest.fixture
def catalogue(dinkes, disdukcapil):
    """This site's Turtle catalogue of two linked datasets, which are then purged."""
    upstream = call(
        "package_create",
        name="penduduk",
        title="Penduduk per kecamatan",
        owner_org=disdukcapil["id"],
        collection_method="routine_periodic",
        cadence="semiannual",
    )
    downstream = call(
        "package_create",
        name="kunjungan",
        title="Kunjungan puskesmas",
        owner_org=dinkes["id"],
        collection_method="routine_periodic",
        cadence="monthly",
        lineage=[{"upstream": upstream["id"], "relation": "validated_against"}],
        authority_roles=[{"role": "collector", "holder": dinkes["id"]}],
        exchange_needs=[{"consumer": disdukcapil["id"], "status": "running"}],
    )
    shown = [call("package_show", id=d["id"]) for d in (upstream, downstream)]
    text = RDFSerializer().serialize_catalog({}, dataset_dicts=shown, _format="turtle")
    for dataset in shown:
        call("dataset_purge", id=dataset["id"])
    return text


@pytest.mark.usefixtures("with_plugins")
class TestRdfHarvest:
    def test_catalogue_imports_with_lineage_and_roles(
        self, source_server, owner, consumers, catalogue, dinkes, disdukcapil
    ):
        """Datasets, their SKPD, roles and lineage come back from the Turtle."""
        url = source_server.write("catalog.ttl", catalogue)

        job = run_job(consumers, make_source(url, owner, "skpd_dcat_rdf"))

        assert job.statuses == {"added": 2}
        by_title = {d["title"]: call("package_show", id=d["id"]) for d in datasets()}
        visits = by_title["Kunjungan puskesmas"]
        population = by_title["Penduduk per kecamatan"]
        assert visits["owner_org"] == dinkes["id"]
        assert visits["cadence"] == "monthly"
        assert visits["lineage"] == [
            {"upstream": population["id"], "relation": "validated_against"}
        ]
        assert visits["authority_roles"] == [
            {"role": "collector", "holder": dinkes["id"]}
        ]
        assert visits["exchange_needs"][0]["consumer"] == disdukcapil["id"]

    def test_unchanged_catalogue_is_not_reread(
        self, source_server, owner, consumers, catalogue
    ):
        """A one-page catalogue is requested conditionally the second time."""
        url = source_server.write("catalog.ttl", catalogue)
        source = make_source(url, owner, "skpd_dcat_rdf")
        run_job(consumers, source)

        second = run_job(consumers, source)

        assert second.objects == []
        assert [h.status for h in source_server.hits_for("catalog.ttl")] == [200, 304]

    def test_broken_turtle_is_a_job_error(self, source_server, owner, consumers):
        """Unparsable RDF ends the job with one error and imports nothing."""
        url = source_server.write("catalog.ttl", "@prefix dcat: <x> .\n<a> dcat:b ")

        job = run_job(consumers, make_source(url, owner, "skpd_dcat_rdf"))

        assert "is not a readable RDF catalogue" in job.gather_errors[0]
        assert job.objects == []
