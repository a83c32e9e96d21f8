"""The authority matrix: which SKPD holds which role over a set of datasets.

The set of datasets is a dataset search, so it obeys the same permissions
as ``package_search``: one search request returns the ids, one SQL query
reads their roles, one more reads the organizations.

Roles come from the ``authority_roles`` field, plus two that other fields
imply: the producer (or, when none is named, the owning SKPD) holds
``owner``, and the custodian holds ``custodian``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.query import solr_literal
from ckan.types import Context

from ckanext.skpd import vocab
from ckanext.skpd.lineage import store


def search_filters(data_dict: dict[str, Any], orgs: dict[str, Any]) -> list[str]:
    """Return the Solr filters for the dataset set described by ``data_dict``."""
    filters = []
    if data_dict.get("fq"):
        filters.append(str(data_dict["fq"]))
    owner = data_dict.get("organization")
    if owner:
        filters.append("+owner_org:{}".format(solr_literal(orgs[owner]["id"])))
    holder = data_dict.get("holder")
    if holder:
        filters.append(
            "+skpd_role_holder:{}".format(solr_literal(orgs[holder]["name"]))
        )
        if data_dict.get("others_only"):
            filters.append("-owner_org:{}".format(solr_literal(orgs[holder]["id"])))
    if data_dict.get("domain"):
        filters.append("+skpd_domain:{}".format(solr_literal(data_dict["domain"])))
    return filters


def roles_of(row: Any) -> dict[str, set[str]]:
    """Return organization id -> role codes for one dataset.

    ``row`` has ``owner_org`` and the ``authority_roles``, ``producer`` and
    ``custodian`` extras as text, as :py:func:`store.scan_catalogue` reads
    them.
    """
    roles: dict[str, set[str]] = defaultdict(set)
    for entry in store.json_dicts(row.authority_roles):
        if entry.get("holder") and entry.get("role"):
            roles[str(entry["holder"])].add(str(entry["role"]))
    owner = row.producer or row.owner_org
    if owner:
        roles[owner].add("owner")
    if row.custodian:
        roles[row.custodian].add("custodian")
    return roles


ROLE_EXTRAS = ("authority_roles", "producer", "custodian")


def authority_matrix(
    context: Context, data_dict: dict[str, Any], max_rows: int
) -> dict[str, Any]:
    """Return the datasets of a search with the roles each SKPD holds."""
    orgs = store.organizations([data_dict.get("organization"), data_dict.get("holder")])
    search = tk.get_action("package_search")(
        {
            "user": context.get("user"),
            "auth_user_obj": context.get("auth_user_obj"),
            "ignore_auth": context.get("ignore_auth", False),
        },
        {
            "q": data_dict.get("q") or "",
            "fq": " ".join(search_filters(data_dict, orgs)),
            "fl": "id",
            "rows": max_rows,
            "sort": "title_string asc",
            "include_private": True,
        },
    )
    ids = [result["id"] for result in search["results"]]
    rows = {
        row.id: row for row in store.scan_catalogue(ROLE_EXTRAS, store.with_ids(ids))
    }
    datasets = [rows[i] for i in ids if i in rows]
    return _matrix(datasets, search["count"])


def _matrix(datasets: list[Any], count: int) -> dict[str, Any]:
    per_dataset = [(row, roles_of(row)) for row in datasets]
    summary: dict[str, Counter[str]] = defaultdict(Counter)
    for _row, roles in per_dataset:
        for holder, codes in roles.items():
            summary[holder].update(codes)
    orgs = store.organizations(list(summary) + [r.owner_org for r in datasets])
    role_order = vocab.codes("authority_role")
    holders = sorted((h for h in summary if h in orgs), key=lambda h: orgs[h]["title"])
    return {
        "count": count,
        "truncated": count > len(datasets),
        "roles": role_order,
        "organizations": [
            {
                **{k: orgs[h][k] for k in ("id", "name", "title", "abbreviation")},
                "roles": {
                    code: summary[h][code] for code in role_order if summary[h][code]
                },
            }
            for h in holders
        ],
        "datasets": [
            {
                "id": row.id,
                "name": row.name,
                "title": row.title or row.name,
                "owner_org": row.owner_org,
                "roles": {
                    holder: [code for code in role_order if code in codes]
                    for holder, codes in roles.items()
                    if holder in orgs
                },
            }
            for row, roles in per_dataset
        ],
    }
