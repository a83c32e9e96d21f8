"""Harvester for ISO 19139 records in a web-accessible folder (WAF).

The source URL is a folder listing (the index page a web server makes for
a directory). Each ``.xml`` file it links to is one ISO 19139 record, read
with ckanext-spatial's ``ISODocument`` and mapped with
:mod:`ckanext.skpd.mapping.iso`. The record's bounding box becomes the
``spatial`` field, which ckanext-spatial indexes, so a bbox search finds
the dataset.

Every file is fetched with a conditional request when the last job left
nothing to retry; a file the server reports unchanged is neither read nor
written. A record's guid is its file name in the folder.
"""

from __future__ import annotations

import logging
import re
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.skpd.harvesters.base import (
    MappedDataset,
    Record,
    SkpdHarvester,
    SourceError,
)
from ckanext.skpd.harvesters.fetch import FetchError
from ckanext.skpd.harvesters.organizations import OrgRef
from ckanext.skpd.mapping import iso
from ckanext.spatial.harvested_metadata import ISODocument

log = logging.getLogger(__name__)

# No entities, no DTDs, no network: a record cannot make the harvester read
# local files or other hosts.
_PARSER = etree.XMLParser(
    remove_blank_text=True, resolve_entities=False, no_network=True, load_dtd=False
)
_HREF = re.compile(r"""href\s*=\s*["']([^"'#?]+\.xml)["']""", re.IGNORECASE)


def listed_files(index_url: str, page: str) -> list[str]:
    """Return the absolute URLs of the XML files a folder listing links to,
    below the folder itself."""
    folder = index_url if index_url.endswith("/") else index_url.rsplit("/", 1)[0] + "/"
    found = []
    for href in _HREF.findall(page):
        url = urljoin(folder, unescape(href))
        if url.startswith(folder) and url not in found:
            found.append(url)
    return found


class SkpdWafHarvester(SkpdHarvester):
    """Harvest ISO 19139 records from a web-accessible folder."""

    def info(self) -> dict[str, str]:
        return {
            "name": "skpd_waf",
            "title": "SKPD ISO 19139 folder (WAF)",
            "description": (
                "Harvests ISO 19139 metadata files listed in a web-accessible "
                "folder of a geoportal into the SKPD schema, with their extent "
                "for bbox search."
            ),
            "form_config_interface": "Text",
        }

    def gather_records(
        self, harvest_job: HarvestJob, options: dict[str, Any], summary: dict[str, Any]
    ) -> list[Record] | None:
        index_url = harvest_job.source.url
        index = self.download(
            harvest_job, index_url, options, summary, conditional=False
        )
        files = listed_files(index_url, index.text())
        if not files:
            raise SourceError(
                f"{index_url} lists no .xml files; nothing was imported. The source "
                "URL must be the folder listing of the ISO 19139 records."
            )
        records = []
        for url in files:
            guid = urlsplit(url).path.rsplit("/", 1)[-1]
            try:
                download = self.download(harvest_job, url, options, summary)
            except FetchError as err:
                self.report_problem(harvest_job, summary, str(err))
                records.append(Record(guid, None))
                continue
            if download.not_modified:
                records.append(Record(guid, None))
                continue
            records.append(Record(guid, download.text()))
        return records

    def record_label(self, harvest_object: HarvestObject) -> str:
        return f"file {harvest_object.guid}"

    def map_object(
        self, harvest_object: HarvestObject, options: dict[str, Any]
    ) -> MappedDataset:
        try:
            tree = etree.fromstring(harvest_object.content.encode("utf-8"), _PARSER)
            values = ISODocument(xml_tree=tree).read_values()
        except Exception as err:  # noqa: BLE001 - lxml raises many kinds
            return MappedDataset(
                package={},
                problems=[f"the file is not an ISO 19139 document ({err})."],
            )
        result = iso.map_values(values)
        package = result.package
        if package.get("owner_org"):
            package["owner_org"] = OrgRef(name=package["owner_org"])
        return MappedDataset(
            package=package,
            problems=result.problems,
            unmapped=result.unmapped,
            identifier=str(values.get("guid") or "") or None,
        )
