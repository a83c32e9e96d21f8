"""Lineage and integration views: graphs, matrices and inventories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

_ACTIONS = (
    "skpd_lineage_show",
    "skpd_flow_graph_show",
    "skpd_exchange_matrix_show",
    "skpd_authority_matrix_show",
    "skpd_inventory_show",
)


def actions() -> dict[str, Callable[..., Any]]:
    from ckanext.skpd.lineage import action

    return {name: getattr(action, name) for name in _ACTIONS}


def auth_functions() -> dict[str, Callable[..., Any]]:
    from ckanext.skpd.lineage import auth

    return {name: getattr(auth, name) for name in _ACTIONS}


def listen() -> None:
    """Start keeping the link tables up to date with dataset changes."""
    from ckanext.skpd.lineage import links

    links.listen()


def blueprints() -> list[Blueprint]:
    from ckanext.skpd.lineage import views

    return [views.blueprint]


def helpers() -> dict[str, Callable[..., Any]]:
    from ckanext.skpd.lineage import template_helpers

    return {name: getattr(template_helpers, name) for name in template_helpers.__all__}
