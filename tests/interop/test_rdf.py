"""The skpd_dcat_ap profile: what it writes, and what it reads back."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.dcat.profiles.base import DCAT, DCT, VCARD
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from ckanext.skpd.interop.terms import GEODCAT, ISO_ROLE, PROV, SKPD
from tests.interop.conftest import PLAIN_FIELDS

EU = "http://publications.europa.eu/resource/authority/"


def _graph(dataset: dict[str, Any]) -> tuple[Graph, URIRef]:
    serializer = RDFSerializer()
    ref = serializer.graph_from_dataset(call_action("package_show", id=dataset["id"]))
    return serializer.g, ref


def _org_uri(org: dict[str, Any]) -> URIRef:
    return URIRef(f"http://127.0.0.1:5050/organization/{org['id']}")


def _entries(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, Any], ...]]:
    """Return repeating-field rows comparable whatever their order."""
    return sorted(tuple(sorted((k, v) for k, v in r.items() if v)) for r in rows)


def _parse(turtle: str) -> list[dict[str, Any]]:
    parser = RDFParser()
    parser.parse(turtle, _format="turtle")
    return list(parser.datasets())


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestSerialize:
    def test_publisher_is_the_owning_skpd(self, full_dataset, skpd_orgs):
        """dct:publisher names the owning SKPD with its code and abbreviation."""
        g, ref = _graph(full_dataset)

        publisher = _org_uri(skpd_orgs["dinkes"])
        assert list(g.objects(ref, DCT.publisher)) == [publisher]
        assert g.value(publisher, DCT.identifier) == Literal("1.02.01")
        assert (publisher, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in g

    def test_contact_point_names_the_custodian(self, full_dataset, skpd_orgs):
        """The contact point carries the custodian, the contact name and e-mail."""
        g, ref = _graph(full_dataset)

        contact = g.value(ref, DCAT.contactPoint)
        assert g.value(contact, VCARD.hasUID) == _org_uri(skpd_orgs["diskominfo"])
        assert str(g.value(contact, VCARD.fn)) == "Seksi Data Kesehatan"
        assert g.value(contact, VCARD.hasEmail) == URIRef(
            "mailto:data@dinkes.example.go.id"
        )
        assert g.value(ref, GEODCAT.custodian) == _org_uri(skpd_orgs["diskominfo"])

    def test_cadence_is_an_eu_frequency(self, full_dataset):
        """A monthly cadence is the EU frequency MONTHLY."""
        g, ref = _graph(full_dataset)

        assert g.value(ref, DCT.accrualPeriodicity) == URIRef(EU + "frequency/MONTHLY")

    def test_access_level_is_an_eu_access_right(self, full_dataset):
        """A limited access level is the EU access right RESTRICTED."""
        g, ref = _graph(full_dataset)

        assert g.value(ref, DCT.accessRights) == URIRef(EU + "access-right/RESTRICTED")

    def test_roles_are_qualified_attributions_with_iso_roles(
        self, full_dataset, skpd_orgs
    ):
        """Each authority role is a prov:Attribution with an ISO 19115 role."""
        g, ref = _graph(full_dataset)

        pairs = {
            (g.value(a, DCAT.hadRole), g.value(a, PROV.agent))
            for a in g.objects(ref, PROV.qualifiedAttribution)
        }
        dinkes, kominfo = (
            _org_uri(skpd_orgs["dinkes"]),
            _org_uri(skpd_orgs["diskominfo"]),
        )
        assert (ISO_ROLE.principalInvestigator, dinkes) in pairs
        assert (ISO_ROLE.resourceProvider, kominfo) in pairs
        assert (ISO_ROLE.owner, dinkes) in pairs
        assert len(pairs) == 6

    def test_roles_have_their_geodcat_properties(self, full_dataset, skpd_orgs):
        """Roles with a GeoDCAT-AP property are also stated directly."""
        g, ref = _graph(full_dataset)

        assert g.value(ref, GEODCAT.user) == _org_uri(skpd_orgs["bps"])
        assert g.value(ref, GEODCAT.processor) == _org_uri(skpd_orgs["dinkes"])
        assert g.value(ref, DCT.rightsHolder) == _org_uri(skpd_orgs["dinkes"])
        assert g.value(ref, GEODCAT.originator) == _org_uri(skpd_orgs["disdukcapil"])

    def test_lineage_is_source_and_qualified_relation(
        self, full_dataset, upstream_dataset
    ):
        """Each upstream is a dct:source and a dcat:Relationship with its type."""
        g, ref = _graph(full_dataset)

        upstream = URIRef(f"http://127.0.0.1:5050/dataset/{upstream_dataset['id']}")
        assert set(g.objects(ref, DCT.source)) == {
            upstream,
            URIRef("https://data.bps.go.id/dataset/penduduk-2020"),
        }
        roles = {
            g.value(r, DCT.relation): g.value(r, DCAT.hadRole)
            for r in g.objects(ref, DCAT.qualifiedRelation)
        }
        assert roles[upstream] == URIRef(
            "https://w3id.org/skpd/vocab/relation_type/validated_against"
        )

    def test_exchange_methods_are_data_services(self, full_dataset):
        """Each exchange method is a dcat:DataService at the endpoint URL."""
        g, ref = _graph(full_dataset)

        services = set(g.subjects(DCAT.servesDataset, ref))
        assert len(services) == 2
        for service in services:
            assert (service, RDF.type, DCAT.DataService) in g
            assert g.value(service, DCAT.endpointURL) == URIRef(
                "https://api.dinkes.example.go.id/v1/kunjungan"
            )

    def test_private_upstream_is_not_named_to_anonymous(
        self, app, full_dataset, skpd_orgs, sysadmin_name
    ):
        """The dataset's RDF leaves out an upstream the reader may not see."""
        secret = call_action(
            "package_create",
            context={"user": sysadmin_name},
            name="data-rahasia",
            title="Data rahasia",
            owner_org=skpd_orgs["disdukcapil"]["id"],
            private=True,
        )
        call_action(
            "package_patch",
            context={"user": sysadmin_name},
            id=full_dataset["id"],
            lineage=[{"upstream": secret["id"], "relation": "copy_of"}],
        )

        anonymous = app.get(f"/dataset/{full_dataset['name']}.ttl").body
        token = call_action(
            "api_token_create",
            context={"user": sysadmin_name},
            user=sysadmin_name,
            name="rdf",
        )["token"]
        admin = app.get(
            f"/dataset/{full_dataset['name']}.ttl", headers={"Authorization": token}
        ).body

        assert secret["id"] not in anonymous
        assert "copy_of" not in anonymous
        assert secret["id"] in admin


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestParse:
    def test_every_field_reads_back_on_the_same_site(self, full_dataset):
        """Parsing this site's RDF gives back the same SKPD fields and ids."""
        g, _ref = _graph(full_dataset)

        parsed = _parse(g.serialize(format="turtle"))[0]

        local = call_action("package_show", id=full_dataset["id"])
        for field in PLAIN_FIELDS + ("owner_org", "producer", "custodian"):
            assert parsed.get(field) == local.get(field), field
        for field in ("lineage", "authority_roles", "exchange_needs"):
            assert _entries(parsed[field]) == _entries(local[field]), field

    def test_foreign_source_without_relation_is_derived_from(self):
        """A bare dct:source from another catalogue is read as derived_from."""
        turtle = """
            @prefix dcat: <http://www.w3.org/ns/dcat#> .
            @prefix dct: <http://purl.org/dc/terms/> .
            <https://other.example/ds/1> a dcat:Dataset ;
                dct:title "Foreign" ;
                dct:source <https://other.example/ds/0> ;
                dct:accrualPeriodicity <http://example.org/every-full-moon> .
        """
        parsed = _parse(turtle)[0]

        assert parsed["lineage"] == [
            {"upstream": "https://other.example/ds/0", "relation": "derived_from"}
        ]
        assert parsed["unmapped_values"] == {
            "accrualPeriodicity": "http://example.org/every-full-moon"
        }
        assert "cadence" not in parsed

    def test_unknown_agent_is_recorded_for_the_harvest(self):
        """An agent no local organization matches keeps its URI and description."""
        turtle = """
            @prefix dcat: <http://www.w3.org/ns/dcat#> .
            @prefix dct: <http://purl.org/dc/terms/> .
            @prefix foaf: <http://xmlns.com/foaf/0.1/> .
            @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            <https://other.example/ds/1> a dcat:Dataset ;
                dct:title "Foreign" ;
                dct:publisher <https://other.example/organization/x> .
            <https://other.example/organization/x> a foaf:Agent ;
                foaf:name "Dinas Perhubungan" ; skos:altLabel "DISHUB" ;
                dct:identifier "2.15.01" .
        """
        parsed = _parse(turtle)[0]

        uri = "https://other.example/organization/x"
        assert parsed["owner_org"] == uri
        assert parsed["skpd_agents"][uri]["skpd_code"] == "2.15.01"
        assert parsed["skpd_agents"][uri]["abbreviation"] == "DISHUB"

    def test_known_agent_becomes_the_local_organization(self, skpd_orgs):
        """An agent with a local SKPD code is read as that organization."""
        turtle = """
            @prefix dcat: <http://www.w3.org/ns/dcat#> .
            @prefix dct: <http://purl.org/dc/terms/> .
            @prefix foaf: <http://xmlns.com/foaf/0.1/> .
            <https://other.example/ds/1> a dcat:Dataset ;
                dct:title "Foreign" ;
                dct:publisher <https://other.example/organization/y> .
            <https://other.example/organization/y> a foaf:Agent ;
                foaf:name "Dinkes Kota" ; dct:identifier "1.02.01" .
        """
        parsed = _parse(turtle)[0]

        assert parsed["owner_org"] == skpd_orgs["dinkes"]["id"]
        assert "skpd_agents" not in parsed

    def test_service_without_endpoint_gives_no_endpoint_url(self, skpd_orgs):
        """The catalogue page standing in for an endpoint is not read as one."""
        dataset = factories.Dataset(
            owner_org=skpd_orgs["dinkes"]["id"],
            exchange_methods=["manual_delivery"],
        )
        g, ref = _graph(dataset)
        service = g.value(predicate=DCAT.servesDataset, object=ref)
        assert g.value(service, DCAT.endpointURL) == g.value(service, DCAT.landingPage)

        parsed = _parse(g.serialize(format="turtle"))[0]

        assert parsed["exchange_methods"] == ["manual_delivery"]
        assert "endpoint_url" not in parsed


def test_skpd_namespace_is_stable():
    """The SKPD namespace is the one other sites read (changing it breaks them)."""
    assert str(SKPD) == "https://w3id.org/skpd/ns#"
