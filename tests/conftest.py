"""Fixtures shared by the ckanext-skpd tests."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from ckan.tests import factories


@pytest.fixture
def clean_db(reset_db: Any, migrate_db_for: Any) -> None:
    """Empty the database, keeping the tables of the activity, harvest and skpd plugins.

    CKAN's own clean_db rebuilds only the core tables, so the migrations of
    the plugins the test site enables are applied again.
    """
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
    migrate_db_for("skpd")


@pytest.fixture
def skpd_factory(clean_db: None) -> Callable[..., dict[str, Any]]:
    """Create an SKPD organization; keyword arguments override the defaults."""

    def create(**kwargs: Any) -> dict[str, Any]:
        fields = {"kind": "dinas", "satu_data_role": "produsen_data"}
        fields.update(kwargs)
        return factories.Organization(**fields)

    return create


@pytest.fixture
def dinkes(skpd_factory: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return skpd_factory(
        name="dinas-kesehatan",
        title="Dinas Kesehatan",
        abbreviation="dinkes",
        skpd_code="1.02.01",
        urusan=["health_services"],
    )


@pytest.fixture
def disdukcapil(skpd_factory: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return skpd_factory(
        name="disdukcapil",
        title="Dinas Kependudukan dan Pencatatan Sipil",
        abbreviation="DISDUKCAPIL",
        skpd_code="2.12.01",
        urusan=["population"],
    )


pytest_plugins = ["tests.browser_fixtures"]
