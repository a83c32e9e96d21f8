"""The catalogue's RDF against the DCAT-AP 3.0.0 SHACL shapes (pyshacl)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ckan.tests.helpers import call_action
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles.base import DCAT, DCT
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import RDF, SH

SHAPES = Path(__file__).with_name("shapes") / "dcat-ap-SHACL.ttl"


def _catalogue(*datasets: dict[str, Any]) -> Graph:
    serializer = RDFSerializer()
    serializer.serialize_catalog(
        {}, [call_action("package_show", id=d["id"]) for d in datasets], _format="ttl"
    )
    return serializer.g


def violations(data: Graph) -> set[tuple[str, str]]:
    """Return (property path, message) of every SHACL result."""
    conforms, report, _text = validate(
        data, shacl_graph=str(SHAPES), shacl_graph_format="turtle"
    )
    found = set()
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        found.add((str(path), str(message)))
    assert conforms == (not found)
    return found


# The results this site's RDF still has, each explained in docs/interop.md.
KNOWN = {
    # An upstream outside the catalogue is a dct:source that is not typed
    # dcat:Dataset: typing it would make harvesters import it as a dataset.
    (
        "http://purl.org/dc/terms/source",
        "Value does not have class dcat:Dataset",
    ),
    # ckanext-dcat 2.4.4 writes a resource's format as a literal.
    (
        "http://purl.org/dc/terms/format",
        "Value does not have class dc:MediaTypeOrExtent",
    ),
    # DCAT-AP 3 made the geometry a literal; this revision of the shapes
    # still expects a locn:Geometry node.
    (
        "http://www.w3.org/ns/locn#geometry",
        "Value does not have class <http://www.w3.org/ns/locn#Geometry>",
    ),
}


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDcatAp3Shapes:
    def test_shapes_file_is_complete(self):
        """Every property shape the vendored shapes name is defined."""
        shapes = Graph().parse(SHAPES, format="turtle")

        named = set(shapes.objects(None, SH.property))
        assert len(named) == 164
        assert all((shape, SH.path, None) in shapes for shape in named)

    def test_full_catalogue_has_only_the_known_results(
        self, full_dataset, upstream_dataset
    ):
        """Every SKPD field filled in leaves only the documented results."""
        found = violations(_catalogue(full_dataset, upstream_dataset))

        assert found == KNOWN

    def test_plain_skpd_dataset_conforms(self, upstream_dataset):
        """A dataset without resources, geometry or external links conforms."""
        found = violations(_catalogue(upstream_dataset))

        assert found == set()

    def test_missing_title_is_reported(self, full_dataset, upstream_dataset):
        """The validation catches a mandatory property that is missing."""
        data = _catalogue(full_dataset, upstream_dataset)
        dataset = next(data.subjects(RDF.type, DCAT.Dataset))
        data.remove((dataset, DCT.title, None))

        found = violations(data)

        paths = {path for path, _message in found}
        assert "http://purl.org/dc/terms/title" in paths
