"""Helpers of the lineage tests."""

from __future__ import annotations

from typing import Any

from ckan.tests.helpers import call_action


def as_user(user: dict[str, Any] | None) -> dict[str, Any]:
    """Return an action context that checks permissions for ``user``."""
    return {"user": user["name"] if user else "", "ignore_auth": False}


def act(action: str, user: dict[str, Any] | None, **data: Any) -> dict[str, Any]:
    return call_action(action, context=as_user(user), **data)
