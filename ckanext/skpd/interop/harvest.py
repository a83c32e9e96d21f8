"""SKPD steps of ckanext-dcat's RDF harvester (``dcat_rdf``).

The ``skpd_dcat_ap`` profile parses the graph in the gather stage, when
only existing organizations can be matched. Before each dataset is saved,
:func:`before_save` creates the SKPD organizations the graph describes and
this site lacks, and points every reference at a local organization. After
it is saved, :func:`after_save` points the lineage of datasets harvested
earlier, which could only name this dataset by its URI, at its local id.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.skpd.interop import agents
from ckanext.skpd.interop.rdf import AGENTS_KEY, local_dataset_ref

log = logging.getLogger(__name__)

# Repeating fields and the subfield that holds an organization reference.
_ORG_SUBFIELDS = (("authority_roles", "holder"), ("exchange_needs", "consumer"))
_ORG_FIELDS = ("owner_org", "producer", "custodian")


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def resolve_agents(dataset_dict: dict[str, Any], user: str) -> None:
    """Replace the agent URIs of a parsed dataset by local organization ids.

    Organizations no local one matches are created from their description.
    """
    descriptions = dataset_dict.pop(AGENTS_KEY, None) or {}
    local: dict[str, str] = {}
    for uri, data in descriptions.items():
        agent = agents.AgentDescription.from_dict(data)
        local[uri] = agents.find_local_organization(
            agent
        ) or agents.create_organization(agent, user)
    if not local:
        return
    for field_name in _ORG_FIELDS:
        value = dataset_dict.get(field_name)
        if value in local:
            dataset_dict[field_name] = local[value]
    for field_name, subfield in _ORG_SUBFIELDS:
        for entry in dataset_dict.get(field_name) or []:
            if isinstance(entry, dict) and entry.get(subfield) in local:
                entry[subfield] = local[entry[subfield]]


def resolve_lineage(dataset_dict: dict[str, Any]) -> None:
    """Replace lineage URIs of datasets on this site by the datasets' ids."""
    for entry in dataset_dict.get("lineage") or []:
        upstream = entry.get("upstream") if isinstance(entry, dict) else None
        if upstream and upstream.startswith(("http://", "https://")):
            entry["upstream"] = local_dataset_ref(upstream)


def before_save(dataset_dict: dict[str, Any] | None) -> None:
    if not dataset_dict:
        return
    resolve_agents(dataset_dict, _site_user())
    resolve_lineage(dataset_dict)


def _dataset_uri(dataset_dict: dict[str, Any]) -> str | None:
    for extra in dataset_dict.get("extras") or []:
        if extra.get("key") == "uri" and extra.get("value"):
            return extra["value"]
    return None


def after_save(dataset_dict: dict[str, Any] | None) -> str | None:
    """Relink the lineage entries that named this dataset by its URI."""
    if not dataset_dict or not dataset_dict.get("id"):
        return None
    uri = _dataset_uri(dataset_dict)
    if not uri:
        return None
    candidates = (
        model.Session.query(model.Package.id)
        .filter(
            model.Package.extras["lineage"].astext.contains(uri),
            model.Package.state == "active",
            model.Package.id != dataset_dict["id"],
        )
        .all()
    )
    context = {"user": _site_user(), "ignore_auth": True}
    for (package_id,) in candidates:
        package = tk.get_action("package_show")(dict(context), {"id": package_id})
        lineage = package.get("lineage") or []
        if not any(e.get("upstream") == uri for e in lineage):
            continue
        for entry in lineage:
            if entry.get("upstream") == uri:
                entry["upstream"] = dataset_dict["id"]
        try:
            tk.get_action("package_patch")(
                dict(context), {"id": package_id, "lineage": lineage}
            )
        except tk.ValidationError as err:
            summary = err.error_summary
            return f"Could not relink the lineage of dataset {package_id}: {summary}"
        log.info("Relinked the lineage of %s to %s", package_id, dataset_dict["id"])
    return None
