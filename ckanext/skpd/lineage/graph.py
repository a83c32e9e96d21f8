"""The dataset-level lineage graph around one dataset.

The graph is walked breadth first, one depth level at a time. Each level
costs at most one Solr request (the datasets downstream of the frontier)
and one SQL query (the rows of every dataset met for the first time), so
the number of queries grows with the depth, never with the number of
datasets.

Nodes have one of four kinds:

``dataset``
    a dataset the viewer may read, with its name, title and SKPD;
``restricted``
    a dataset the viewer may not read: an opaque id and nothing else, so
    the graph stays connected without naming it;
``missing``
    an upstream id that names no dataset, or a deleted one;
``external``
    an upstream that is an http(s) URI outside the catalogue.

Edges point the way data flows, from the upstream to the downstream
dataset, and carry the relation type stored on the downstream dataset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ckanext.skpd.lineage import store
from ckanext.skpd.lineage.access import Viewer

_URI = re.compile(r"^https?://", re.IGNORECASE)

UP = "up"
DOWN = "down"
BOTH = "both"
DIRECTIONS = (UP, DOWN, BOTH)


@dataclass
class Options:
    direction: str = BOTH
    depth: int = 1
    relations: frozenset[str] = frozenset()
    domain: str | None = None
    max_nodes: int = 300


@dataclass
class _Walk:
    """The state of one traversal."""

    viewer: Viewer
    options: Options
    rows: dict[str, store.DatasetRow] = field(default_factory=dict)
    # Internal key (dataset id or URI) -> node dict, in discovery order.
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    truncated: bool = False

    def public_id(self, key: str) -> str:
        return self.nodes[key]["id"]


def lineage_graph(
    root: store.DatasetRow, viewer: Viewer, options: Options
) -> dict[str, Any]:
    """Return the nodes and edges within ``options.depth`` links of ``root``."""
    walk = _Walk(viewer=viewer, options=options)
    walk.rows[root.id] = root
    _add_node(walk, root.id, 0, "root")

    up = {root.id} if options.direction in (UP, BOTH) else set()
    down = {root.id} if options.direction in (DOWN, BOTH) else set()
    for level in range(1, options.depth + 1):
        if not up and not down:
            break
        up, down = _step(walk, level, up, down)

    return _result(walk)


def _step(
    walk: _Walk, level: int, up: set[str], down: set[str]
) -> tuple[set[str], set[str]]:
    """Walk one level: upstream from ``up``, downstream from ``down``."""
    up_links = [
        (entry, key) for key in sorted(up) for entry in _upstream_entries(walk, key)
    ]
    down_ids: list[str] = []
    if down:
        down_ids, more = store.downstream_ids(down, walk.options.max_nodes)
        walk.truncated |= more

    wanted = {e["upstream"] for e, _key in up_links} | set(down_ids)
    wanted = {i for i in wanted if not _URI.match(i) and i not in walk.rows}
    walk.rows.update(store.load_datasets(wanted))

    next_up: set[str] = set()
    for entry, key in up_links:
        upstream = entry["upstream"]
        if not _shown_from(walk, key, upstream):
            continue
        if _place(walk, upstream, level, UP):
            next_up.add(upstream)
        _link(walk, upstream, key, entry)

    next_down: set[str] = set()
    for key in down_ids:
        row = walk.rows.get(key)
        if row is None or row.state == "deleted":
            continue
        links = [e for e in _followed(walk, row.lineage) if e["upstream"] in down]
        if links and _place(walk, key, level, DOWN):
            next_down.add(key)
        for entry in links:
            _link(walk, entry["upstream"], key, entry)
    return next_up, next_down


def _upstream_entries(walk: _Walk, key: str) -> list[dict[str, Any]]:
    row = walk.rows[key]
    entries = _followed(walk, row.lineage)
    if walk.viewer.can_read(row):
        return entries
    # Through a dataset the viewer may not read, the walk goes on only to
    # other catalogue datasets: its external sources and broken links are
    # part of its own metadata and stay hidden (see _shown_from).
    return [e for e in entries if not _URI.match(e["upstream"])]


def _shown_from(walk: _Walk, key: str, upstream: str) -> bool:
    if walk.viewer.can_read(walk.rows[key]):
        return True
    row = walk.rows.get(upstream)
    return row is not None and row.state != "deleted"


def _followed(walk: _Walk, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    relations = walk.options.relations
    return [e for e in entries if not relations or e.get("relation") in relations]


def _place(walk: _Walk, key: str, level: int, direction: str) -> bool:
    """Add the node ``key`` if it is new; return whether to walk on from it."""
    if key in walk.nodes:
        return False
    if len(walk.nodes) >= walk.options.max_nodes:
        walk.truncated = True
        return False
    row = walk.rows.get(key)
    if row is not None and not _in_domain(walk, row):
        return False
    node = _add_node(walk, key, level, direction)
    return node["kind"] in ("dataset", "restricted")


def _in_domain(walk: _Walk, row: store.DatasetRow) -> bool:
    domain = walk.options.domain
    if not domain or row.state == "deleted" or not walk.viewer.can_read(row):
        # A restricted node stays whatever its domain, so that the filter
        # reveals nothing about a dataset the viewer may not read.
        return True
    return domain in row.domains


def _add_node(walk: _Walk, key: str, level: int, direction: str) -> dict[str, Any]:
    row = walk.rows.get(key)
    node: dict[str, Any]
    if _URI.match(key) and row is None:
        node = {"id": key, "kind": "external", "title": key, "url": key}
    elif row is None or row.state == "deleted":
        node = {"id": walk.viewer.placeholder("missing", key), "kind": "missing"}
    elif not walk.viewer.can_read(row):
        node = {"id": walk.viewer.placeholder("restricted", key), "kind": "restricted"}
    else:
        node = {
            "id": row.id,
            "kind": "dataset",
            "name": row.name,
            "title": row.title or row.name,
            "owner_org": row.owner_org,
            "private": row.private,
            "state": row.state,
            "availability_forms": row.availability_forms,
            "access_level": row.extra("access_level"),
            "domains": row.domains,
        }
    node["depth"] = level
    node["direction"] = direction
    walk.nodes[key] = node
    return node


def _link(walk: _Walk, upstream: str, downstream: str, entry: dict[str, Any]) -> None:
    if upstream not in walk.nodes or downstream not in walk.nodes:
        return
    relation = str(entry.get("relation") or "")
    edge_key = (upstream, downstream, relation)
    if edge_key in walk.edges:
        return
    edge: dict[str, Any] = {
        "source": walk.public_id(upstream),
        "target": walk.public_id(downstream),
        "relation": relation,
    }
    # The note is written on the downstream dataset and often describes the
    # upstream, so it is shown only to those who may read both, as
    # ckanext.skpd.privacy does for dataset dicts.
    downstream_kind = walk.nodes[downstream]["kind"]
    if (
        downstream_kind == "dataset"
        and _upstream_readable(walk, upstream)
        and entry.get("note")
    ):
        edge["note"] = entry["note"]
    walk.edges[edge_key] = edge


def _upstream_readable(walk: _Walk, upstream: str) -> bool:
    """Tell whether the viewer may read the upstream end of a link.

    Anyone may read an external URI. A deleted dataset, shown as missing,
    may be read by those its permission labels allow, as in
    :py:func:`ckanext.skpd.privacy.unreadable`.
    """
    kind = walk.nodes[upstream]["kind"]
    if kind in ("dataset", "external"):
        return True
    row = walk.rows.get(upstream)
    return kind == "missing" and (row is None or walk.viewer.can_read(row))


def _result(walk: _Walk) -> dict[str, Any]:
    nodes = list(walk.nodes.values())
    orgs = store.organizations(n.get("owner_org") for n in nodes)
    for node in nodes:
        if node["kind"] == "dataset":
            org = orgs.get(node.pop("owner_org") or "")
            node["organization"] = (
                {k: org[k] for k in ("id", "name", "title", "abbreviation")}
                if org
                else None
            )
    kinds = [n["kind"] for n in nodes]
    return {
        "nodes": nodes,
        "edges": list(walk.edges.values()),
        "withheld": kinds.count("restricted"),
        "missing": kinds.count("missing"),
        "truncated": walk.truncated,
    }
