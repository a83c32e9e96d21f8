"""The skpd_waf harvester: ISO 19139 files in a folder, through the real queues."""

# ruff: noqa: E501 - the ISO record below keeps one XML element per line.

from __future__ import annotations

import pytest

from ckanext.skpd.harvesters.iso import listed_files
from tests.harvesters.conftest import call, datasets, make_source, run_job

ISO = """<?xml version="1.0" encoding="UTF-8"?>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"
    xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:fileIdentifier><gco:CharacterString>{guid}</gco:CharacterString></gmd:fileIdentifier>
  <gmd:dateStamp><gco:DateTime>2024-05-01T00:00:00</gco:DateTime></gmd:dateStamp>
  <gmd:identificationInfo>
    <gmd:MD_DataIdentification>
      <gmd:citation><gmd:CI_Citation>
        <gmd:title><gco:CharacterString>{title}</gco:CharacterString></gmd:title>
      </gmd:CI_Citation></gmd:citation>
      <gmd:abstract><gco:CharacterString>Batas administrasi kecamatan.</gco:CharacterString></gmd:abstract>
      <gmd:pointOfContact><gmd:CI_ResponsibleParty>
        <gmd:organisationName><gco:CharacterString>{owner}</gco:CharacterString></gmd:organisationName>
        <gmd:role><gmd:CI_RoleCode codeListValue="owner">owner</gmd:CI_RoleCode></gmd:role>
      </gmd:CI_ResponsibleParty></gmd:pointOfContact>
      <gmd:resourceMaintenance><gmd:MD_MaintenanceInformation>
        <gmd:maintenanceAndUpdateFrequency>
          <gmd:MD_MaintenanceFrequencyCode codeListValue="annually">annually</gmd:MD_MaintenanceFrequencyCode>
        </gmd:maintenanceAndUpdateFrequency>
      </gmd:MD_MaintenanceInformation></gmd:resourceMaintenance>
      <gmd:descriptiveKeywords><gmd:MD_Keywords>
        <gmd:keyword><gco:CharacterString>batas wilayah</gco:CharacterString></gmd:keyword>
      </gmd:MD_Keywords></gmd:descriptiveKeywords>
      <gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>
        <gmd:westBoundLongitude><gco:Decimal>{west}</gco:Decimal></gmd:westBoundLongitude>
        <gmd:eastBoundLongitude><gco:Decimal>{east}</gco:Decimal></gmd:eastBoundLongitude>
        <gmd:southBoundLatitude><gco:Decimal>-7.10</gco:Decimal></gmd:southBoundLatitude>
        <gmd:northBoundLatitude><gco:Decimal>-6.95</gco:Decimal></gmd:northBoundLatitude>
      </gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></gmd:extent>
    </gmd:MD_DataIdentification>
  </gmd:identificationInfo>
</gmd:MD_Metadata>
"""


def _iso(
    guid, title, owner="Dinas Penataan Ruang Kota Contoh", west=110.30, east=110.50
):
    return ISO.format(guid=guid, title=title, owner=owner, west=west, east=east)


def _folder(server, names):
    links = "".join(f'<li><a href="{name}">{name}</a></li>' for name in names)
    page = f"<html><body><h1>Index of /iso/</h1><ul>{links}</ul></body></html>"
    server.write("index.html", page)
    return server.url("index.html")


@pytest.mark.usefixtures("with_plugins")
class TestWafHarvest:
    def test_records_become_spatial_datasets_found_by_bbox(
        self, source_server, owner, consumers
    ):
        """ISO files become datasets of their SKPD; the extent is bbox-searchable."""
        source_server.write("kecamatan.xml", _iso("iso-1", "Batas kecamatan"))
        source_server.write(
            "pantai.xml", _iso("iso-2", "Garis pantai", west=120.0, east=121.0)
        )
        url = _folder(source_server, ["kecamatan.xml", "pantai.xml"])

        job = run_job(consumers, make_source(url, owner, "skpd_waf"))

        assert job.statuses == {"added": 2}
        found = call("package_search", extras={"ext_bbox": "110.35,-7.05,110.45,-7.0"})
        assert [d["title"] for d in found["results"]] == ["Batas kecamatan"]
        dataset = call("package_show", id=found["results"][0]["id"])
        assert dataset["cadence"] == "annual"
        assert "spatial" in dataset["domains"]
        org = call("organization_show", id=dataset["owner_org"])
        assert org["title"] == "Dinas Penataan Ruang"

    def test_unchanged_files_are_not_reread(self, source_server, owner, consumers):
        """On the second run each file answers 304 and nothing is written."""
        source_server.write("kecamatan.xml", _iso("iso-1", "Batas kecamatan"))
        source = make_source(
            _folder(source_server, ["kecamatan.xml"]), owner, "skpd_waf"
        )
        run_job(consumers, source)

        second = run_job(consumers, source)

        assert second.objects == []
        statuses = [h.status for h in source_server.hits_for("kecamatan.xml")]
        assert statuses == [200, 304]
        assert len(datasets()) == 1

    def test_a_file_that_is_not_iso_is_an_object_error(
        self, source_server, owner, consumers
    ):
        """A broken file is reported by name; the others are imported."""
        source_server.write("kecamatan.xml", _iso("iso-1", "Batas kecamatan"))
        source_server.write("rusak.xml", "<html><body>not here</body>")
        url = _folder(source_server, ["kecamatan.xml", "rusak.xml"])

        job = run_job(consumers, make_source(url, owner, "skpd_waf"))

        errors = job.object_errors()
        assert list(errors) == ["rusak.xml"]
        assert len(datasets()) == 1


def test_listing_keeps_files_below_the_folder():
    """Links that leave the folder are not harvested."""
    page = '<a href="a.xml">a</a> <a href="../b.xml">b</a> <a href="sub/c.xml">c</a>'

    assert listed_files("http://127.0.0.1:1/iso/", page) == [
        "http://127.0.0.1:1/iso/a.xml",
        "http://127.0.0.1:1/iso/sub/c.xml",
    ]
