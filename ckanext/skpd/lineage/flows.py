"""Data flows between SKPD: the SKPD-level graph and the exchange matrix.

Both are computed from one scan of the catalogue (one SQL query that reads
only the extras they need) and one query for the organizations, whatever
the size of the catalogue. A dataset the viewer may not read is left out of
every count and list. The response reports how many such datasets took part.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ckanext.skpd import vocab
from ckanext.skpd.lineage import aggregate, cache, store
from ckanext.skpd.lineage.access import Viewer

# Exchange methods that need the data in electronic form.
_ELECTRONIC_METHODS = {"api", "database_link", "file_export"}
_HARDCOPY_FORMS = {"processed_hardcopy", "raw_hardcopy"}
# Length in days of each regular cadence; "irregular" has none.
_CADENCE_DAYS = {
    "daily": 1,
    "weekly": 7,
    "monthly": 30,
    "quarterly": 91,
    "semiannual": 182,
    "annual": 365,
    "biennial": 730,
    "triennial": 1095,
    "quinquennial": 1826,
}


def _in_domain(text: str | None, domain: str | None) -> bool:
    # Domain codes are plain words, so the quoted code can only match one
    # element of the stored JSON list.
    return not domain or bool(text and f'"{domain}"' in text)


def _dataset_ref(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "title": row.title or row.name}


@dataclass
class _Edge:
    lineage: set[str] = field(default_factory=set)
    exchange: set[str] = field(default_factory=set)
    relations: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    links: list[dict[str, Any]] = field(default_factory=list)


def flow_graph(
    viewer: Viewer,
    domain: str | None = None,
    pair: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Return the SKPD graph: organizations and the data flows between them.

    A lineage link from a dataset of SKPD A to a dataset of SKPD B, and an
    exchange need of B for a dataset of A, are both a flow from A to B. The
    weight of a flow is the number of A's datasets that reach B. Links
    within one SKPD are counted on its node as ``internal``.

    The counts come from one aggregate query; the links of ``pair`` from a
    scan of the two SKPD's datasets.

    :param pair: (source, target) organization ids whose links are listed
    """
    counts = _Counts.from_json(
        cache.cached(
            "flows", viewer, {"domain": domain}, lambda: _count_flows(viewer, domain)
        )
    )
    result = _assemble(counts, domain)
    if pair is not None:
        flows = _scan_flows(viewer, domain, pair, store.owned_by(pair))
        edge = flows.edges.get(pair)
        result["links"] = edge.links if edge else []
    return result


@dataclass
class _Counts:
    """The counts the flow graph shows, however they were computed."""

    edges: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    internal: Counter[str] = field(default_factory=Counter)
    owned: Counter[str] = field(default_factory=Counter)
    withheld: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "edges": [[s, t, edge] for (s, t), edge in self.edges.items()],
            "internal": dict(self.internal),
            "owned": dict(self.owned),
            "withheld": self.withheld,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> _Counts:
        return cls(
            edges={(s, t): edge for s, t, edge in value["edges"]},
            internal=Counter(value["internal"]),
            owned=Counter(value["owned"]),
            withheld=value["withheld"],
        )


def _count_flows(viewer: Viewer, domain: str | None) -> dict[str, Any]:
    counts = _counts_in_database(viewer, domain)
    if counts is None:
        counts = _scan_flows(viewer, domain, None).counts()
    return counts.to_json()


def _counts_in_database(viewer: Viewer, domain: str | None) -> _Counts | None:
    if not aggregate.usable(viewer):
        return None
    found = aggregate.flow_counts(viewer, domain)
    return _Counts(
        edges=found.edges,
        internal=found.internal,
        owned=found.owned,
        withheld=found.withheld,
    )


def _scan_flows(
    viewer: Viewer, domain: str | None, pair: tuple[str, str] | None, *conditions: Any
) -> _Flows:
    rows = store.scan_catalogue(("lineage", "exchange_needs", "domains"), *conditions)
    flows = _Flows(rows, viewer, domain, pair)
    for row in rows:
        flows.add_lineage(row)
        flows.add_needs(row)
    return flows


def _assemble(counts: _Counts, domain: str | None) -> dict[str, Any]:
    org_ids = {i for key in counts.edges for i in key} | set(counts.owned)
    org_ids |= set(counts.internal)
    orgs = store.organizations(org_ids)
    return {
        "domain": domain,
        "nodes": [
            dict(_org(orgs[i]), datasets=counts.owned[i], internal=counts.internal[i])
            for i in sorted(org_ids & orgs.keys(), key=lambda i: orgs[i]["title"])
        ],
        "edges": [
            {"source": source, "target": target, **edge}
            for (source, target), edge in sorted(counts.edges.items())
            if source in orgs and target in orgs
        ],
        "withheld": counts.withheld,
    }


class _Flows:
    """The flows of one catalogue scan, as seen by one viewer."""

    def __init__(
        self,
        rows: list[Any],
        viewer: Viewer,
        domain: str | None,
        pair: tuple[str, str] | None,
    ) -> None:
        self.readable = {row.id: row for row in rows if viewer.can_read(row)}
        self.owners = {row.id: row.owner_org for row in rows}
        self.domain = domain
        self.pair = pair
        self.edges: dict[tuple[str, str], _Edge] = defaultdict(_Edge)
        self.internal: Counter[str] = Counter()
        self.withheld: set[str] = set()

    def add_lineage(self, row: Any) -> None:
        for entry in store.json_dicts(row.lineage) if row.lineage else []:
            upstream = entry.get("upstream") or ""
            source = self.owners.get(upstream)
            if source is None:
                continue
            up_row = self.readable.get(upstream)
            if row.id not in self.readable or up_row is None:
                if source != row.owner_org:
                    self.withheld.update(
                        i for i in (row.id, upstream) if i not in self.readable
                    )
                continue
            if not (
                _in_domain(row.domains, self.domain)
                or _in_domain(up_row.domains, self.domain)
            ):
                continue
            if source == row.owner_org:
                self.internal[source] += 1
                continue
            edge = self.edges[(source, row.owner_org)]
            edge.lineage.add(upstream)
            edge.relations[str(entry.get("relation") or "")] += 1
            if self.pair == (source, row.owner_org):
                edge.links.append(_lineage_link(up_row, row, entry))

    def add_needs(self, row: Any) -> None:
        for need in store.json_dicts(row.exchange_needs) if row.exchange_needs else []:
            consumer = need.get("consumer")
            if not consumer or not row.owner_org or consumer == row.owner_org:
                continue
            if row.id not in self.readable:
                self.withheld.add(row.id)
                continue
            if not _in_domain(row.domains, self.domain):
                continue
            edge = self.edges[(row.owner_org, consumer)]
            edge.exchange.add(row.id)
            edge.statuses[str(need.get("status") or "")] += 1
            if self.pair == (row.owner_org, consumer):
                edge.links.append(_need_link(row, need))

    def counts(self) -> _Counts:
        owned = Counter(
            row.owner_org
            for row in self.readable.values()
            if row.owner_org and _in_domain(row.domains, self.domain)
        )
        return _Counts(
            edges={key: _edge_dict(edge) for key, edge in self.edges.items()},
            internal=self.internal,
            owned=owned,
            withheld=len(self.withheld),
        )


def _edge_dict(edge: _Edge) -> dict[str, Any]:
    return {
        "weight": len(edge.lineage | edge.exchange),
        "lineage": len(edge.lineage),
        "exchange": len(edge.exchange),
        "relations": dict(edge.relations),
        "statuses": dict(edge.statuses),
    }


def _lineage_link(up_row: Any, row: Any, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "via": "lineage",
        "upstream": _dataset_ref(up_row),
        "downstream": _dataset_ref(row),
        "relation": entry.get("relation"),
    }


def _need_link(row: Any, need: dict[str, Any]) -> dict[str, Any]:
    link = {"via": "exchange", "dataset": _dataset_ref(row)}
    for key in ("status", "purpose", "frequency", "method"):
        link[key] = need.get(key)
    return link


def _org(org: dict[str, Any]) -> dict[str, Any]:
    return {k: org[k] for k in ("id", "name", "title", "abbreviation")}


def unmet_reasons(row: Any, need: dict[str, Any]) -> list[str]:
    """Return why the dataset ``row`` does not meet ``need``, if it does not.

    ``row`` needs the ``exchange_methods``, ``availability_forms`` and
    ``cadence`` extras as text. The reasons are codes:

    ``method_not_offered``
        the need requests an exchange method the dataset does not offer;
    ``hardcopy_only``
        the need asks for an electronic exchange, and the dataset exists
        only on paper;
    ``cadence_too_slow``
        the need asks for a regular frequency, and the dataset is updated
        less often, irregularly, or with no stated cadence.
    """
    reasons = []
    method = need.get("method")
    offered = store.json_list(row.exchange_methods)
    if method and method not in offered:
        reasons.append("method_not_offered")
    forms = set(store.json_list(row.availability_forms))
    if method in _ELECTRONIC_METHODS and forms and forms <= _HARDCOPY_FORMS:
        reasons.append("hardcopy_only")
    wanted = _CADENCE_DAYS.get(need.get("frequency") or "")
    actual = _CADENCE_DAYS.get(row.cadence or "")
    if wanted is not None and (actual is None or actual > wanted):
        reasons.append("cadence_too_slow")
    return reasons


_NEED_EXTRAS = (
    "exchange_needs",
    "domains",
    "exchange_methods",
    "availability_forms",
    "cadence",
)


# The maximum number of unmet needs one response lists. ``unmet_total``
# counts them all.
UNMET_LIMIT = 200
_REASONS = ("method_not_offered", "hardcopy_only", "cadence_too_slow")


@dataclass
class _Needs:
    """The exchange needs one viewer may see, however they were read."""

    cells: dict[tuple[str, str], Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    unmet: list[dict[str, Any]] = field(default_factory=list)
    unmet_total: int = 0
    listed: list[dict[str, Any]] = field(default_factory=list)
    withheld: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "cells": [[p, c, dict(counts)] for (p, c), counts in self.cells.items()],
            "unmet": self.unmet,
            "unmet_total": self.unmet_total,
            "withheld": self.withheld,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> _Needs:
        needs = cls(
            unmet=value["unmet"],
            unmet_total=value["unmet_total"],
            withheld=value["withheld"],
        )
        for provider, consumer, counts in value["cells"]:
            needs.cells[(provider, consumer)] = Counter(counts)
        return needs


def _count_needs(viewer: Viewer, domain: str | None) -> dict[str, Any]:
    needs = _needs_in_database(viewer, domain)
    if needs is None:
        needs = _scan_needs(viewer, domain, None)
    return needs.to_json()


def exchange_matrix(
    viewer: Viewer,
    domain: str | None = None,
    pair: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Return provider SKPD by consumer SKPD with the needs per status.

    Each exchange need recorded on a dataset is one need of its consumer
    SKPD from the dataset's owner. ``unmet`` lists the needs the dataset
    does not meet as recorded (see :py:func:`unmet_reasons`), at most
    :py:data:`UNMET_LIMIT` of them; ``unmet_total`` counts them all.

    :param pair: (provider, consumer) organization ids whose needs are listed
    """
    needs = _Needs.from_json(
        cache.cached(
            "needs", viewer, {"domain": domain}, lambda: _count_needs(viewer, domain)
        )
    )
    if pair is not None:
        needs.listed = _scan_needs(
            viewer, domain, pair, store.owned_by(pair[:1])
        ).listed
    return _matrix_result(needs, domain, pair)


def _needs_in_database(viewer: Viewer, domain: str | None) -> _Needs | None:
    if not aggregate.usable(viewer):
        return None
    found = aggregate.need_counts(viewer, domain, UNMET_LIMIT)
    needs = _Needs(
        unmet_total=found.unmet_total,
        withheld=found.withheld,
    )
    needs.cells.update(found.cells)
    for row in found.unmet:
        detail = row.detail
        entry: dict[str, Any] = {
            "dataset": {
                "id": row.dataset_id,
                "name": detail.get("name"),
                "title": detail.get("title") or detail.get("name"),
            },
            "provider": row.src,
            "consumer": row.dst,
        }
        for key in ("status", "purpose", "frequency", "method"):
            entry[key] = row.code or None if key == "status" else detail.get(key)
        entry["reasons"] = list(detail.get("reasons") or [])
        needs.unmet.append(entry)
    return needs


def _scan_needs(
    viewer: Viewer, domain: str | None, pair: tuple[str, str] | None, *conditions: Any
) -> _Needs:
    rows = store.scan_catalogue(
        _NEED_EXTRAS, store.has_extra("exchange_needs"), *conditions
    )
    found = _Needs()
    for row in sorted(rows, key=lambda r: (r.owner_org or "", r.name)):
        needs = [
            n
            for n in store.json_dicts(row.exchange_needs)
            if n.get("consumer") and n["consumer"] != row.owner_org
        ]
        if not needs or not row.owner_org:
            continue
        if not viewer.can_read(row):
            found.withheld += 1
            continue
        if not _in_domain(row.domains, domain):
            continue
        for need in needs:
            _count_need(found, row, need, pair)
    found.unmet_total = len(found.unmet)
    found.unmet = found.unmet[:UNMET_LIMIT]
    return found


def _count_need(
    found: _Needs, row: Any, need: dict[str, Any], pair: tuple[str, str] | None
) -> None:
    key = (row.owner_org, need["consumer"])
    found.cells[key][str(need.get("status") or "")] += 1
    reasons = unmet_reasons(row, need)
    if reasons:
        found.unmet.append(dict(_need_entry(row, need), reasons=reasons))
    if key == pair:
        found.listed.append(dict(_need_entry(row, need), reasons=reasons))


def _need_entry(row: Any, need: Any) -> dict[str, Any]:
    entry = {
        "dataset": _dataset_ref(row),
        "provider": row.owner_org if hasattr(row, "owner_org") else None,
        "consumer": need.get("consumer"),
    }
    for key in ("status", "purpose", "frequency", "method"):
        entry[key] = need.get(key)
    return entry


def _matrix_result(
    needs: _Needs, domain: str | None, pair: tuple[str, str] | None
) -> dict[str, Any]:
    orgs = store.organizations(
        [i for key in needs.cells for i in key]
        + [e["consumer"] for e in needs.unmet + needs.listed]
        + [e["provider"] for e in needs.unmet + needs.listed]
    )
    cells = {
        key: counts
        for key, counts in needs.cells.items()
        if all(i in orgs for i in key)
    }
    providers = sorted({p for p, _c in cells}, key=lambda i: orgs[i]["title"])
    consumers = sorted({c for _p, c in cells}, key=lambda i: orgs[i]["title"])
    for entry in needs.unmet + needs.listed:
        for role in ("provider", "consumer"):
            org = orgs.get(entry[role] or "")
            entry[role] = _org(org) if org else None
    result: dict[str, Any] = {
        "domain": domain,
        "statuses": vocab.codes("exchange_status"),
        "providers": [_org(orgs[i]) for i in providers],
        "consumers": [_org(orgs[i]) for i in consumers],
        "cells": [
            {
                "provider": provider,
                "consumer": consumer,
                "total": sum(counts.values()),
                "statuses": dict(counts),
            }
            for (provider, consumer), counts in sorted(cells.items())
        ],
        "unmet": needs.unmet,
        "unmet_total": needs.unmet_total,
        "withheld": needs.withheld,
    }
    if pair is not None:
        result["needs"] = needs.listed
    return result
