"""Map a dataset of a remote CKAN onto the SKPD schema.

The remote site runs either this extension's schema (its SKPD fields are
taken as they are, organization references become references by the
remote organization's code and name) or stock CKAN (title, description,
tags, resources, licence, contact and a cadence found in the extras).

Everything here is pure: the remote organizations come in as the dicts
``organization_list`` returned, and the harvester resolves the
references. Organization references are returned as ``org:<remote id>``
and lineage upstreams that are remote dataset ids as
``dataset:<remote id>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ckanext.skpd.mapping import datajson

# SKPD fields copied as they are when the remote site has them.
PLAIN_FIELDS = (
    "collection_method",
    "cadence",
    "collection_technique",
    "availability_forms",
    "information_system",
    "exchange_methods",
    "endpoint_url",
    "domains",
    "access_level",
    "concept",
    "definition",
    "unit_of_measure",
    "reference_code",
    "temporal_start",
    "temporal_end",
    "spatial_coverage",
    "spatial",
    "contact_name",
    "contact_email",
    "license_id",
    "url",
    "notes",
    "title",
)
ORG_FIELDS = ("owner_org", "producer", "custodian")
# Remote extras that may carry a cadence on a stock CKAN.
CADENCE_EXTRAS = ("frequency", "accrual_periodicity", "update_frequency", "periodicity")


@dataclass
class RemoteResult:
    """A remote dataset mapped onto the SKPD schema."""

    package: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    unmapped: list[tuple[str, Any]] = field(default_factory=list)


def _extras(dataset: dict[str, Any]) -> dict[str, Any]:
    return {
        e["key"]: e.get("value")
        for e in dataset.get("extras") or []
        if isinstance(e, dict) and e.get("key")
    }


def _resource(resource: dict[str, Any]) -> dict[str, Any]:
    mapped = {
        key: resource.get(key) or "" for key in ("url", "name", "format", "description")
    }
    if resource.get("mimetype"):
        mapped["mimetype"] = resource["mimetype"]
    return mapped


def _org_ref(org_id: Any) -> str | None:
    return f"org:{org_id}" if isinstance(org_id, str) and org_id else None


def _copy_repeating(dataset: dict[str, Any], package: dict[str, Any]) -> None:
    lineage = []
    for entry in dataset.get("lineage") or []:
        upstream = str(entry.get("upstream") or "")
        if not upstream:
            continue
        if not upstream.startswith(("http://", "https://")):
            upstream = f"dataset:{upstream}"
        lineage.append({**entry, "upstream": upstream})
    if lineage:
        package["lineage"] = lineage
    roles = [
        {"role": e.get("role"), "holder": _org_ref(e.get("holder"))}
        for e in dataset.get("authority_roles") or []
        if _org_ref(e.get("holder"))
    ]
    if roles:
        package["authority_roles"] = roles
    needs = [
        {**e, "consumer": _org_ref(e.get("consumer"))}
        for e in dataset.get("exchange_needs") or []
        if _org_ref(e.get("consumer"))
    ]
    if needs:
        package["exchange_needs"] = needs


def _map_contact(dataset: dict[str, Any], package: dict[str, Any]) -> None:
    name = dataset.get("maintainer") or dataset.get("author")
    if not package.get("contact_name") and name:
        package["contact_name"] = name
    email = dataset.get("maintainer_email") or dataset.get("author_email")
    if not package.get("contact_email") and email:
        package["contact_email"] = email


def map_dataset(dataset: dict[str, Any]) -> RemoteResult:
    """Map a remote ``package_show`` dict onto the SKPD dataset schema."""
    result = RemoteResult(package={})
    package = result.package
    for key in PLAIN_FIELDS:
        value = dataset.get(key)
        if value not in (None, "", []):
            package[key] = value
    if not package.get("title"):
        result.problems.append("title: the remote dataset has no title.")

    for key in ORG_FIELDS:
        ref = _org_ref(dataset.get(key))
        if ref:
            package[key] = ref
    if "owner_org" not in package:
        result.problems.append(
            "owner_org: the remote dataset belongs to no organization, so no SKPD "
            "owns it."
        )
    _copy_repeating(dataset, package)

    package["tags"] = [
        {"name": tag["name"]} for tag in dataset.get("tags") or [] if tag.get("name")
    ]
    package["resources"] = [_resource(r) for r in dataset.get("resources") or []]
    _map_contact(dataset, package)

    if "cadence" not in package:
        extras = _extras(dataset)
        for key in CADENCE_EXTRAS:
            if extras.get(key):
                fields, unmapped = datajson.map_cadence(extras[key])
                package.update(fields)
                if unmapped is not None:
                    result.unmapped.append((key, unmapped))
                break
    return result


def organization_ref(remote: dict[str, Any]) -> dict[str, Any]:
    """Return what identifies a remote organization locally.

    :returns: ``name`` (its title, or its name), ``code`` (``skpd_code``),
        ``abbreviation``, ``kind``, ``satu_data_role`` and ``aliases``
        (its URL name and any aliases it lists)
    """
    aliases = [remote.get("name") or ""]
    listed = remote.get("aliases")
    if isinstance(listed, list):
        aliases += [str(a) for a in listed]
    return {
        "name": remote.get("title") or remote.get("name") or "",
        "code": remote.get("skpd_code") or "",
        "abbreviation": remote.get("abbreviation") or "",
        "kind": remote.get("kind") or "",
        "satu_data_role": remote.get("satu_data_role") or "",
        "aliases": tuple(a for a in aliases if a),
    }
