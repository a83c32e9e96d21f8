"""Small helpers shared by test modules that act as site users."""

from __future__ import annotations

from typing import Any

from ckan.tests import factories
from ckan.tests.helpers import call_action


def add_member(org: dict[str, Any], role: str) -> dict[str, Any]:
    """Create a user with ``role`` in the organization ``org``."""
    user = factories.User()
    call_action(
        "organization_member_create", id=org["id"], username=user["name"], role=role
    )
    return user


def token_headers(user: dict[str, Any] | None) -> dict[str, str]:
    """Return request headers that authenticate as ``user`` (none for anonymous)."""
    if user is None:
        return {}
    token = call_action(
        "api_token_create", context={"user": user["name"]}, user=user["name"], name="t"
    )
    return {"Authorization": token["token"]}
