"""Harvester for DCAT-AP RDF catalogues, under the SKPD harvesting rules.

The catalogue is parsed with ckanext-dcat's ``RDFParser`` and the profiles
of ``ckanext.dcat.rdf.profiles`` (``skpd_dcat_ap`` reads the SKPD fields:
agents, lineage, roles, exchange needs, cadence). Unlike ckanext-dcat's
``dcat_rdf`` harvester, this one downloads within the source's limits,
sends a conditional request for a one-page catalogue, queues only changed
datasets, applies the removal policy and merges with local edits (see
:mod:`ckanext.skpd.harvesters.base`).

Source configuration keys, beyond those of every SKPD harvester:

``rdf_format``
    The RDF serialisation (``turtle``, ``xml``, ``json-ld`` ...) when the
    server's Content-Type does not tell it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ckanext.dcat.processors import RDFParser, RDFParserException
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.skpd.harvesters import state
from ckanext.skpd.harvesters.base import (
    MappedDataset,
    Record,
    SkpdHarvester,
    SourceError,
)
from ckanext.skpd.harvesters.organizations import OrgRef
from ckanext.skpd.interop.rdf import AGENTS_KEY

log = logging.getLogger(__name__)

ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8"
MEDIA_FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "text/n3": "n3",
}
MAX_PAGES = 200
# Keys of the parsed dataset the import sets itself.
_DROPPED = ("name", "id")


def _extra(dataset: dict[str, Any], key: str) -> str | None:
    for extra in dataset.get("extras") or []:
        if extra.get("key") == key and extra.get("value"):
            return str(extra["value"])
    return None


def dataset_guid(dataset: dict[str, Any]) -> str | None:
    """Return a dataset's URI, or its dcat:identifier."""
    return _extra(dataset, "uri") or _extra(dataset, "identifier")


def upstream_first(
    found: list[tuple[str, dict[str, Any]]],
) -> list[tuple[str, dict[str, Any]]]:
    """Return (guid, dataset) pairs with each after the datasets its lineage names."""
    by_guid = dict(found)
    placed: set[str] = set()
    ordered: list[tuple[str, dict[str, Any]]] = []

    def place(guid: str, visiting: set[str]) -> None:
        if guid in placed or guid in visiting:
            return
        visiting.add(guid)
        for entry in by_guid[guid].get("lineage") or []:
            if isinstance(entry, dict) and entry.get("upstream") in by_guid:
                place(entry["upstream"], visiting)
        placed.add(guid)
        ordered.append((guid, by_guid[guid]))

    for guid in by_guid:
        place(guid, set())
    return ordered


class SkpdDcatRdfHarvester(SkpdHarvester):
    """Harvest DCAT-AP RDF catalogues into the SKPD schema."""

    extra_config_keys = ("rdf_format",)

    def info(self) -> dict[str, str]:
        return {
            "name": "skpd_dcat_rdf",
            "title": "SKPD DCAT-AP RDF catalogue",
            "description": (
                "Harvests a DCAT-AP catalogue (Turtle, RDF/XML, JSON-LD) with "
                "the SKPD profile, incrementally, matching its agents to SKPD."
            ),
            "form_config_interface": "Text",
        }

    def validate_options(self, options: dict[str, Any]) -> None:
        rdf_format = options.get("rdf_format")
        if rdf_format is not None:
            supported = RDFParser().supported_formats()
            if rdf_format not in supported:
                raise ValueError("rdf_format must be one of: " + ", ".join(supported))

    def _single_page_last_time(self, harvest_job: HarvestJob) -> bool:
        runs = [
            r
            for r in state.load(harvest_job.source.id).get("runs", [])
            if r.get("job_id") != harvest_job.id
        ]
        return bool(runs) and len(runs[0].get("downloads") or []) == 1

    def gather_records(
        self, harvest_job: HarvestJob, options: dict[str, Any], summary: dict[str, Any]
    ) -> list[Record] | None:
        url = harvest_job.source.url
        conditional = self._single_page_last_time(harvest_job)
        found: list[tuple[str, dict[str, Any]]] = []
        seen_pages = set()
        while url and url not in seen_pages and len(seen_pages) < MAX_PAGES:
            seen_pages.add(url)
            download = self.download(
                harvest_job,
                url,
                options,
                summary,
                accept=ACCEPT,
                conditional=conditional,
            )
            if download.not_modified:
                return None
            conditional = False
            parser = self._parse(download, options)
            for dataset in parser.datasets():
                guid = dataset_guid(dataset)
                if not guid:
                    self.report_problem(
                        harvest_job,
                        summary,
                        'Dataset "{}" of {} has no URI and no dct:identifier; it '
                        "was not imported.".format(dataset.get("title"), url),
                    )
                    continue
                found.append((guid, dataset))
            url = parser.next_page()
        return [
            Record(guid, json.dumps(dataset, ensure_ascii=False, sort_keys=True))
            for guid, dataset in upstream_first(found)
        ]

    def _parse(self, download: Any, options: dict[str, Any]) -> RDFParser:
        if download.looks_like_html():
            raise SourceError(
                f"{download.url} responded with a web page instead of an RDF "
                "catalogue; nothing was imported."
            )
        media_type = download.content_type.split(";")[0].strip().lower()
        rdf_format = options.get("rdf_format") or MEDIA_FORMATS.get(media_type)
        parser = RDFParser()
        try:
            parser.parse(download.text(), _format=rdf_format)
        except RDFParserException as err:
            raise SourceError(
                f"{download.url} is not a readable RDF catalogue ({err}); nothing "
                'was imported. Set "rdf_format" if the server sends a wrong '
                "Content-Type."
            ) from err
        return parser

    def record_label(self, harvest_object: HarvestObject) -> str:
        dataset = json.loads(harvest_object.content or "{}")
        return '"{}" ({})'.format(
            dataset.get("title") or "untitled", harvest_object.guid
        )

    def map_object(
        self, harvest_object: HarvestObject, options: dict[str, Any]
    ) -> MappedDataset:
        dataset = json.loads(harvest_object.content)
        agents = dataset.pop(AGENTS_KEY, None) or {}
        refs = {
            uri: OrgRef(
                name=data.get("title") or "",
                code=data.get("skpd_code") or "",
                abbreviation=data.get("abbreviation") or "",
                kind=data.get("kind") or "",
                satu_data_role=data.get("satu_data_role") or "",
            )
            for uri, data in agents.items()
        }
        for key in _DROPPED:
            dataset.pop(key, None)
        for key in ("owner_org", "producer", "custodian"):
            if dataset.get(key) in refs:
                dataset[key] = refs[dataset[key]]
        for key, subfield in (
            ("authority_roles", "holder"),
            ("exchange_needs", "consumer"),
        ):
            for entry in dataset.get(key) or []:
                if entry.get(subfield) in refs:
                    entry[subfield] = refs[entry[subfield]]
        problems = []
        if not dataset.get("owner_org"):
            problems.append(
                "owner_org: the dataset has no dct:publisher, so no SKPD owns it."
            )
        for resource in dataset.get("resources") or []:
            resource.pop("id", None)
        return MappedDataset(
            package=dataset,
            problems=problems,
            identifier=_extra(dataset, "identifier"),
        )

    def resolve_upstream(
        self, harvest_object: HarvestObject, upstream: str, mapped: MappedDataset
    ) -> str:
        return self.upstream_by_guid(harvest_object, upstream) or upstream
