"""A small catalogue for the web interface tests.

Three SKPD; the population office publishes a yearly dataset and keeps a
private one; the health office publishes a monthly dataset built from both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

EDITOR_PASSWORD = "RahasiaSekali123"

# A rectangle around Kota Semarang.
SEMARANG = (
    '{"type":"Polygon","coordinates":[[[110.27,-7.11],[110.5,-7.11],'
    "[110.5,-6.93],[110.27,-6.93],[110.27,-7.11]]]}"
)


def _site_context() -> dict[str, Any]:
    return {"user": call_action("get_site_user", context={"ignore_auth": True})["name"]}


def _organization(**fields: Any) -> dict[str, Any]:
    defaults = {"kind": "dinas", "satu_data_role": "produsen_data"}
    return factories.Organization(**{**defaults, **fields})


def _build_catalogue() -> dict[str, Any]:
    """Create the SKPD, the datasets and an editor of the health office."""
    disdukcapil = _organization(
        name="disdukcapil",
        title="Dinas Kependudukan dan Pencatatan Sipil",
        abbreviation="DISDUKCAPIL",
        skpd_code="2.12.01",
        urusan=["population"],
    )
    dinkes = _organization(
        name="dinas-kesehatan",
        title="Dinas Kesehatan",
        abbreviation="dinkes",
        skpd_code="1.02.01",
        urusan=["health_services"],
    )
    diskominfo = _organization(
        name="diskominfo",
        title="Dinas Komunikasi dan Informatika",
        abbreviation="DISKOMINFO",
        skpd_code="2.16.01",
        satu_data_role="walidata",
        urusan=["governance"],
    )
    context = _site_context()
    population = call_action(
        "package_create",
        context=dict(context),
        name="penduduk-per-kecamatan",
        title="Penduduk per kecamatan",
        owner_org=disdukcapil["id"],
        collection_method="routine_periodic",
        cadence="annual",
        availability_forms=["sim_database"],
        domains=["population"],
    )
    private = call_action(
        "package_create",
        context=dict(context),
        name="nik-bermasalah",
        title="Daftar NIK bermasalah",
        owner_org=disdukcapil["id"],
        private=True,
        collection_method="ad_hoc",
        domains=["population"],
    )
    visits = call_action(
        "package_create",
        context=dict(context),
        name="kunjungan-puskesmas",
        title="Kunjungan puskesmas",
        owner_org=dinkes["id"],
        custodian=diskominfo["id"],
        collection_method="routine_periodic",
        cadence="monthly",
        collection_technique="administrative_records",
        availability_forms=["sim_database", "office_files"],
        domains=["health_services"],
        access_level="open",
        spatial=SEMARANG,
        lineage=[
            {
                "upstream": population["name"],
                "relation": "validated_against",
                "note": "NIK",
            },
            {"upstream": private["name"], "relation": "derived_from"},
            {"upstream": "https://data.go.id/dataset/penduduk", "relation": "copy_of"},
        ],
        authority_roles=[
            {"role": "collector", "holder": dinkes["name"]},
            {"role": "provider", "holder": disdukcapil["name"]},
        ],
        exchange_needs=[
            {
                "consumer": disdukcapil["name"],
                "purpose": "Pemutakhiran data kematian",
                "frequency": "monthly",
                "method": "api",
                "status": "running",
            }
        ],
        exchange_methods=["api"],
    )
    editor = factories.User(name="editor-dinkes", password=EDITOR_PASSWORD)
    call_action(
        "organization_member_create",
        id=dinkes["id"],
        username=editor["name"],
        role="editor",
    )
    return {
        "population": population,
        "private": private,
        "visits": visits,
        "disdukcapil": disdukcapil,
        "dinkes": dinkes,
        "diskominfo": diskominfo,
        "editor": editor,
    }


@pytest.fixture
def catalogue(clean_db: None) -> dict[str, Any]:
    """The catalogue in a fresh database, for tests that change it."""
    return _build_catalogue()


@pytest.fixture(scope="class")
def shared_catalogue(
    reset_db: Callable[[], None],
    migrate_db_for: Callable[[str], None],
    reset_index: Callable[[], None],
) -> Iterator[dict[str, Any]]:
    """The catalogue, built once for a class of tests that only read it.

    The plugins are loaded for the set-up as with_plugins loads them for
    each test, since the migrations and the schema need them.
    """
    ckan.plugins.load_all()
    try:
        reset_db()
        migrate_db_for("activity")
        migrate_db_for("harvest")
        reset_index()
        yield _build_catalogue()
    finally:
        ckan.plugins.unload_all()


@pytest.fixture
def editor(catalogue: dict[str, Any]) -> dict[str, Any]:
    """A user who edits the datasets of the health office (Dinas Kesehatan)."""
    return catalogue["editor"]
