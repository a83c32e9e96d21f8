"""Lineage and integration views: graphs, matrices and inventories."""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint


def actions() -> dict[str, Callable[..., Any]]:
    return {}


def auth_functions() -> dict[str, Callable[..., Any]]:
    return {}


def blueprints() -> list[Blueprint]:
    return []


def helpers() -> dict[str, Callable[..., Any]]:
    return {}
