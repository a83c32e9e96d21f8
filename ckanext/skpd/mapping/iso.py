"""Map ISO 19139 metadata onto the SKPD schema.

The input is the dict of values ckanext-spatial's ``ISODocument`` reads
from a record (``guid``, ``title``, ``abstract``, ``keywords``,
``responsible-organisation``, ``frequency-of-update``, ``bbox``,
``temporal-extent-begin`` / ``-end``, ``resource-locator`` ...). The
responsible organisation with the most specific role becomes the owning
SKPD, the bounding box becomes the ``spatial`` GeoJSON field (which
ckanext-spatial indexes for bbox search), and the maintenance frequency
becomes the cadence.

Everything here is pure: no database, no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ckanext.skpd.mapping import datajson

# ISO 19115 maintenance frequency codes -> cadence codes.
FREQUENCIES = {
    "continual": "daily",
    "daily": "daily",
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "biannually": "semiannual",
    "annually": "annual",
    "irregular": "irregular",
    "asNeeded": "irregular",
}
# Responsible-party roles, most telling first, that name the owning SKPD.
OWNER_ROLES = ("owner", "custodian", "originator", "publisher", "pointOfContact")


@dataclass
class IsoResult:
    """An ISO record mapped onto the SKPD schema; owner_org is a name."""

    package: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    unmapped: list[tuple[str, Any]] = field(default_factory=list)


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def owner_name(values: dict[str, Any]) -> str | None:
    """Return the organisation name of the responsible party that owns the data."""
    parties = [
        p
        for p in values.get("responsible-organisation") or []
        if isinstance(p, dict) and _first(p.get("organisation-name"))
    ]
    for role in OWNER_ROLES:
        for party in parties:
            if party.get("role") == role:
                return _first(party["organisation-name"])
    return _first(parties[0]["organisation-name"]) if parties else None


def bbox_geojson(values: dict[str, Any]) -> str | None:
    """Return the first bounding box as a GeoJSON polygon, or None."""
    boxes = values.get("bbox") or []
    if not boxes:
        return None
    box = boxes[0]
    try:
        west, east = float(box["west"]), float(box["east"])
        south, north = float(box["south"]), float(box["north"])
    except (KeyError, TypeError, ValueError):
        return None
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _resources(values: dict[str, Any]) -> list[dict[str, str]]:
    resources = []
    for locator in values.get("resource-locator") or []:
        url = _first(locator.get("url"))
        if not url:
            continue
        name = _first(locator.get("name")) or url.rsplit("/", 1)[-1]
        resources.append(
            {
                "url": url,
                "name": name,
                "description": _first(locator.get("description")),
                "format": _first(locator.get("protocol")),
            }
        )
    return resources


def map_values(values: dict[str, Any]) -> IsoResult:
    """Map the values of one ISO 19139 record onto the SKPD dataset schema."""
    result = IsoResult(package={})
    package = result.package
    title = _first(values.get("title"))
    if not title:
        result.problems.append("title: the ISO record has no title (gmd:title).")
    package["title"] = title
    if _first(values.get("abstract")):
        package["notes"] = _first(values.get("abstract"))

    owner = owner_name(values)
    if owner:
        package["owner_org"] = owner
    else:
        result.problems.append(
            "owner_org: the ISO record names no responsible organisation "
            "(gmd:pointOfContact/gmd:CI_ResponsibleParty/gmd:organisationName)."
        )

    keywords = [
        k for group in values.get("keywords") or [] for k in group.get("keyword", [])
    ]
    package["tags"], _dropped = datajson.map_keywords(keywords)

    frequency = _first(values.get("frequency-of-update"))
    if frequency in FREQUENCIES:
        cadence = FREQUENCIES[frequency]
        package["cadence"] = cadence
        package["collection_method"] = (
            "ad_hoc" if cadence == "irregular" else "routine_periodic"
        )
    elif frequency:
        result.unmapped.append(("frequency-of-update", frequency))

    spatial = bbox_geojson(values)
    if spatial:
        package["spatial"] = spatial
    for key, target in (
        ("temporal-extent-begin", "temporal_start"),
        ("temporal-extent-end", "temporal_end"),
    ):
        date = _first(values.get(key))[:10]
        if len(date) == 10:
            package[target] = date
    email = _first(values.get("contact-email"))
    if email:
        package["contact_email"] = email
    domains = set(datajson.domains_for_name(owner or "")) | {"spatial"}
    package["domains"] = sorted(domains)
    package["resources"] = _resources(values)
    return result
