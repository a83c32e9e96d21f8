"""Data flows between SKPD: the SKPD-level graph and the exchange matrix.

Both are computed from one scan of the catalogue (one SQL query that reads
only the extras they need) and one query for the organizations, whatever
the size of the catalogue. A dataset the viewer may not read is left out of
every count and list; the response says how many such datasets took part.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ckanext.skpd import vocab
from ckanext.skpd.lineage import store
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

    :param pair: (source, target) organization ids whose links are listed
    """
    rows = store.scan_catalogue(("lineage", "exchange_needs", "domains"))
    flows = _Flows(rows, viewer, domain, pair)
    for row in rows:
        flows.add_lineage(row)
        flows.add_needs(row)
    return flows.result()


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

    def result(self) -> dict[str, Any]:
        owned = Counter(
            row.owner_org
            for row in self.readable.values()
            if row.owner_org and _in_domain(row.domains, self.domain)
        )
        org_ids = {i for key in self.edges for i in key} | set(owned)
        org_ids |= set(self.internal)
        orgs = store.organizations(org_ids)
        result: dict[str, Any] = {
            "domain": self.domain,
            "nodes": [
                dict(_org(orgs[i]), datasets=owned[i], internal=self.internal[i])
                for i in sorted(org_ids & orgs.keys(), key=lambda i: orgs[i]["title"])
            ],
            "edges": [
                _edge_dict(source, target, edge)
                for (source, target), edge in sorted(self.edges.items())
                if source in orgs and target in orgs
            ],
            "withheld": len(self.withheld),
        }
        if self.pair is not None:
            edge = self.edges.get(self.pair)
            result["links"] = edge.links if edge else []
        return result


def _edge_dict(source: str, target: str, edge: _Edge) -> dict[str, Any]:
    return {
        "source": source,
        "target": target,
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
        the need asks for an exchange method the dataset does not offer;
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


def exchange_matrix(
    viewer: Viewer,
    domain: str | None = None,
    pair: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Return provider SKPD by consumer SKPD with the needs per status.

    Each exchange need recorded on a dataset is one need of its consumer
    SKPD from the dataset's owner. ``unmet`` lists the needs the dataset
    does not meet as recorded (see :py:func:`unmet_reasons`).

    :param pair: (provider, consumer) organization ids whose needs are listed
    """
    rows = store.scan_catalogue(_NEED_EXTRAS, store.has_extra("exchange_needs"))
    cells: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    unmet: list[dict[str, Any]] = []
    listed: list[dict[str, Any]] = []
    withheld = 0
    for row in rows:
        needs = [n for n in store.json_dicts(row.exchange_needs) if n.get("consumer")]
        if not needs or not row.owner_org:
            continue
        if not viewer.can_read(row):
            withheld += 1
            continue
        if not _in_domain(row.domains, domain):
            continue
        for need in needs:
            key = (row.owner_org, need["consumer"])
            cells[key][str(need.get("status") or "")] += 1
            reasons = unmet_reasons(row, need)
            if reasons:
                unmet.append(dict(_need_entry(row, need), reasons=reasons))
            if key == pair:
                listed.append(dict(_need_entry(row, need), reasons=reasons))
    return _matrix_result(cells, unmet, listed, withheld, domain, pair)


def _need_entry(row: Any, need: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "dataset": _dataset_ref(row),
        "provider": row.owner_org,
        "consumer": need.get("consumer"),
    }
    for key in ("status", "purpose", "frequency", "method"):
        entry[key] = need.get(key)
    return entry


def _matrix_result(
    cells: dict[tuple[str, str], Counter[str]],
    unmet: list[dict[str, Any]],
    listed: list[dict[str, Any]],
    withheld: int,
    domain: str | None,
    pair: tuple[str, str] | None,
) -> dict[str, Any]:
    orgs = store.organizations(
        [i for key in cells for i in key] + [e["consumer"] for e in unmet]
    )
    cells = {
        key: counts for key, counts in cells.items() if all(i in orgs for i in key)
    }
    providers = sorted({p for p, _c in cells}, key=lambda i: orgs[i]["title"])
    consumers = sorted({c for _p, c in cells}, key=lambda i: orgs[i]["title"])
    for entry in unmet + listed:
        entry["provider"] = (
            _org(orgs[entry["provider"]]) if entry["provider"] in orgs else None
        )
        entry["consumer"] = (
            _org(orgs[entry["consumer"]]) if entry["consumer"] in orgs else None
        )
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
        "unmet": unmet,
        "withheld": withheld,
    }
    if pair is not None:
        result["needs"] = listed
    return result
