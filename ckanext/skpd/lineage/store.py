"""Batch reads of datasets, organizations and downstream links.

Every function here reads a whole set of ids with one query, so the
number of queries of a graph or matrix does not depend on its size.
Scheming keeps the SKPD fields as package extras; list fields are JSON text
inside the ``extras`` JSONB column.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import sqlalchemy as sa

log = logging.getLogger(__name__)

# The package type of the SKPD scheming schema; harvest sources and other
# package types take no part in lineage.
DATASET_TYPE = "dataset"


def json_list(text: Any) -> list[Any]:
    """Return the list a JSON extra holds, or an empty list for anything else."""
    if isinstance(text, list):
        return text
    if not text or not isinstance(text, str):
        return []
    try:
        value = json.loads(text)
    except ValueError:
        log.warning("Ignoring an extra that is not JSON: %.40s", text)
        return []
    return value if isinstance(value, list) else []


def json_dicts(text: Any) -> list[dict[str, Any]]:
    return [item for item in json_list(text) if isinstance(item, dict)]


@dataclass
class DatasetRow:
    """One dataset with the fields lineage and the matrices need."""

    id: str
    name: str
    title: str | None
    owner_org: str | None
    private: bool
    state: str
    creator_user_id: str | None
    type: str
    has_notes: bool = False
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def lineage(self) -> list[dict[str, Any]]:
        return [e for e in json_dicts(self.extras.get("lineage")) if e.get("upstream")]

    @property
    def exchange_needs(self) -> list[dict[str, Any]]:
        return json_dicts(self.extras.get("exchange_needs"))

    @property
    def authority_roles(self) -> list[dict[str, Any]]:
        return json_dicts(self.extras.get("authority_roles"))

    @property
    def availability_forms(self) -> list[str]:
        return [str(v) for v in json_list(self.extras.get("availability_forms"))]

    @property
    def domains(self) -> list[str]:
        return [str(v) for v in json_list(self.extras.get("domains"))]

    @property
    def exchange_methods(self) -> list[str]:
        return [str(v) for v in json_list(self.extras.get("exchange_methods"))]

    @property
    def producer(self) -> str | None:
        return self.extra("producer")

    @property
    def custodian(self) -> str | None:
        return self.extra("custodian")

    def extra(self, key: str) -> str | None:
        value = self.extras.get(key)
        return value if value not in (None, "") else None


_COLUMNS = (
    model.package_table.c.id,
    model.package_table.c.name,
    model.package_table.c.title,
    model.package_table.c.owner_org,
    model.package_table.c.private,
    model.package_table.c.state,
    model.package_table.c.creator_user_id,
    model.package_table.c.type,
    model.package_table.c.extras,
    sa.func.coalesce(sa.func.length(model.package_table.c.notes), 0).label(
        "notes_length"
    ),
)


def _row(values: Any, extras: dict[str, str] | None = None) -> DatasetRow:
    return DatasetRow(
        id=values.id,
        name=values.name,
        title=values.title,
        owner_org=values.owner_org,
        private=bool(values.private),
        state=values.state or "",
        creator_user_id=values.creator_user_id,
        type=values.type or "",
        has_notes=bool(values.notes_length),
        extras=dict(values.extras or {}) if extras is None else extras,
    )


# The extras a lineage node is made of.
LINEAGE_EXTRAS = ("lineage", "availability_forms", "access_level", "domains")


def _select(extras: Collection[str], *conditions: Any) -> list[DatasetRow]:
    """Return the datasets matching ``conditions`` with the named extras.

    Only the named ``extras`` are read, as text: decoding every dataset's
    whole extras object costs more than the query itself.
    """
    table = model.package_table
    columns = [column for column in _COLUMNS if column.name != "extras"]
    columns += [table.c.extras[key].astext.label("x_" + key) for key in extras]
    query = sa.select(*columns).where(*conditions).order_by(table.c.name)
    rows = []
    for values in model.Session.execute(query):
        mapping = values._mapping
        found = {key: mapping["x_" + key] for key in extras}
        rows.append(_row(values, {key: value for key, value in found.items() if value}))
    return rows


def load_datasets(ids: Collection[str]) -> dict[str, DatasetRow]:
    """Return the datasets with these ids (one query), deleted ones included."""
    if not ids:
        return {}
    rows = _select(LINEAGE_EXTRAS, model.package_table.c.id.in_(list(ids)))
    return {row.id: row for row in rows}


def find_dataset(id_or_name: str) -> DatasetRow | None:
    """Return one dataset by id or name (one query)."""
    table = model.package_table
    rows = _select(
        LINEAGE_EXTRAS, sa.or_(table.c.id == id_or_name, table.c.name == id_or_name)
    )
    return rows[0] if rows else None


def select_datasets(extras: Collection[str], *conditions: Any) -> list[DatasetRow]:
    """Return the active SKPD datasets matching ``conditions`` (one query)."""
    table = model.package_table
    return _select(
        extras, table.c.state == "active", table.c.type == DATASET_TYPE, *conditions
    )


def organizations(ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    """Return id, name, title and abbreviation of these organizations.

    Deleted organizations are left out, so no view names them; their
    flows and needs are left out with them.
    """
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    table = model.group_table
    query = sa.select(
        table.c.id,
        table.c.name,
        table.c.title,
        table.c.state,
        table.c.extras["abbreviation"].astext.label("abbreviation"),
    ).where(
        sa.or_(table.c.id.in_(wanted), table.c.name.in_(wanted)),
        table.c.state == "active",
    )
    found: dict[str, dict[str, Any]] = {}
    for row in model.Session.execute(query):
        org = {
            "id": row.id,
            "name": row.name,
            "title": row.title or row.name,
            "abbreviation": row.abbreviation or "",
            "state": row.state,
        }
        found[row.id] = org
        found[row.name] = org
    return found


def downstream_ids(upstream_ids: Collection[str], limit: int) -> tuple[list[str], bool]:
    """Return the ids of active datasets that name any of ``upstream_ids`` as upstream.

    Downstream links are not stored on the upstream dataset: they are the
    link rows (:py:mod:`ckanext.skpd.lineage.links`) whose target is one of
    the ids, read with one query for the whole set. Without the link tables,
    one SQL query over the ``lineage`` extras does it, more slowly.

    :returns: at most ``limit`` ids, and whether more matched
    """
    from ckanext.skpd.lineage import links

    if not upstream_ids:
        return [], False
    if not links.available():
        return _downstream_from_sql(upstream_ids, limit)
    query = sa.text(
        "SELECT DISTINCT dataset_id FROM skpd_link"
        " WHERE kind = 'lineage' AND target = ANY(:ids) AND down_active"
        " ORDER BY dataset_id LIMIT :limit"
    )
    rows = model.Session.execute(query, {"ids": list(upstream_ids), "limit": limit + 1})
    ids = [row.dataset_id for row in rows]
    return ids[:limit], len(ids) > limit


def _downstream_from_sql(
    upstream_ids: Collection[str], limit: int
) -> tuple[list[str], bool]:
    table = model.package_table
    lineage = table.c.extras["lineage"].astext
    patterns = [
        '%"{}"%'.format(i.replace("%", r"\%").replace("_", r"\_")) for i in upstream_ids
    ]
    query = (
        sa.select(table.c.id, lineage)
        .where(
            table.c.state != "deleted",
            table.c.type == DATASET_TYPE,
            lineage.like(sa.any_(sa.cast(patterns, sa.ARRAY(sa.Text)))),
        )
        .order_by(table.c.id)
    )
    wanted = set(upstream_ids)
    ids = [
        row.id
        for row in model.Session.execute(query)
        if any(e.get("upstream") in wanted for e in json_dicts(row[1]))
    ]
    return ids[:limit], len(ids) > limit


def scan_catalogue(extras: Collection[str], *conditions: Any) -> list[Any]:
    """Return every active SKPD dataset with a few extras as text (one query).

    Each row has the columns that permission labels read (id, state,
    private, owner_org, creator_user_id), ``name`` and ``title``, and one
    attribute per key of ``extras`` holding that extra's raw text or None.
    Only the named extras travel from the database, which keeps a scan of
    the whole catalogue cheap.
    """
    table = model.package_table
    columns = [
        table.c.id,
        table.c.name,
        table.c.title,
        table.c.state,
        table.c.private,
        table.c.owner_org,
        table.c.creator_user_id,
    ]
    columns += [table.c.extras[key].astext.label(key) for key in extras]
    query = sa.select(*columns).where(
        table.c.state == "active", table.c.type == DATASET_TYPE, *conditions
    )
    return list(model.Session.execute(query))


def has_extra(key: str) -> Any:
    """Return a SQL condition: the dataset has the extra ``key``."""
    return model.package_table.c.extras.has_key(key)


def owned_by(org_ids: Collection[str]) -> Any:
    """Return a SQL condition: the dataset belongs to one of ``org_ids``."""
    return model.package_table.c.owner_org.in_(list(org_ids))


def with_ids(ids: Collection[str]) -> Any:
    """Return a SQL condition: the dataset has one of these ids."""
    return model.package_table.c.id.in_(list(ids))
