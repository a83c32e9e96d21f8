"""The catalogue as a Project Open Data 1.1 ``data.json`` document.

Indonesian regional portals publish this shape and the national Satu Data
portal harvests it. Each record carries:

- the owning SKPD as ``publisher`` and the custodian (or the contact name)
  as ``contactPoint``;
- ``accessLevel`` from the access level (``public``, ``restricted public``,
  ``non-public``) with the level's label as ``rights`` when not public;
- the cadence as an ISO 8601 repeating duration (``R/P1M``), or
  ``irregular``;
- the Satu Data standard fields (concept, definition, unit, producer) as
  "Label = value" lines at the end of the description, which is where
  regional portals write them and where this project's data.json harvester
  reads them back.

The document is written as a stream, one page of search results at a
time, so its size does not depend on memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.dcat.utils import dataset_uri
from ckanext.skpd import vocab
from ckanext.skpd.interop import terms
from ckanext.skpd.mapping import datajson

PAGE_SIZE = 500

CATALOG_HEADER = {
    "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
    "@type": "dcat:Catalog",
    "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
    "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
}

# Satu Data standard fields and the labels regional portals write them with.
STANDARD_LINES = (
    ("concept", "Konsep"),
    ("definition", "Definisi"),
    ("unit_of_measure", "Satuan"),
)


class OrganizationTitles:
    """Organization titles by id, read once per document."""

    def __init__(self) -> None:
        self._titles: dict[str, str] = {}

    def __call__(self, org_id: str | None) -> str:
        if not org_id:
            return ""
        if org_id not in self._titles:
            group = model.Group.get(org_id)
            self._titles[org_id] = (group.title or group.name) if group else ""
        return self._titles[org_id]


def _site_url() -> str:
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def _description(package: dict[str, Any], titles: OrganizationTitles) -> str:
    notes = (package.get("notes") or "").strip()
    present = datajson.parse_standard_fields(notes)
    lines = [
        f"{label} = {package[field]}"
        for field, label in STANDARD_LINES
        if package.get(field) and field not in present
    ]
    producer = titles(package.get("producer"))
    if producer and "producer" not in present:
        lines.append(f"Produsen Data = {producer}")
    parts = [notes] if notes else []
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts) or package.get("title") or ""


def _access(package: dict[str, Any]) -> tuple[str, str | None]:
    """Return the POD accessLevel and, when it is not public, its rights text."""
    term = vocab.get_term("access_level", package.get("access_level") or "")
    if term is not None:
        level = term.extra["pod"]
        return level, None if level == "public" else term.id
    if package.get("private"):
        return "non-public", tk._("Private dataset of this catalogue")
    return "public", None


def _contact(package: dict[str, Any], titles: OrganizationTitles) -> dict[str, str]:
    organization = package.get("organization") or {}
    name = (
        package.get("contact_name")
        or titles(package.get("custodian"))
        or organization.get("title")
        or ""
    )
    contact = {"@type": "vcard:Contact", "fn": name}
    if package.get("contact_email"):
        contact["hasEmail"] = "mailto:" + package["contact_email"]
    return contact


def _keywords(package: dict[str, Any]) -> list[str]:
    tags = [tag["name"] for tag in package.get("tags") or []]
    if tags:
        return tags
    return [vocab.label("domain", code, "id") for code in package.get("domains") or []]


def _distribution(resource: dict[str, Any]) -> dict[str, Any]:
    distribution: dict[str, Any] = {"@type": "dcat:Distribution"}
    for key, value in (
        ("downloadURL", resource.get("url")),
        ("mediaType", resource.get("mimetype")),
        ("format", resource.get("format")),
        ("title", resource.get("name")),
        ("description", resource.get("description")),
    ):
        if value:
            distribution[key] = value
    return distribution


def _temporal(package: dict[str, Any]) -> str | None:
    start, end = package.get("temporal_start"), package.get("temporal_end")
    if not (start or end):
        return None
    return "{}/{}".format(str(start or "")[:10], str(end or "")[:10])


def dataset_record(
    package: dict[str, Any], titles: OrganizationTitles
) -> dict[str, Any]:
    """Return the POD 1.1 record of one dataset dict (as package_search returns it)."""
    organization = package.get("organization") or {}
    access_level, rights = _access(package)
    record: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": dataset_uri(package),
        "title": package.get("title") or package.get("name"),
        "description": _description(package, titles),
        "keyword": _keywords(package),
        "issued": package.get("metadata_created"),
        "modified": package.get("metadata_modified"),
        "publisher": {
            "@type": "org:Organization",
            "name": organization.get("title", ""),
        },
        "contactPoint": _contact(package, titles),
        "accessLevel": access_level,
        "landingPage": "{}/dataset/{}".format(_site_url(), package.get("name")),
        "distribution": [_distribution(r) for r in package.get("resources") or []],
    }
    optional = {
        "rights": rights,
        "accrualPeriodicity": terms.pod_periodicity(package.get("cadence")),
        "license": package.get("license_url"),
        "spatial": package.get("spatial_coverage"),
        "temporal": _temporal(package),
        "theme": [vocab.label("domain", c, "id") for c in package.get("domains") or []],
        "references": [package["endpoint_url"]]
        if package.get("endpoint_url")
        else None,
    }
    record.update({key: value for key, value in optional.items() if value})
    return record


def _search_pages(
    context: dict[str, Any], include_private: bool
) -> Iterator[dict[str, Any]]:
    start = 0
    while True:
        result = tk.get_action("package_search")(
            dict(context),
            {
                "q": "*:*",
                "fq": "+dataset_type:dataset",
                "include_private": include_private,
                "sort": "metadata_created asc, name asc",
                "rows": PAGE_SIZE,
                "start": start,
            },
        )
        yield from result["results"]
        start += PAGE_SIZE
        if start >= result["count"] or not result["results"]:
            return


def catalog_chunks(
    context: dict[str, Any], include_private: bool = False
) -> Iterator[str]:
    """Yield the data.json document in pieces, one dataset record at a time.

    Only datasets ``package_search`` shows the context's user are listed:
    public ones, and with ``include_private`` the private datasets of the
    organizations the user belongs to.

    NOTE: a dataset deleted while the document is being written can make
    the following page skip one dataset. New datasets come last, so they
    are never skipped.
    """
    header = dict(CATALOG_HEADER, **{"@id": _site_url() + "/data.json"})
    text = json.dumps(header, ensure_ascii=False)
    yield text[:-1] + ', "dataset": ['
    titles = OrganizationTitles()
    first = True
    for package in _search_pages(context, include_private):
        record = json.dumps(dataset_record(package, titles), ensure_ascii=False)
        yield record if first else ", " + record
        first = False
    yield "]}"
