"""Fixtures of the interoperability tests: SKPD organizations and datasets
that fill every field of the SKPD schema."""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ckan.tests.helpers import call_action

SPATIAL = (
    '{"type":"Polygon","coordinates":[[[110.3456789,-7.0123456],'
    "[110.5,-7.0123456],[110.5,-6.9],[110.3456789,-6.9],[110.3456789,-7.0123456]]]}"
)


@pytest.fixture
def sysadmin_name() -> str:
    from ckan.tests import factories

    return factories.Sysadmin()["name"]


@pytest.fixture
def skpd_orgs(
    dinkes: dict[str, Any],
    disdukcapil: dict[str, Any],
    skpd_factory: Callable[..., dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Four SKPD: health, population, the walidata and a vertical office."""
    diskominfo = skpd_factory(
        name="diskominfo",
        title="Dinas Komunikasi dan Informatika",
        abbreviation="DISKOMINFO",
        skpd_code="2.16.01",
        satu_data_role="walidata",
        urusan=["governance"],
    )
    bps = skpd_factory(
        name="bps-kota",
        title="Badan Pusat Statistik Kota",
        abbreviation="BPS",
        kind="vertical",
        satu_data_role="walidata_pendukung",
    )
    return {
        "dinkes": dinkes,
        "disdukcapil": disdukcapil,
        "diskominfo": diskominfo,
        "bps": bps,
    }


def full_dataset_fields(
    orgs: dict[str, dict[str, Any]], upstream_id: str
) -> dict[str, Any]:
    """Return package_create arguments that fill every SKPD field."""
    return {
        "name": "kunjungan-puskesmas",
        "title": "Kunjungan puskesmas per bulan",
        "notes": "Jumlah kunjungan pasien ke puskesmas, per bulan dan kecamatan.",
        "owner_org": orgs["dinkes"]["id"],
        "producer": orgs["disdukcapil"]["id"],
        "custodian": orgs["diskominfo"]["id"],
        "contact_name": "Seksi Data Kesehatan",
        "contact_email": "data@dinkes.example.go.id",
        "license_id": "cc-by",
        "url": "https://dinkes.example.go.id/data/kunjungan",
        "tags": [{"name": "kesehatan"}, {"name": "puskesmas"}],
        "collection_method": "routine_periodic",
        "cadence": "monthly",
        "collection_technique": "administrative_records",
        "availability_forms": ["sim_database", "office_files"],
        "information_system": "SIMPUS",
        "lineage": [
            {
                "upstream": upstream_id,
                "relation": "validated_against",
                "note": "NIK pasien dicocokkan dengan data kependudukan",
            },
            {
                "upstream": "https://data.bps.go.id/dataset/penduduk-2020",
                "relation": "aggregated_from",
            },
        ],
        "exchange_needs": [
            {
                "consumer": orgs["bps"]["id"],
                "purpose": "Statistik kesehatan daerah",
                "frequency": "quarterly",
                "method": "file_export",
                "status": "agreed",
            },
            {"consumer": orgs["disdukcapil"]["id"], "status": "identified"},
        ],
        "authority_roles": [
            {"role": "collector", "holder": orgs["dinkes"]["id"]},
            {"role": "processor", "holder": orgs["dinkes"]["id"]},
            {"role": "provider", "holder": orgs["diskominfo"]["id"]},
            {"role": "user", "holder": orgs["bps"]["id"]},
            {"role": "owner", "holder": orgs["dinkes"]["id"]},
            {"role": "custodian", "holder": orgs["diskominfo"]["id"]},
        ],
        "exchange_methods": ["api", "file_export"],
        "endpoint_url": "https://api.dinkes.example.go.id/v1/kunjungan",
        "domains": ["health_services", "population"],
        "access_level": "limited",
        "concept": "Kunjungan pasien",
        "definition": "Setiap kedatangan pasien ke puskesmas untuk dilayani.",
        "unit_of_measure": "kunjungan",
        "reference_code": "SD-KES-001",
        "temporal_start": "2020-01-01",
        "temporal_end": "2023-12-31",
        "spatial_coverage": "Kota Semarang",
        "spatial": SPATIAL,
        "unmapped_values": {"keyword": ["!!"]},
        "resources": [
            {
                "url": "https://dinkes.example.go.id/data/kunjungan.csv",
                "name": "Kunjungan 2023",
                "format": "CSV",
            }
        ],
    }


@pytest.fixture
def upstream_dataset(
    skpd_orgs: dict[str, dict[str, Any]], sysadmin_name: str
) -> dict[str, Any]:
    return call_action(
        "package_create",
        context={"user": sysadmin_name},
        name="penduduk-per-kecamatan",
        title="Penduduk per kecamatan",
        notes="Jumlah penduduk menurut kecamatan.",
        owner_org=skpd_orgs["disdukcapil"]["id"],
        collection_method="routine_periodic",
        cadence="semiannual",
        access_level="open",
    )


@pytest.fixture
def full_dataset(
    skpd_orgs: dict[str, dict[str, Any]],
    upstream_dataset: dict[str, Any],
    sysadmin_name: str,
) -> dict[str, Any]:
    """A public dataset with every SKPD field filled in."""
    return call_action(
        "package_create",
        context={"user": sysadmin_name},
        **full_dataset_fields(skpd_orgs, upstream_dataset["id"]),
    )


# The fields of the SKPD schema that a round trip must keep, beyond the
# organization and dataset references compared separately.
PLAIN_FIELDS = (
    "title",
    "notes",
    "contact_name",
    "contact_email",
    "license_id",
    "url",
    "collection_method",
    "cadence",
    "collection_technique",
    "availability_forms",
    "information_system",
    "exchange_methods",
    "endpoint_url",
    "domains",
    "access_level",
    "concept",
    "definition",
    "unit_of_measure",
    "reference_code",
    "temporal_start",
    "temporal_end",
    "spatial_coverage",
    "unmapped_values",
)


# A second site -------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _replace_database(url: str, name: str) -> str:
    return re.sub(r"/[A-Za-z0-9_]+$", "/" + name, url)


def remote_settings(test_ini: str) -> dict[str, str]:
    """Return the services of the second site, from SKPD_REMOTE_* or defaults.

    By default the second site uses the test database's server with the
    database ``<test database>_remote``, the Solr core ``ckan_remote`` of
    the test Solr, and the test Redis (its keys carry its own site id).
    """
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(test_ini)
    app = parser["app:main"]
    db_url = os.environ.get("CKAN_SQLALCHEMY_URL") or app["sqlalchemy.url"]
    solr_url = os.environ.get("CKAN_SOLR_URL") or app["solr_url"]
    redis_url = os.environ.get("CKAN_REDIS_URL") or app["ckan.redis.url"]
    database = db_url.rsplit("/", 1)[1]
    return {
        "CKAN_SQLALCHEMY_URL": os.environ.get(
            "SKPD_REMOTE_SQLALCHEMY_URL",
            _replace_database(db_url, database + "_remote"),
        ),
        "CKAN_SOLR_URL": os.environ.get(
            "SKPD_REMOTE_SOLR_URL", solr_url.rsplit("/", 1)[0] + "/ckan_remote"
        ),
        "CKAN_REDIS_URL": os.environ.get("SKPD_REMOTE_REDIS_URL", redis_url),
        "CKAN_SITE_ID": os.environ.get("SKPD_REMOTE_SITE_ID", "skpd_remote"),
        "CKAN_SITE_URL": "http://127.0.0.1:5051",
    }


def _check_solr_core(solr_url: str) -> None:
    try:
        with urllib.request.urlopen(solr_url + "/admin/ping", timeout=10) as response:
            if response.status == 200:
                return
    except OSError as err:
        pytest.fail(
            f"The second site's Solr core {solr_url} does not answer ({err}). "
            "Start Solr with that core (SKPD_SOLR_CORES lists the cores of "
            "scripts/solr.sh) or set SKPD_REMOTE_SOLR_URL."
        )


def prepare_second_site(
    test_ini: str, folder: Path, settings: dict[str, str], extra_plugins: str = ""
) -> tuple[Path, dict[str, str]]:
    """Write the second site's ini in ``folder`` and create its database.

    The ini takes everything from the test ini, with ``extra_plugins``
    added to its plugins; ``settings`` (from :py:func:`remote_settings`)
    point it at its own services. Returns the ini and the environment to
    run it with.
    """
    _check_solr_core(settings["CKAN_SOLR_URL"])
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(test_ini)
    plugins = " ".join(parser["app:main"]["ckan.plugins"].split() + [extra_plugins])
    ini = folder / "remote.ini"
    ini.write_text(
        f"[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:{test_ini}\n"
        f"ckan.plugins = {plugins.strip()}\n"
    )
    env = dict(os.environ, **settings)
    completed = subprocess.run(
        [str(ROOT / "scripts" / "stack.sh"), "db", str(ini)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if completed.returncode != 0:
        pytest.fail(
            "scripts/stack.sh db could not prepare the second site's database:\n"
            + completed.stdout[-2000:]
            + completed.stderr[-2000:]
        )
    return ini, env


class RemoteSite:
    """A second CKAN site with its own database and Solr core."""

    def __init__(self, ini: Path, env: dict[str, str]) -> None:
        self.ini = ini
        self.env = env

    def harvest(self, url: str) -> dict[str, Any]:
        """Empty the site, harvest the DCAT catalogue at ``url`` and dump it."""
        completed = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("remote_site.py")),
                str(self.ini),
                "harvest",
                url,
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )
        if completed.returncode != 0:
            raise AssertionError("the second site failed:\n" + completed.stderr[-4000:])
        return json.loads(completed.stdout)


@pytest.fixture(scope="session")
def remote_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> RemoteSite:
    """Return a second site; its database is created and migrated once."""
    test_ini = os.path.abspath(request.config.getoption("ckan_ini"))
    ini, env = prepare_second_site(
        test_ini,
        tmp_path_factory.mktemp("remote"),
        remote_settings(test_ini),
        "dcat_rdf_harvester",
    )
    return RemoteSite(ini, env)
