"""Fixtures of the lineage tests: three SKPD, their users and a dataset maker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action


@pytest.fixture
def bappeda(skpd_factory: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return skpd_factory(
        name="bappeda",
        title="Badan Perencanaan Pembangunan Daerah",
        abbreviation="BAPPEDA",
        skpd_code="5.01.01",
    )


@pytest.fixture
def site_user(clean_db: None) -> dict[str, Any]:
    return call_action("get_site_user", context={"ignore_auth": True})


@pytest.fixture
def make_dataset(site_user: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """Create a dataset as the site user; keyword arguments are its fields."""

    def create(org: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
        data = {
            "name": name,
            "title": fields.pop("title", name.replace("-", " ").title()),
            "owner_org": org["id"],
        }
        data.update(fields)
        return call_action(
            "package_create", context={"user": site_user["name"]}, **data
        )

    return create


def _member(org: dict[str, Any], role: str) -> dict[str, Any]:
    user = factories.User()
    call_action(
        "organization_member_create", id=org["id"], username=user["name"], role=role
    )
    return user


@pytest.fixture
def viewers(
    dinkes: dict[str, Any], bappeda: dict[str, Any]
) -> dict[str, dict[str, Any] | None]:
    """The four kinds of viewer whose permissions the tests compare.

    ``other_member`` is a member of an SKPD that owns none of the test's
    private datasets, ``owner_editor`` an editor of Dinas Kesehatan, which
    owns them.
    """
    return {
        "anonymous": None,
        "other_member": _member(bappeda, "member"),
        "owner_editor": _member(dinkes, "editor"),
        "sysadmin": factories.Sysadmin(),
    }
