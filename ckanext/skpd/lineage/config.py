"""Typed access to the settings of the lineage and integration views."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

MAX_DEPTH = "ckanext.skpd.lineage.max_depth"
MAX_NODES = "ckanext.skpd.lineage.max_nodes"
AUTHORITY_MAX_ROWS = "ckanext.skpd.lineage.authority_max_rows"
CACHE_SECONDS = "ckanext.skpd.lineage.cache_seconds"


def max_depth() -> int:
    return tk.config[MAX_DEPTH]


def max_nodes() -> int:
    return tk.config[MAX_NODES]


def authority_max_rows() -> int:
    return tk.config[AUTHORITY_MAX_ROWS]


def cache_seconds() -> int:
    return tk.config[CACHE_SECONDS]
