"""Solr fields and search facets of the SKPD schema.

Multi-valued schema fields are indexed into ``skpd_*`` fields, which the
project's Solr schema declares as multi-valued strings, so they can be
faceted and filtered value by value.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.model as model

from ckanext.skpd import vocab


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


# Facet field, its vocabulary (None for an organization reference) and the
# English facet title; the title is translated at display time.
FACETS: list[tuple[str, str | None, str]] = [
    ("skpd_domain", "domain", N_("Data domains")),
    ("skpd_collection_method", "collection_method", N_("Collection methods")),
    ("skpd_cadence", "cadence", N_("Cadences")),
    ("skpd_availability", "availability_form", N_("Availability forms")),
    ("skpd_access_level", "access_level", N_("Access levels")),
    ("skpd_role_holder", None, N_("Role-holding SKPD")),
]

# Raw schema fields whose JSON text is replaced by the skpd_* fields.
_RAW_FIELDS = (
    "availability_forms",
    "domains",
    "exchange_methods",
    "lineage",
    "exchange_needs",
    "authority_roles",
    "unmapped_values",
)


def _as_list(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return value if isinstance(value, list) else [value]


def _organization_names(ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = model.Session.query(model.Group.id, model.Group.name).filter(
        model.Group.id.in_(ids)
    )
    return dict(rows)


def index_fields(validated: dict[str, Any]) -> dict[str, Any]:
    """Return the ``skpd_*`` index fields of one validated dataset dict."""
    roles = [r for r in _as_list(validated.get("authority_roles")) if isinstance(r, dict)]
    needs = [n for n in _as_list(validated.get("exchange_needs")) if isinstance(n, dict)]
    lineage = [e for e in _as_list(validated.get("lineage")) if isinstance(e, dict)]

    org_ids = {r.get("holder") for r in roles} | {n.get("consumer") for n in needs}
    org_ids |= {validated.get("producer"), validated.get("custodian")}
    names = _organization_names({i for i in org_ids if i})

    fields: dict[str, Any] = {
        "skpd_collection_method": validated.get("collection_method"),
        "skpd_cadence": validated.get("cadence"),
        "skpd_technique": validated.get("collection_technique"),
        "skpd_access_level": validated.get("access_level"),
        "skpd_availability": _as_list(validated.get("availability_forms")),
        "skpd_domain": _as_list(validated.get("domains")),
        "skpd_exchange_method": _as_list(validated.get("exchange_methods")),
        "skpd_producer": names.get(validated.get("producer") or ""),
        "skpd_custodian": names.get(validated.get("custodian") or ""),
        "skpd_role": sorted({r.get("role") for r in roles if r.get("role")}),
        "skpd_role_holder": sorted(
            {names[r["holder"]] for r in roles if r.get("holder") in names}
        ),
        "skpd_role_pair": sorted(
            {
                "{}:{}".format(r.get("role"), names[r["holder"]])
                for r in roles
                if r.get("holder") in names
            }
        ),
        "skpd_consumer": sorted(
            {names[n["consumer"]] for n in needs if n.get("consumer") in names}
        ),
        "skpd_exchange_status": sorted({n.get("status") for n in needs if n.get("status")}),
        "skpd_relation": sorted({e.get("relation") for e in lineage if e.get("relation")}),
    }
    return {key: value for key, value in fields.items() if value not in (None, "", [])}


# Free-text fields. CKAN also copies every extra into a field of its own
# name, which the Solr schema's catch-all makes one string term, and Solr
# rejects a term over 32,766 bytes. Their tokenised extras_<name> copies
# keep them searchable.
_FREE_TEXT_FIELDS = (
    "concept",
    "definition",
    "unit_of_measure",
    "reference_code",
    "information_system",
    "contact_name",
    "spatial_coverage",
)


# Index fields left out entirely. The lineage extra contains the upstream
# ids and the notes about them, which a reader of the dataset may not be
# allowed to see (see ckanext.skpd.privacy), so they must not be searchable
# or facetable. The lineage walk reads upstream ids from the link tables.
_UNINDEXED_FIELDS = ("extras_lineage",)


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    for raw in _RAW_FIELDS + _FREE_TEXT_FIELDS + _UNINDEXED_FIELDS:
        pkg_dict.pop(raw, None)
    pkg_dict.update(index_fields(validated))
    return pkg_dict


def _organization_titles(names: list[str]) -> dict[str, str]:
    if not names:
        return {}
    rows = model.Session.query(model.Group.name, model.Group.title).filter(
        model.Group.name.in_(names)
    )
    return {name: title or name for name, title in rows}


def label_facets(search_facets: dict[str, Any], lang: str | None) -> None:
    """Replace the codes of the SKPD facets by labels in ``lang``."""
    for field, vocabulary, _title in FACETS:
        facet = search_facets.get(field)
        if not facet:
            continue
        items = facet.get("items", [])
        if vocabulary is None:
            titles = _organization_titles([item["name"] for item in items])
            for item in items:
                item["display_name"] = titles.get(item["name"], item["name"])
        else:
            for item in items:
                item["display_name"] = vocab.label(vocabulary, item["name"], lang)
