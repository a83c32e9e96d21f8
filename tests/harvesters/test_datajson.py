"""Integration tests of the skpd_datajson harvester.

They run the real harvest path: a loopback HTTP server serves the
catalogues, the jobs go through the Redis queues of test.ini, and real
``ckan harvester gather-consumer`` and ``fetch-consumer`` processes do the
gather, fetch and import stages.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestObject

from ckanext.skpd.cli import wait_for_jobs
from ckanext.skpd.harvesters.datajson import SkpdDataJsonHarvester
from tests.harvesters.conftest import Consumers

REPO = Path(__file__).parents[2]
DATA_DIR = (
    Path(os.environ.get("SKPD_SHARED_DATA", REPO.parent / "shared" / "data"))
    / "datajson"
)
JOB_TIMEOUT = 120.0


@pytest.fixture(scope="module")
def served_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1, and its base URL."""
    folder = tmp_path_factory.mktemp("datajson")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _call(action: str, **kwargs: Any) -> Any:
    """Call an action as the site user, as the harvester and the CLI do."""
    site_user = call_action("get_site_user", {"ignore_auth": True})["name"]
    return call_action(action, {"user": site_user, "ignore_auth": True}, **kwargs)


def _copy(served: tuple[Path, str], name: str) -> str:
    source = DATA_DIR / name
    if not source.exists():
        pytest.skip(f"shared data file {source} not found; set SKPD_SHARED_DATA")
    shutil.copy(source, served[0] / name)
    return f"{served[1]}/{name}"


def _write(served: tuple[Path, str], name: str, document: Any) -> str:
    (served[0] / name).write_text(json.dumps(document), "utf-8")
    return f"{served[1]}/{name}"


def _source(url: str, owner: dict[str, Any], config: str = "") -> dict[str, Any]:
    name = "src-" + url.rsplit("/", 1)[-1].split(".")[0].lower().replace("_", "-")
    return _call(
        "harvest_source_create",
        name=name,
        title=name,
        url=url,
        source_type="skpd_datajson",
        owner_org=owner["id"],
        config=config,
    )


def _harvest(consumers: Consumers, source: dict[str, Any]) -> list[HarvestObject]:
    """Run one job of a source through the queues; return its objects."""
    consumers.ensure_running()
    job = _call("harvest_job_create", source_id=source["id"], run=True)

    wait_for_jobs(
        [job["id"]], JOB_TIMEOUT, poll=0.3, stall=5.0, on_poll=consumers.ensure_running
    )

    model.Session.remove()
    return (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_job_id == job["id"])
        .all()
    )


def _statuses(objects: list[HarvestObject]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in objects:
        counts[obj.report_status] = counts.get(obj.report_status, 0) + 1
    return counts


@pytest.fixture
def owner(clean_db: None, clean_index: None) -> dict[str, Any]:
    """The organization that owns the harvest sources."""
    return factories.Organization(name="walidata", title="Walidata")


@pytest.mark.usefixtures("with_plugins")
class TestHarvestRealFiles:
    def test_creates_datasets_and_organizations(self, served_dir, owner, consumers):
        """Jawa Barat and Padang Panjang load into four new SKPD organizations."""
        jabar_url = _copy(served_dir, "provinsi-jawa-barat-data.json")
        padang_url = _copy(served_dir, "padangpanjang2.json")

        jabar = _harvest(consumers, _source(jabar_url, owner))
        padang = _harvest(consumers, _source(padang_url, owner))

        assert _statuses(jabar) == {"added": 9}
        assert _statuses(padang) == {"added": 4}
        orgs = _call("organization_list", all_fields=True, include_extras=True)
        by_name = {org["name"]: org for org in orgs}
        assert set(by_name) == {
            "walidata",
            "dinas-pendidikan",
            "dinas-pemberdayaan-masyarakat-dan-desa",
            "dinas-tanaman-pangan-dan-hortikultura",
            "dinas-komunikasi-dan-informatika",
        }
        assert by_name["dinas-pendidikan"]["abbreviation"] == "DISDIK"
        assert by_name["dinas-pendidikan"]["kind"] == "dinas"
        assert by_name["dinas-pendidikan"]["urusan"] == ["education"]

    def test_facets_count_cadence_and_collection_method(
        self, served_dir, owner, consumers
    ):
        """The cadence and collection method of the datasets are facets."""
        for name in ("provinsi-jawa-barat-data.json", "padangpanjang2.json"):
            _harvest(consumers, _source(_copy(served_dir, name), owner))

        result = _call(
            "package_search",
            rows=0,
            **{
                "facet.field": ["skpd_cadence", "skpd_collection_method", "skpd_domain"]
            },
        )

        assert result["count"] == 13
        assert result["facets"]["skpd_cadence"] == {"annual": 4}
        assert result["facets"]["skpd_collection_method"] == {"routine_periodic": 4}
        assert result["facets"]["skpd_domain"]["education"] == 7

    def test_dataset_keeps_source_identifier_and_harvest_info(
        self, served_dir, owner, consumers
    ):
        """A dataset shows its remote identifier and harvest source."""
        source = _source(_copy(served_dir, "padangpanjang2.json"), owner)
        _harvest(consumers, source)

        dataset = _call("package_search", q='title:"deteksi dini"', rows=1)["results"][
            0
        ]
        extras = {e["key"]: e["value"] for e in dataset["extras"]}

        assert extras["guid"] == "824eef8d-c4ed-43a4-878a-a38a01e81340"
        assert extras["harvest_source_id"] == source["id"]
        assert extras["harvest_source_url"].endswith("/padangpanjang2.json")
        assert dataset["cadence"] == "annual"
        assert dataset["temporal_start"] == "2024-12-23"
        assert dataset["spatial_coverage"] == "Kota Padang Panjang"

    def test_rerun_does_not_duplicate(self, served_dir, owner, consumers):
        """A second run of an unchanged catalogue changes nothing.

        The Jawa Barat file repeats one identifier on six different
        records; they stay six datasets.
        """
        source = _source(_copy(served_dir, "provinsi-jawa-barat-data.json"), owner)
        _harvest(consumers, source)

        second = _harvest(consumers, source)

        assert second == []
        assert _call("package_search", rows=0)["count"] == 9
        assert len(_call("organization_list")) == 4

    def test_object_delivered_twice_is_imported_once(
        self, served_dir, owner, consumers
    ):
        """A second delivery of an imported object creates no second dataset."""
        url = _copy(served_dir, "padangpanjang2.json")
        objects = _harvest(consumers, _source(url, owner))

        outcome = SkpdDataJsonHarvester().import_stage(objects[0])

        assert outcome is True
        assert _call("package_search", rows=0)["count"] == 4

    def test_changed_record_is_updated_and_keeps_local_fields(
        self, served_dir, owner, consumers
    ):
        """A changed record updates its dataset; local lineage survives."""
        source = DATA_DIR / "padangpanjang2.json"
        if not source.exists():
            pytest.skip(f"shared data file {source} not found; set SKPD_SHARED_DATA")
        document = json.loads(source.read_text("utf-8"))
        url = _write(served_dir, "changing.json", document)
        source = _source(url, owner)
        _harvest(consumers, source)
        dataset = _call("package_search", q='title:"deteksi dini"')["results"][0]
        _call(
            "package_patch",
            id=dataset["id"],
            lineage=[{"upstream": "https://example.org/x", "relation": "derived_from"}],
        )

        for record in document["dataset"]:
            record["accrualPeriodicity"] = "R/P1M"
        _write(served_dir, "changing.json", document)
        second = _harvest(consumers, source)

        assert _statuses(second) == {"updated": 4}
        updated = _call("package_show", id=dataset["id"])
        assert updated["cadence"] == "monthly"
        assert updated["lineage"][0]["upstream"] == "https://example.org/x"

    def test_bad_records_end_as_object_errors(self, served_dir, owner, consumers):
        """Records without publisher or with invalid fields leave no dataset."""
        url = _write(
            served_dir,
            "bad.json",
            {
                "dataset": [
                    {"identifier": "no-publisher", "title": "Tanpa penerbit"},
                    {
                        "identifier": "bad-email",
                        "title": "Surel rusak",
                        "publisher": {"name": "Dinas Uji Coba"},
                        "contactPoint": {
                            "fn": "Dinas Uji Coba",
                            "hasEmail": "bukan surel",
                        },
                    },
                    {
                        "identifier": "good",
                        "title": "Jumlah puskesmas",
                        "publisher": {"name": "Dinas Kesehatan Kota Contoh"},
                    },
                ]
            },
        )

        objects = _harvest(consumers, _source(url, owner))

        errors = {
            obj.guid: [e.message for e in obj.errors] for obj in objects if obj.errors
        }
        assert set(errors) == {"no-publisher", "bad-email"}
        assert "publisher: the record names no publisher" in errors["no-publisher"][0]
        assert "default_publisher" in errors["no-publisher"][0]
        assert (
            'Dataset "Surel rusak" (identifier bad-email) was not imported'
            in (errors["bad-email"][0])
        )
        assert "contact_email:" in errors["bad-email"][0]
        titles = [d["title"] for d in _call("package_search")["results"]]
        assert titles == ["Jumlah puskesmas"]
        names = set(_call("organization_list"))
        assert names == {"walidata", "dinas-kesehatan"}

    def test_default_publisher_from_source_config(self, served_dir, owner, consumers):
        """default_publisher names the SKPD of records without publisher."""
        url = _write(
            served_dir,
            "nopub.json",
            {"dataset": [{"identifier": "a1", "title": "Realisasi PAD"}]},
        )

        config = json.dumps({"default_publisher": "BPKAD"})

        objects = _harvest(consumers, _source(url, owner, config))

        assert _statuses(objects) == {"added": 1}
        org = _call(
            "organization_show", id="badan-pengelolaan-keuangan-dan-aset-daerah"
        )
        assert org["abbreviation"] == "BPKAD"
        assert org["package_count"] == 1

    def test_publisher_alias_maps_to_an_existing_organization(
        self, served_dir, owner, consumers
    ):
        """publisher_aliases sends a remote name to a local organization."""
        local = factories.Organization(name="dinkes", title="Dinkes lokal")
        url = _write(
            served_dir,
            "alias.json",
            {
                "dataset": [
                    {
                        "identifier": "b1",
                        "title": "Cakupan imunisasi",
                        "publisher": {"name": "Dinas Kesehatan Masyarakat"},
                    }
                ]
            },
        )
        aliases = {"Dinas Kesehatan Masyarakat": "dinkes"}
        config = json.dumps({"publisher_aliases": aliases})

        _harvest(consumers, _source(url, owner, config))

        dataset = _call("package_search")["results"][0]
        assert dataset["owner_org"] == local["id"]


class TestValidateConfig:
    @pytest.mark.parametrize(
        ("config", "message"),
        [
            ("{", "not valid JSON"),
            ("[]", "must be a JSON object"),
            ('{"default_publisher": ""}', "default_publisher must be"),
            ('{"publisher_aliases": "x"}', "publisher_aliases must be an object"),
            ('{"publisher_aliases": {"A": 1}}', "publisher_aliases: the value for 'A'"),
            ('{"default_publisher": "X", "typo": 1}', "unknown option(s) typo"),
        ],
    )
    def test_rejects(self, config, message):
        """A wrong option is named in the error."""
        with pytest.raises(ValueError, match=re.escape(message)):
            SkpdDataJsonHarvester().validate_config(config)

    def test_accepts_valid_options(self):
        """Both options together are accepted unchanged."""
        config = json.dumps(
            {"default_publisher": "Dinas X", "publisher_aliases": {"A": "b"}}
        )

        assert SkpdDataJsonHarvester().validate_config(config) == config
