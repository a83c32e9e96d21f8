"""Input schemas of the lineage and integration actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ckanext.skpd import vocab
from ckanext.skpd.lineage import config, graph
from ckanext.skpd.lineage.store import organizations

_ = tk._


def _code(vocabulary: str) -> Callable[[Any], Any]:
    """Return a validator that accepts one code of ``vocabulary``."""

    def validator(value: Any) -> Any:
        if value in (None, ""):
            return None
        if value not in vocab.codes(vocabulary):
            raise tk.Invalid(
                _('"{value}" is not a valid code. Use one of: {codes}.').format(
                    value=value, codes=", ".join(vocab.codes(vocabulary))
                )
            )
        return value

    return validator


def _codes(vocabulary: str) -> Callable[[Any], Any]:
    """Return a validator that accepts a list or comma-separated codes."""
    one = _code(vocabulary)

    def validator(value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",")]
        if not isinstance(value, list):
            raise tk.Invalid(_("Give a list of codes or comma-separated codes."))
        return [one(item) for item in value if item not in (None, "")]

    return validator


def skpd_lineage_direction(value: Any) -> Any:
    if value in (None, ""):
        return graph.BOTH
    if value not in graph.DIRECTIONS:
        raise tk.Invalid(
            _('"{value}" is not a direction. Use one of: {codes}.').format(
                value=value, codes=", ".join(graph.DIRECTIONS)
            )
        )
    return value


def skpd_lineage_depth(value: Any) -> Any:
    """Accept a whole number from 1 to the configured maximum depth."""
    if value in (None, ""):
        return 1
    limit = config.max_depth()
    try:
        depth = int(value)
    except (TypeError, ValueError):
        depth = 0
    if str(depth) != str(value).strip() or not 1 <= depth <= limit:
        raise tk.Invalid(
            _("Depth must be a whole number from 1 to {limit}.").format(limit=limit)
        )
    return depth


def skpd_lineage_organization(value: Any) -> Any:
    """Accept the id or name of an organization and return its id."""
    if value in (None, ""):
        return None
    org = organizations([str(value)]).get(str(value))
    if org is None or org["state"] != "active":
        raise tk.Invalid(
            _(
                'Organization "{value}" not found. Give the name or id of an '
                "existing SKPD organization."
            ).format(value=value)
        )
    return org["id"]


@validator_args
def lineage_show(
    not_empty: Validator,
    unicode_safe: Validator,
    ignore_missing: Validator,
    default: Callable[[Any], Validator],
) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "direction": [default(graph.BOTH), skpd_lineage_direction],
        "depth": [default(1), skpd_lineage_depth],
        "relation": [ignore_missing, _codes("relation_type")],
        "domain": [ignore_missing, _code("domain")],
    }


@validator_args
def flow_graph_show(ignore_missing: Validator) -> Schema:
    return {
        "domain": [ignore_missing, _code("domain")],
        "source": [ignore_missing, skpd_lineage_organization],
        "target": [ignore_missing, skpd_lineage_organization],
    }


@validator_args
def exchange_matrix_show(ignore_missing: Validator) -> Schema:
    return {
        "domain": [ignore_missing, _code("domain")],
        "provider": [ignore_missing, skpd_lineage_organization],
        "consumer": [ignore_missing, skpd_lineage_organization],
    }


@validator_args
def authority_matrix_show(
    ignore_missing: Validator, unicode_safe: Validator, boolean_validator: Validator
) -> Schema:
    return {
        "q": [ignore_missing, unicode_safe],
        "fq": [ignore_missing, unicode_safe],
        "organization": [ignore_missing, skpd_lineage_organization],
        "holder": [ignore_missing, skpd_lineage_organization],
        "others_only": [ignore_missing, boolean_validator],
        "domain": [ignore_missing, _code("domain")],
    }


@validator_args
def inventory_show(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}
