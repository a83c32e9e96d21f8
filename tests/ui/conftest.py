"""A small catalogue for the web interface tests.

Three SKPD; the population office publishes a yearly dataset and keeps a
private one; the health office publishes a monthly dataset built from both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


@pytest.fixture
def diskominfo(skpd_factory: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return skpd_factory(
        name="diskominfo",
        title="Dinas Komunikasi dan Informatika",
        abbreviation="DISKOMINFO",
        skpd_code="2.16.01",
        satu_data_role="walidata",
        urusan=["governance"],
    )


@pytest.fixture
def catalogue(
    disdukcapil: dict[str, Any], dinkes: dict[str, Any], diskominfo: dict[str, Any]
) -> dict[str, Any]:
    """Create the datasets of the catalogue; return them and their SKPD."""
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
    return {
        "population": population,
        "private": private,
        "visits": visits,
        "disdukcapil": disdukcapil,
        "dinkes": dinkes,
        "diskominfo": diskominfo,
    }


@pytest.fixture
def editor(dinkes: dict[str, Any]) -> dict[str, Any]:
    """A user who edits the datasets of the health office (Dinas Kesehatan)."""
    user = factories.User(name="editor-dinkes", password=EDITOR_PASSWORD)
    call_action(
        "organization_member_create",
        id=dinkes["id"],
        username=user["name"],
        role="editor",
    )
    return user
