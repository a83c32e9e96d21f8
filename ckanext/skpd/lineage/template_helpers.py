"""Template helpers of the lineage and integration views."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.skpd import vocab
from ckanext.skpd.lineage import config, graph, inventory

__all__ = [
    "skpd_lineage_color",
    "skpd_lineage_labels",
    "skpd_lineage_max_depth",
    "skpd_lineage_directions",
    "skpd_lineage_field_label",
]

# Colours for SKPD, chosen to stay apart from each other and readable
# behind white text; an SKPD keeps its colour on every page.
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#ff7f0e", "#393b79", "#637939", "#843c39",
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#7b4173",
    "#ad494a", "#8ca252",
)  # fmt: skip

# Label vocabularies the graphs and charts need in the browser.
_VOCABULARIES = (
    "relation_type",
    "availability_form",
    "access_level",
    "exchange_status",
    "authority_role",
    "collection_method",
    "cadence",
    "domain",
    "exchange_method",
)


def skpd_lineage_color(org_id: str | None) -> str:
    """Return the colour of an SKPD; the graph scripts compute the same one."""
    if not org_id:
        return "#6c757d"
    value = 0
    for char in org_id:
        value = (value * 31 + ord(char)) % 4294967296
    return PALETTE[value % len(PALETTE)]


def skpd_lineage_labels() -> dict[str, dict[str, str]]:
    """Return the labels of the codes the views show, in the page's language."""
    lang = tk.h.lang()
    labels = {
        name: {term.code: term.label(lang) for term in vocab.terms(name)}
        for name in _VOCABULARIES
    }
    labels["not_stated"] = {inventory.NOT_STATED: tk._("Not stated")}
    return labels


def skpd_lineage_max_depth() -> int:
    return config.max_depth()


def skpd_lineage_directions() -> list[tuple[str, str]]:
    return [
        (graph.BOTH, tk._("Upstream and downstream")),
        (graph.UP, tk._("Upstream only (sources)")),
        (graph.DOWN, tk._("Downstream only (uses)")),
    ]


def skpd_lineage_field_label(name: str) -> str:
    """Return the label of a completeness field of the inventory."""
    labels = {
        "notes": tk._("Description"),
        "collection_method": tk._("Collection method"),
        "cadence": tk._("Cadence"),
        "collection_technique": tk._("Collection technique"),
        "availability_forms": tk._("Availability form"),
        "domains": tk._("Data domain"),
        "access_level": tk._("Access level"),
        "concept": tk._("Concept"),
        "definition": tk._("Definition"),
        "unit_of_measure": tk._("Unit of measure"),
    }
    return labels.get(name, name)
