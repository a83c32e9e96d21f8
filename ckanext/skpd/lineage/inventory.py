"""The inventory of one SKPD and its place in the exchange of data.

One SQL query reads the SKPD's own datasets together with the datasets of
other SKPD that mention it (as role holder, producer, custodian or
consumer); one more reads the organizations involved.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.skpd import vocab
from ckanext.skpd.lineage import cache, store
from ckanext.skpd.lineage.access import Viewer
from ckanext.skpd.lineage.authority import roles_of
from ckanext.skpd.lineage.flows import unmet_reasons

# The fields a dataset needs for its metadata to count as complete: the
# description, the seven-step inventory fields an SKPD fills in, and the
# Satu Data standard fields. A cadence is needed only for routine and
# periodic collection.
COMPLETENESS_FIELDS = (
    "notes",
    "collection_method",
    "cadence",
    "collection_technique",
    "availability_forms",
    "domains",
    "access_level",
    "concept",
    "definition",
    "unit_of_measure",
)

# The extras the inventory reads: the completeness fields, and what the
# needs and the roles are made of.
_EXTRAS = (
    *(name for name in COMPLETENESS_FIELDS if name != "notes"),
    "exchange_needs",
    "exchange_methods",
    "authority_roles",
    "producer",
    "custodian",
)

# The digitisation ladder, from the bottom rung to the top.
LADDER = ("raw_hardcopy", "processed_hardcopy", "office_files", "sim_database")
NOT_STATED = "not_stated"


def missing_fields(row: store.DatasetRow) -> list[str]:
    """Return the completeness fields ``row`` leaves empty."""
    missing = []
    for name in COMPLETENESS_FIELDS:
        if name == "notes":
            filled = row.has_notes
        elif name == "cadence":
            filled = bool(row.extra("cadence")) or (
                row.extra("collection_method") != "routine_periodic"
            )
        elif name in ("availability_forms", "domains"):
            filled = bool(store.json_list(row.extras.get(name)))
        else:
            filled = bool(row.extra(name))
        if not filled:
            missing.append(name)
    return missing


def highest_form(row: store.DatasetRow) -> str:
    """Return the most digital availability form of ``row`` (its ladder rung)."""
    forms = set(row.availability_forms)
    for form in reversed(LADDER):
        if form in forms:
            return form
    return NOT_STATED


def inventory(org: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """Return the inventory of the SKPD ``org`` as ``viewer`` may see it."""
    result = cache.cached(
        "inventory", viewer, {"org": org["id"]}, lambda: _count(org["id"], viewer)
    )
    result["organization"] = {
        k: org[k] for k in ("id", "name", "title", "abbreviation")
    }
    _name_organizations(result)
    return result


def _count(org_id: str, viewer: Viewer) -> dict[str, Any]:
    rows = _related_rows(org_id)
    own = [r for r in rows if r.owner_org == org_id and viewer.can_read(r)]
    others = [r for r in rows if r.owner_org != org_id and viewer.can_read(r)]
    complete = {r.id for r in own if not missing_fields(r)}
    return {
        "total": len(own),
        "complete": len(complete),
        "complete_share": round(len(complete) / len(own), 4) if own else None,
        "ladder": _groups(own, complete, highest_form, LADDER + (NOT_STATED,)),
        "availability_forms": _multi_groups(own, complete),
        "collection_method": _groups(
            own,
            complete,
            lambda r: r.extra("collection_method") or NOT_STATED,
            tuple(vocab.codes("collection_method")) + (NOT_STATED,),
        ),
        "cadence": _groups(
            own,
            complete,
            lambda r: r.extra("cadence") or NOT_STATED,
            tuple(vocab.codes("cadence")) + (NOT_STATED,),
        ),
        "missing_fields": dict(
            Counter(name for r in own for name in missing_fields(r)).most_common()
        ),
        "datasets": [_dataset(r, r.id in complete) for r in own],
        "roles_over_others": _roles_over_others(org_id, others),
        "provides_to": _needs(own, lambda need: need.get("consumer") != org_id),
        "needs_from": _needs(others, lambda need: need.get("consumer") == org_id),
    }


def _related_rows(org_id: str) -> list[store.DatasetRow]:
    table = model.package_table
    pattern = f'%"{org_id}"%'
    mentions = sa.or_(
        table.c.extras["authority_roles"].astext.like(pattern),
        table.c.extras["exchange_needs"].astext.like(pattern),
        table.c.extras["producer"].astext == org_id,
        table.c.extras["custodian"].astext == org_id,
    )
    return store.select_datasets(_EXTRAS, sa.or_(table.c.owner_org == org_id, mentions))


def _groups(
    rows: list[store.DatasetRow],
    complete: set[str],
    key: Any,
    order: tuple[str, ...],
) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    completes: Counter[str] = Counter()
    for row in rows:
        code = key(row)
        counts[code] += 1
        completes[code] += row.id in complete
    codes = [c for c in order if counts[c]] + sorted(set(counts) - set(order))
    return [{"code": c, "count": counts[c], "complete": completes[c]} for c in codes]


def _multi_groups(
    rows: list[store.DatasetRow], complete: set[str]
) -> list[dict[str, Any]]:
    """Count datasets per availability form; a dataset may have several."""
    counts: Counter[str] = Counter()
    completes: Counter[str] = Counter()
    for row in rows:
        for form in set(row.availability_forms) or {NOT_STATED}:
            counts[form] += 1
            completes[form] += row.id in complete
    order = tuple(reversed(LADDER)) + (NOT_STATED,)
    return [
        {"code": c, "count": counts[c], "complete": completes[c]}
        for c in order
        if counts[c]
    ]


def _dataset(row: store.DatasetRow, complete: bool) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "title": row.title or row.name,
        "availability_forms": row.availability_forms,
        "collection_method": row.extra("collection_method"),
        "cadence": row.extra("cadence"),
        "complete": complete,
        "missing_fields": missing_fields(row),
    }


def _roles_over_others(
    org_id: str, rows: list[store.DatasetRow]
) -> list[dict[str, Any]]:
    entries = []
    for row in rows:
        codes = roles_of(row).get(org_id)
        if codes:
            entries.append(
                {
                    "dataset": {"id": row.id, "name": row.name, "title": row.title},
                    "owner_org": row.owner_org,
                    "roles": [c for c in vocab.codes("authority_role") if c in codes],
                }
            )
    return entries


def _needs(rows: list[store.DatasetRow], wanted: Any) -> list[dict[str, Any]]:
    entries = []
    for row in rows:
        for need in row.exchange_needs:
            if not need.get("consumer") or not wanted(need):
                continue
            entry = {
                "dataset": {"id": row.id, "name": row.name, "title": row.title},
                "provider": row.owner_org,
                "consumer": need.get("consumer"),
                "reasons": unmet_reasons(_NeedView(row), need),
            }
            for key in ("status", "purpose", "frequency", "method"):
                entry[key] = need.get(key)
            entries.append(entry)
    return entries


class _NeedView:
    """The extras :py:func:`unmet_reasons` reads, taken from a full row."""

    def __init__(self, row: store.DatasetRow) -> None:
        self.exchange_methods = row.extras.get("exchange_methods")
        self.availability_forms = row.extras.get("availability_forms")
        self.cadence = row.extra("cadence")


def _name_organizations(result: dict[str, Any]) -> None:
    ids = [e["owner_org"] for e in result["roles_over_others"]]
    for key in ("provides_to", "needs_from"):
        ids += [e["provider"] for e in result[key]] + [
            e["consumer"] for e in result[key]
        ]
    orgs = store.organizations(ids)
    for entry in result["roles_over_others"]:
        entry["owner_org"] = _org(orgs.get(entry["owner_org"]))
    for key in ("provides_to", "needs_from"):
        for entry in result[key]:
            entry["provider"] = _org(orgs.get(entry["provider"]))
            entry["consumer"] = _org(orgs.get(entry["consumer"]))


def _org(org: dict[str, Any] | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {k: org[k] for k in ("id", "name", "title", "abbreviation")}
