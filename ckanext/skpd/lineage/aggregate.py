"""Catalogue-wide counts read from the link and flow tables.

The SKPD flow graph and the exchange matrix count links and needs over the
whole catalogue. :py:mod:`ckanext.skpd.lineage.links` keeps every link and
need as a row, and the totals per pair of SKPD and domain over the public
rows and over all rows. A request reads those totals: sysadmins the totals
over all rows, everyone else the public totals plus the rows touching a
private dataset of the SKPD they are a member of (or collaborate on), with
the permission rule written into the query. A second query counts the
private datasets taking part in flows that the viewer may not read.

That rule mirrors CKAN 2.12's ``DefaultPermissionLabels``, so these
queries are used only with the default labels and when the tables exist.
Otherwise the callers count in Python. The rows hold only active
datasets of known SKPD, so the ``creator-`` label, which concerns datasets
without an SKPD, never applies to them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.skpd.lineage import links
from ckanext.skpd.lineage.access import Viewer


def _in_domain(alias: str = "") -> str:
    """Return the condition: the link row ``alias`` is in the domain asked for.

    A lineage link is in a domain when either of its datasets is; a need
    when its dataset is. The empty domain takes every row.
    """
    a = alias + "." if alias else ""
    return (
        f"(:domain = '' OR :domain = ANY({a}down_domains)"
        f" OR ({a}kind = 'lineage' AND :domain = ANY({a}up_domains)))"
    )


# One JSON array of the rows' stored documents, each with the edge as the
# flow graph returns it: decoding the whole array at once costs far less
# than reading a result row by row and building the dicts in Python.
_TOTALS = sa.text(
    "SELECT coalesce('[' || string_agg(doc, ',') || ']', '[]')"
    " FROM skpd_flow WHERE audience = :audience AND domain = :domain"
)


def _totals(viewer: Viewer, domain: str) -> list[list[Any]]:
    """Return [src, dst, links, unmet, edge] for each pair of the totals."""
    params = {"audience": _audience(viewer), "domain": domain}
    return json.loads(model.Session.execute(_TOTALS, params).scalar())


# The rows of the viewer's own private datasets that the viewer may read
# in full, in the domain. {candidate} picks them through the partial
# indexes on the owning SKPD of each private end.
_VISIBLE = """
seen AS MATERIALIZED (
  SELECT kind, seq, src, dst, item, code, dataset_id, target, detail, unmet
  FROM skpd_link
  WHERE usable AND NOT public AND ({candidate})
    AND {down} AND (kind = 'need' OR {up}) AND {in_domain} {kinds}
)"""

# The additions of those rows to the public totals: link and need counts
# per code, and per pair the datasets that the public rows do not count.
_FLOW_ADDITIONS = """
SELECT 'code' AS row_kind, src, dst, kind, code, count(*) AS n,
       NULL::bigint AS lineage, NULL::bigint AS exchange
  FROM seen GROUP BY src, dst, kind, code
UNION ALL
SELECT 'item', src, dst, NULL, NULL,
       count(*) FILTER (WHERE NOT public_any),
       count(*) FILTER (WHERE by_lineage AND NOT public_lineage),
       count(*) FILTER (WHERE by_need AND NOT public_need)
FROM (
  SELECT s.src, s.dst, s.item,
         bool_or(s.kind = 'lineage') AS by_lineage,
         bool_or(s.kind = 'need') AS by_need,
         EXISTS (SELECT 1 FROM skpd_link p
                 WHERE p.public AND p.src = s.src AND p.dst = s.dst
                   AND p.item = s.item AND {public_in_domain}) AS public_any,
         EXISTS (SELECT 1 FROM skpd_link p
                 WHERE p.public AND p.src = s.src AND p.dst = s.dst
                   AND p.item = s.item AND p.kind = 'lineage'
                   AND {public_in_domain}) AS public_lineage,
         EXISTS (SELECT 1 FROM skpd_link p
                 WHERE p.public AND p.src = s.src AND p.dst = s.dst
                   AND p.item = s.item AND p.kind = 'need'
                   AND {public_in_domain}) AS public_need
  FROM seen s WHERE s.src <> s.dst
  GROUP BY s.src, s.dst, s.item
) AS items
GROUP BY src, dst
"""

# The private datasets taking part in a flow between two SKPD that the
# viewer may not read. {lineage} is empty for the exchange matrix, which
# counts datasets with needs only.
_WITHHELD = """
SELECT count(*) FROM (
  SELECT DISTINCT dataset_id AS id, down_org AS org FROM skpd_link
  WHERE usable AND down_private AND src <> dst AND kind = ANY(:kinds)
  {lineage}
) AS involved
WHERE NOT ({readable})
"""

_WITHHELD_UPSTREAM = """
  UNION
  SELECT target, up_org FROM skpd_link
  WHERE usable AND up_private AND kind = 'lineage' AND src <> dst
"""

# Readable datasets per SKPD, in the domain.
_OWNED = """
SELECT p.owner_org, count(*) AS n FROM package p
WHERE p.state = 'active' AND p.type = 'dataset' AND p.owner_org IS NOT NULL
  AND ({readable})
  AND (:domain = '' OR p.extras->>'domains' LIKE :domain_like)
GROUP BY p.owner_org
"""

# The first :limit unmet needs of the audience's rows and of the viewer's
# own private rows, in the order of the audience's partial index. They are
# sorted by providing SKPD and dataset name, compared as bytes as Python
# does, then in the order the dataset lists its needs.
_UNMET = """
{with_visible}
SELECT src, dst, code, dataset_id, detail FROM (
  (SELECT src, dst, code, dataset_id, seq, detail FROM skpd_link
    WHERE kind = 'need' AND unmet AND {audience} AND {in_domain}
    ORDER BY src COLLATE "C", (detail->>'name') COLLATE "C", dataset_id, seq
    LIMIT :limit)
  {visible_unmet}
) AS unmet
ORDER BY src COLLATE "C", (detail->>'name') COLLATE "C", dataset_id, seq
LIMIT :limit
"""


@dataclass
class FlowCounts:
    """The flow graph's counts for one viewer."""

    edges: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    internal: Counter[str] = field(default_factory=Counter)
    owned: Counter[str] = field(default_factory=Counter)
    withheld: int = 0


@dataclass
class NeedCounts:
    """The exchange matrix's counts for one viewer."""

    cells: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    unmet: list[Any] = field(default_factory=list)
    unmet_total: int = 0
    withheld: int = 0


def usable(viewer: Viewer) -> bool:
    """Tell whether the counts can be read from the tables for this viewer."""
    return (
        viewer.labels_are_default()
        and (viewer.sees_all or "public" in viewer.labels)
        and links.available()
    )


def _execute(text: str, params: dict[str, Any]) -> list[Any]:
    with model.Session.begin_nested():
        # The planner overrates the array functions by far, which makes
        # PostgreSQL compile some of these queries with JIT for longer than
        # they take to run.
        model.Session.execute(sa.text("SELECT set_config('jit', 'off', true)"))
        return list(model.Session.execute(sa.text(text), params))


def _audience(viewer: Viewer) -> str:
    return "all" if viewer.sees_all else "public"


def _visible_sql(viewer: Viewer, kinds: str = "") -> tuple[str, dict[str, Any]]:
    """Return the ``seen`` CTE of the viewer's readable private rows."""
    orgs, collaborations = viewer.link_labels()
    candidate = [
        "(down_private AND down_org = ANY(:skpd_orgs))",
        "(kind = 'lineage' AND up_private AND up_org = ANY(:skpd_orgs))",
    ]
    if collaborations:
        candidate += [
            "(down_private AND dataset_id = ANY(:skpd_collaborations))",
            "(kind = 'lineage' AND up_private AND target = ANY(:skpd_collaborations))",
        ]
    text = _VISIBLE.format(
        candidate=" OR ".join(candidate),
        down=_readable("down", "dataset_id", collaborations),
        up=_readable("up", "target", collaborations),
        in_domain=_in_domain(),
        kinds=kinds,
    )
    return text, {"skpd_orgs": orgs, "skpd_collaborations": collaborations}


def _readable(end: str, id_column: str, collaborations: list[str]) -> str:
    condition = f"(NOT {end}_private OR {end}_org = ANY(:skpd_orgs)"
    if collaborations:
        condition += f" OR {id_column} = ANY(:skpd_collaborations)"
    return condition + ")"


def _withheld(viewer: Viewer, kinds: list[str]) -> int:
    if viewer.sees_all:
        return 0
    orgs, collaborations = viewer.link_labels()
    readable = "org = ANY(:skpd_orgs)"
    if collaborations:
        readable += " OR id = ANY(:skpd_collaborations)"
    text = _WITHHELD.format(
        lineage=_WITHHELD_UPSTREAM if links.LINEAGE in kinds else "",
        readable=readable,
    )
    params = {"kinds": kinds, "skpd_orgs": orgs, "skpd_collaborations": collaborations}
    return int(model.Session.execute(sa.text(text), params).scalar() or 0)


def _new_edge() -> dict[str, Any]:
    return {
        "weight": 0,
        "lineage": 0,
        "exchange": 0,
        "relations": {},
        "statuses": {},
    }


def flow_counts(viewer: Viewer, domain: str | None) -> FlowCounts:
    """Count the SKPD flow graph as the viewer may see it.

    Edges count distinct datasets (``weight``, and ``lineage`` and
    ``exchange`` per path) and links and needs per code. ``internal``
    counts the links inside one SKPD and ``owned`` the readable datasets of
    each SKPD. ``withheld`` counts the datasets the viewer may not read that
    take part in a flow between two SKPD.
    """
    domain = domain or ""
    counts = FlowCounts()
    for src, dst, link_count, _unmet, edge in _totals(viewer, domain):
        if src == dst:
            counts.internal[src] += link_count
        else:
            counts.edges[(src, dst)] = edge

    if not viewer.sees_all:
        visible, params = _visible_sql(viewer)
        text = (
            "WITH" + visible + _FLOW_ADDITIONS.format(public_in_domain=_in_domain("p"))
        )
        params["domain"] = domain
        for row in _execute(text, params):
            _add_visible(counts, row)
        counts.withheld = _withheld(viewer, [links.LINEAGE, links.NEED])

    readable, owned_params = viewer.readable_sql("p")
    owned_params.update(domain=domain, domain_like=f'%"{domain}"%')
    for row in model.Session.execute(
        sa.text(_OWNED.format(readable=readable)), owned_params
    ):
        counts.owned[row.owner_org] = row.n

    counts.internal = Counter({k: v for k, v in counts.internal.items() if v})
    return counts


def _add_visible(counts: FlowCounts, row: Any) -> None:
    if row.row_kind == "code" and row.src == row.dst:
        if row.kind == links.LINEAGE:
            counts.internal[row.src] += row.n
        return
    edge = counts.edges.setdefault((row.src, row.dst), _new_edge())
    if row.row_kind == "code":
        codes = edge["relations" if row.kind == links.LINEAGE else "statuses"]
        codes[row.code] = codes.get(row.code, 0) + row.n
    else:
        edge["weight"] += row.n
        edge["lineage"] += row.lineage
        edge["exchange"] += row.exchange


def need_counts(viewer: Viewer, domain: str | None, limit: int) -> NeedCounts:
    """Count the exchange matrix as the viewer may see it.

    ``cells`` counts needs per provider, consumer and status, and
    ``withheld`` the datasets with needs the viewer may not read.
    ``unmet_total`` counts the needs that their dataset does not meet, and
    ``unmet`` contains the first ``limit`` of them as rows (src, dst, code,
    dataset_id, detail).
    """
    domain = domain or ""
    found = NeedCounts()
    for src, dst, _links, unmet, edge in _totals(viewer, domain):
        if src != dst and edge["statuses"]:
            found.cells[(src, dst)] = Counter(edge["statuses"])
            found.unmet_total += unmet

    params: dict[str, Any] = {"domain": domain, "limit": limit}
    with_visible, visible_unmet = "", ""
    if not viewer.sees_all:
        visible, visible_params = _visible_sql(viewer, "AND kind = 'need'")
        params.update(visible_params)
        with_visible = "WITH" + visible
        own = _execute(
            with_visible + " SELECT src, dst, code, count(*) AS n,"
            " count(*) FILTER (WHERE unmet) AS unmet"
            " FROM seen GROUP BY src, dst, code",
            params,
        )
        for row in own:
            found.cells.setdefault((row.src, row.dst), Counter())[row.code] += row.n
            found.unmet_total += row.unmet
        visible_unmet = (
            "UNION ALL SELECT src, dst, code, dataset_id, seq, detail"
            " FROM seen WHERE unmet"
        )
        found.withheld = _withheld(viewer, [links.NEED])

    text = _UNMET.format(
        with_visible=with_visible,
        audience="usable" if viewer.sees_all else "public",
        in_domain=_in_domain() if domain else "true",
        visible_unmet=visible_unmet,
    )
    found.unmet = _execute(text, params)
    return found
