"""Hostile and changing sources, harvested through the real queues.

Each test serves a data.json variant from a loopback server, runs the
job with real gather and fetch consumers, and checks what the job report
says and that nothing partial was written.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.harvesters.conftest import (
    SHARED_DATA,
    call,
    datasets,
    make_source,
    run_job,
)

PADANG = SHARED_DATA / "datajson" / "padangpanjang2.json"


def _padang() -> str:
    """Return the text of the Padang Panjang catalogue, or skip without it."""
    if not PADANG.exists():
        pytest.skip(f"shared data file {PADANG} not found; set SKPD_SHARED_DATA")
    return PADANG.read_text("utf-8")


def _catalogue(*records: dict[str, Any]) -> dict[str, Any]:
    return {"dataset": list(records)}


def _record(identifier: str, title: str, **fields: Any) -> dict[str, Any]:
    return {
        "identifier": identifier,
        "title": title,
        "publisher": {"name": "Dinas Kesehatan Kota Contoh"},
        **fields,
    }


GOOD = _catalogue(
    _record("a1", "Jumlah puskesmas"),
    _record("a2", "Cakupan imunisasi dasar", accrualPeriodicity="R/P1Y"),
)


def _datajson(server, owner, name="katalog.json", document=GOOD, **config):
    url = server.write_json(name, document)
    return make_source(url, owner, "skpd_datajson", config or None)


@pytest.mark.usefixtures("with_plugins")
class TestHostileSources:
    def test_html_page_is_a_job_error_and_imports_nothing(
        self, source_server, owner, consumers
    ):
        """A web page instead of JSON ends the job with one clear error."""
        url = source_server.write("katalog.html", "<!DOCTYPE html><html>Login</html>")
        job = run_job(consumers, make_source(url, owner, "skpd_datajson"))

        assert job.objects == []
        assert len(job.gather_errors) == 1
        assert (
            "responded with a web page (Content-Type text/html" in job.gather_errors[0]
        )
        assert job.summary["ok"] is False
        assert datasets() == []

    def test_http_500_is_a_job_error(self, source_server, owner, consumers):
        """A server error is reported with its status."""

        def fail(handler):
            handler.send_body(500, b"database down", "text/plain")

        source_server.routes["/rusak.json"] = fail
        job = run_job(
            consumers,
            make_source(source_server.url("rusak.json"), owner, "skpd_datajson"),
        )

        assert job.objects == []
        assert "responded with HTTP 500 Internal Server Error" in job.gather_errors[0]

    def test_time_out_names_the_limit(self, source_server, owner, consumers):
        """A server slower than the source's timeout ends the job in time."""

        def slow(handler):
            time.sleep(4)
            handler.send_body(200, json.dumps(GOOD).encode(), "application/json")

        source_server.routes["/lambat.json"] = slow
        source = make_source(
            source_server.url("lambat.json"), owner, "skpd_datajson", {"timeout": 1}
        )
        started = time.monotonic()
        job = run_job(consumers, source)

        assert time.monotonic() - started < 30
        assert (
            "timed out: no complete response within 1 seconds" in job.gather_errors[0]
        )
        assert '"timeout"' in job.gather_errors[0]
        assert datasets() == []

    def test_oversized_body_is_stopped(self, source_server, owner, consumers):
        """A body over max_bytes is not read to the end and not imported."""

        def endless(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            handler.wfile.write(b'{"dataset": [' + b" " * 200_000)
            handler.record(200, 200_013)

        source_server.routes["/besar.json"] = endless
        source = make_source(
            source_server.url("besar.json"),
            owner,
            "skpd_datajson",
            {"max_bytes": 50_000},
        )
        job = run_job(consumers, source)

        assert "larger than the limit of 50,000 bytes" in job.gather_errors[0]
        assert job.objects == []

    def test_declared_length_over_limit_is_refused_before_reading(
        self, source_server, owner, consumers
    ):
        """A Content-Length over max_bytes is refused without reading the body."""
        url = source_server.write_json("katalog.json", GOOD)
        source = make_source(url, owner, "skpd_datajson", {"max_bytes": 20})
        job = run_job(consumers, source)

        assert f"a body of {len(json.dumps(GOOD)):,} bytes" in job.gather_errors[0]

    def test_control_character_names_line_and_fix(
        self, source_server, owner, consumers
    ):
        """An unescaped control character is reported by line and column."""
        text = _padang().replace("Produk Olahan", "Produk\tOlahan", 1)
        url = source_server.write("padang.json", text)
        job = run_job(consumers, make_source(url, owner, "skpd_datajson"))

        message = job.gather_errors[0]
        assert "is not valid JSON: Invalid control character at" in message
        assert "line " in message and "column " in message
        assert '"allow_control_characters": true' in message
        assert job.objects == []
        assert datasets() == []

    def test_control_characters_accepted_when_allowed(
        self, source_server, owner, consumers
    ):
        """allow_control_characters reads such a catalogue."""
        text = _padang().replace("Produk Olahan", "Produk\tOlahan", 1)
        url = source_server.write("padang.json", text)
        source = make_source(
            url, owner, "skpd_datajson", {"allow_control_characters": True}
        )
        job = run_job(consumers, source)

        assert job.statuses == {"added": 4}

    def test_duplicate_identifiers_are_listed_and_kept_apart(
        self, source_server, owner, consumers
    ):
        """A repeated identifier is listed; each record is its own dataset."""
        document = _catalogue(
            _record("dup", "Jumlah dokter"),
            _record("dup", "Jumlah perawat"),
            _record("ok", "Jumlah bidan"),
        )
        job = run_job(consumers, _datajson(source_server, owner, document=document))

        assert job.statuses == {"added": 3}
        assert len(job.gather_errors) == 1
        assert "Identifier dup is used by 2 records" in job.gather_errors[0]
        assert '"Jumlah perawat"' in job.gather_errors[0]

    def test_records_without_publisher_are_object_errors(
        self, source_server, owner, consumers
    ):
        """A record without publisher is an object error; the rest is imported."""
        document = _catalogue(
            {"identifier": "np", "title": "Tanpa penerbit"},
            _record("ok", "Jumlah bidan"),
        )
        job = run_job(consumers, _datajson(source_server, owner, document=document))

        errors = job.object_errors()
        assert set(errors) == {"np"}
        assert "publisher: the record names no publisher" in errors["np"][0]
        assert [d["title"] for d in datasets()] == ["Jumlah bidan"]

    def test_a_broken_source_leaves_other_sources_alone(
        self, source_server, owner, consumers
    ):
        """One source failing does not change another source's datasets."""
        good = run_job(consumers, _datajson(source_server, owner, "baik.json"))
        source_server.routes["/rusak.json"] = lambda h: h.send_body(
            500, b"x", "text/plain"
        )
        broken = make_source(source_server.url("rusak.json"), owner, "skpd_datajson")

        run_job(consumers, broken)

        assert good.statuses == {"added": 2}
        assert len(datasets()) == 2

    def test_rerun_after_the_fix_succeeds(self, source_server, owner, consumers):
        """A source that was broken imports everything once it is repaired."""
        text = json.dumps(GOOD).replace("Jumlah puskesmas", "Jumlah\npuskesmas")
        url = source_server.write("katalog.json", text)
        source = make_source(url, owner, "skpd_datajson")
        first = run_job(consumers, source)

        source_server.write_json("katalog.json", GOOD)
        second = run_job(consumers, source)

        assert first.gather_errors and first.objects == []
        assert second.statuses == {"added": 2}
        assert second.gather_errors == []

    def test_failed_gather_does_not_withdraw_datasets(
        self, source_server, owner, consumers
    ):
        """A download failure never counts the records as removed."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        source_server.write("katalog.json", "<html>maintenance</html>")

        job = run_job(consumers, source)

        assert job.objects == []
        assert len(datasets()) == 2


@pytest.mark.usefixtures("with_plugins")
class TestIncremental:
    def test_unchanged_source_answers_304_and_writes_nothing(
        self, source_server, owner, consumers
    ):
        """The second run sends a conditional request and creates no object."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        before = {d["id"]: d["metadata_modified"] for d in datasets()}

        second = run_job(consumers, source)

        hits = source_server.hits_for("katalog.json")
        assert [(h.status, h.conditional) for h in hits] == [(200, False), (304, True)]
        assert second.objects == []
        assert second.summary["not_modified"] is True
        assert {d["id"]: d["metadata_modified"] for d in datasets()} == before

    def test_without_conditional_support_unchanged_records_are_skipped(
        self, source_server, owner, consumers
    ):
        """A server without ETag support: the records are compared instead."""
        source_server.conditional = False
        source = _datajson(source_server, owner)
        run_job(consumers, source)

        second = run_job(consumers, source)

        assert second.objects == []
        assert second.summary["unchanged"] == 2
        assert second.summary["records"] == 2

    def test_only_changed_records_are_queued(self, source_server, owner, consumers):
        """One changed record out of two gives one object, updated."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        changed = _catalogue(
            _record("a1", "Jumlah puskesmas"),
            _record("a2", "Cakupan imunisasi dasar", accrualPeriodicity="R/P1M"),
        )
        source_server.write_json("katalog.json", changed)

        second = run_job(consumers, source)

        assert [(o.guid, o.report_status) for o in second.objects] == [
            ("a2", "updated")
        ]
        assert second.summary["unchanged"] == 1

    def test_errored_records_are_retried_even_if_the_source_is_unchanged(
        self, source_server, owner, consumers
    ):
        """After a failed record the next request is not conditional."""
        document = _catalogue({"identifier": "np", "title": "Tanpa penerbit"})
        source = _datajson(source_server, owner, document=document)
        run_job(consumers, source)

        second = run_job(consumers, source)

        assert [h.conditional for h in source_server.hits_for("katalog.json")] == [
            False,
            False,
        ]
        assert second.statuses == {"errored": 1}


@pytest.mark.usefixtures("with_plugins")
class TestRemovedRecords:
    def test_withdraw_deletes_and_reports(self, source_server, owner, consumers):
        """Under "withdraw" a record that left the source deletes its dataset."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        source_server.write_json("katalog.json", _catalogue(GOOD["dataset"][0]))

        job = run_job(consumers, source)

        assert job.statuses == {"deleted": 1}
        assert job.summary["removed"]["policy"] == "withdraw"
        assert (
            job.summary["removed"]["datasets"][0]["title"] == "Cakupan imunisasi dasar"
        )
        assert [d["title"] for d in datasets()] == ["Jumlah puskesmas"]

    def test_keep_leaves_the_dataset_and_reports(self, source_server, owner, consumers):
        """Under "keep" the dataset stays and the report lists it."""
        source = _datajson(source_server, owner, removed_policy="keep")
        run_job(consumers, source)
        source_server.write_json("katalog.json", _catalogue(GOOD["dataset"][0]))

        job = run_job(consumers, source)

        assert job.objects == []
        assert job.summary["removed"]["policy"] == "keep"
        assert job.summary["removed"]["count"] == 1
        assert len(datasets()) == 2

    def test_record_that_returns_revives_its_dataset_with_enrichment(
        self, source_server, owner, consumers
    ):
        """A withdrawn dataset comes back with its lineage when the record does."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        dataset = datasets(q='title:"imunisasi"')[0]
        lineage = [{"upstream": "https://data.example.go.id/x", "relation": "copy_of"}]
        call("package_patch", id=dataset["id"], lineage=lineage)
        source_server.write_json("katalog.json", _catalogue(GOOD["dataset"][0]))
        run_job(consumers, source)

        source_server.write_json("katalog.json", GOOD)
        job = run_job(consumers, source)

        revived = call("package_show", id=dataset["id"])
        assert revived["state"] == "active"
        assert revived["lineage"] == lineage
        assert job.statuses == {"updated": 1}
        assert len(datasets()) == 2

    def test_dataset_deleted_locally_stays_deleted(
        self, source_server, owner, consumers
    ):
        """Deleting a harvested dataset in the catalogue is respected."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        dataset = datasets(q='title:"imunisasi"')[0]
        call("package_delete", id=dataset["id"])
        changed = _catalogue(
            GOOD["dataset"][0],
            _record("a2", "Cakupan imunisasi dasar", accrualPeriodicity="R/P1M"),
        )
        source_server.write_json("katalog.json", changed)

        job = run_job(consumers, source)

        assert job.statuses == {"not modified": 1}
        assert call("package_show", id=dataset["id"])["state"] == "deleted"


@pytest.mark.usefixtures("with_plugins")
class TestLocalEnrichment:
    def test_local_fields_survive_a_changed_record(
        self, source_server, owner, consumers
    ):
        """Lineage, roles and needs added locally survive; source fields update."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        dataset = datasets(q='title:"imunisasi"')[0]
        org = dataset["owner_org"]
        local = {
            "lineage": [
                {"upstream": "https://example.org/x", "relation": "derived_from"}
            ],
            "authority_roles": [{"role": "collector", "holder": org}],
            "exchange_needs": [{"consumer": org, "status": "identified"}],
            "information_system": "SIMPUS",
        }
        call("package_patch", id=dataset["id"], **local)
        changed = _catalogue(
            GOOD["dataset"][0],
            _record(
                "a2", "Cakupan imunisasi dasar lengkap", accrualPeriodicity="R/P1M"
            ),
        )
        source_server.write_json("katalog.json", changed)

        run_job(consumers, source)

        updated = call("package_show", id=dataset["id"])
        assert updated["title"] == "Cakupan imunisasi dasar lengkap"
        assert updated["cadence"] == "monthly"
        for field_name, value in local.items():
            assert updated[field_name] == value

    def test_local_correction_of_a_field_the_source_did_not_change_is_kept(
        self, source_server, owner, consumers
    ):
        """A curator's cadence stays until the source changes the cadence."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        dataset = datasets(q='title:"imunisasi"')[0]
        call("package_patch", id=dataset["id"], cadence="semiannual")
        changed = _catalogue(
            GOOD["dataset"][0],
            _record("a2", "Cakupan imunisasi", accrualPeriodicity="R/P1Y"),
        )
        source_server.write_json("katalog.json", changed)

        run_job(consumers, source)

        updated = call("package_show", id=dataset["id"])
        assert updated["title"] == "Cakupan imunisasi"
        assert updated["cadence"] == "semiannual"


@pytest.mark.usefixtures("with_plugins")
class TestProvenance:
    def test_dataset_page_shows_source_identifier_and_time(
        self, source_server, owner, consumers, app
    ):
        """The dataset page names the source, the remote identifier and the time."""
        source = _datajson(source_server, owner)
        run_job(consumers, source)
        dataset = datasets(q='title:"puskesmas"')[0]

        page = app.get(f"/dataset/{dataset['name']}").get_data(as_text=True)

        assert 'id="skpd-harvest-provenance"' in page
        assert source["title"] in page
        assert "a1" in page
        assert source_server.url("katalog.json") in page
