"""Command-line interface: ``ckan skpd ...``."""

from __future__ import annotations

import collections
import ipaddress
import json
import logging
import re
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import click

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra
from ckanext.harvest.model import HarvestSource

from ckanext.skpd.harvesters import datajson as harvester
from ckanext.skpd.mapping import datajson as mapping

__all__ = ["skpd"]

log = logging.getLogger(__name__)

SOURCE_TYPE = "skpd_datajson"
EXAMPLES_FILE = Path(__file__).parent / "demo" / "examples.json"
EXAMPLE_PREFIX = "Contoh demo:"
POLL_SECONDS = 2.0
STALL_SECONDS = 30.0
LOOPBACK_NAMES = {"localhost"}


@click.group(short_help="SKPD catalogue commands")
def skpd() -> None:
    """Commands of the SKPD catalogue."""


@skpd.command("load-demo")
@click.option(
    "--data-dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of data.json catalogues (*.json).",
)
@click.option(
    "--base-url",
    required=True,
    help="Loopback URL at which an HTTP server serves --data-dir.",
)
@click.option(
    "--wait",
    default=1800.0,
    show_default=True,
    type=float,
    help="Seconds to wait for the harvest jobs to finish.",
)
@click.option(
    "--skip-if-loaded", is_flag=True, help="Do nothing when the site has datasets."
)
@click.option(
    "--source-owner",
    default="walidata",
    show_default=True,
    help="Organization that owns the harvest sources; created if missing.",
)
@click.option(
    "--examples/--no-examples",
    default=True,
    show_default=True,
    help="Apply the example lineage, roles and exchange needs after loading.",
)
@click.pass_context
def load_demo(
    ctx: click.Context,
    data_dir: Path,
    base_url: str,
    wait: float,
    skip_if_loaded: bool,
    source_owner: str,
    examples: bool,
) -> None:
    """Harvest every data.json in DATA_DIR through the harvest queues.

    One harvest source of type skpd_datajson is created (or reused) per
    file, with the URL BASE_URL/<file name>. The jobs go to the gather
    queue, so `ckan harvester gather-consumer` and `fetch-consumer` must be
    running. The command waits for the jobs, prints a load report, then
    applies the example enrichment of ckanext/skpd/demo/examples.json.
    """
    _check_loopback(base_url)
    files = sorted(data_dir.glob("*.json"))
    if not files:
        raise click.UsageError(f"No *.json files in {data_dir}.")

    flask_app = ctx.meta["flask_app"]
    with flask_app.test_request_context():
        if skip_if_loaded and _dataset_count() > 0:
            click.echo(f"The site already has {_dataset_count()} datasets; skipped.")
            return

        started = time.monotonic()
        owner_id = _source_owner(source_owner)
        jobs = {}
        for path in files:
            source = _harvest_source(path, base_url, owner_id)
            jobs[source.id] = _start_job(source)
        wait_for_jobs(list(jobs.values()), wait)
        elapsed = time.monotonic() - started

        report = load_report(jobs)
        click.echo(format_report(report, elapsed))
        if examples:
            applied = apply_examples(json.loads(EXAMPLES_FILE.read_text("utf-8")))
            click.echo(format_examples(applied))


@skpd.command("rebuild-links")
def rebuild_links() -> None:
    """Recompute the lineage link and flow tables from every dataset.

    Needed only when datasets were written to the database other than
    through CKAN (a restore of some tables, hand-written SQL); CKAN's own
    changes keep the tables up to date.
    """
    from ckanext.skpd.lineage import links

    if not links.available():
        raise click.ClickException(
            "The skpd_link tables are missing; run 'ckan db upgrade -p skpd' first."
        )
    started = time.monotonic()
    count = links.rebuild(model.Session.connection())
    model.Session.commit()
    click.echo(
        f"Rebuilt {count} link and need rows in {time.monotonic() - started:.1f} s."
    )


# Sources and jobs ------------------------------------------------------------


def _check_loopback(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(
            "give an http(s) URL such as http://127.0.0.1:8765", param_hint="--base-url"
        )
    host = parts.hostname
    if host in LOOPBACK_NAMES:
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise click.BadParameter(
            f"{host} is not a loopback address. The demo loads local files "
            "served on 127.0.0.1; start `python -m http.server --bind "
            "127.0.0.1` in the data folder and pass its URL.",
            param_hint="--base-url",
        )


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _dataset_count() -> int:
    return (
        model.Session.query(model.Package)
        .filter(model.Package.type == "dataset", model.Package.state == "active")
        .count()
    )


def _source_owner(name: str) -> str:
    try:
        return tk.get_action("organization_show")(_context(), {"id": name})["id"]
    except tk.ObjectNotFound:
        pass
    org = tk.get_action("organization_create")(
        _context(),
        {
            "name": name,
            "title": "Walidata katalog (pemilik sumber panen)",
            "satu_data_role": "walidata",
            "description": "Owner of the harvest sources loaded by the demo.",
        },
    )
    log.info("Created organization %s to own the harvest sources", name)
    return org["id"]


def _harvest_source(path: Path, base_url: str, owner_id: str) -> HarvestSource:
    url = "{}/{}".format(base_url.rstrip("/"), path.name)
    existing = (
        model.Session.query(HarvestSource)
        .filter(HarvestSource.url == url, HarvestSource.active == True)  # noqa: E712
        .first()
    )
    if existing is not None:
        return existing
    name = "datajson-" + mapping.slugify(re.sub(r"[^\w]+", " ", path.stem.lower()))
    result = tk.get_action("harvest_source_create")(
        _context(),
        {
            "name": name[:100],
            "title": f"data.json {path.name}",
            "url": url,
            "source_type": SOURCE_TYPE,
            "owner_org": owner_id,
            "frequency": "MANUAL",
            "config": "",
        },
    )
    log.info("Created harvest source %s for %s", result["name"], url)
    return HarvestSource.get(result["id"])


def _start_job(source: HarvestSource) -> str:
    """Return the id of a job of the source that is on its way."""
    pending = (
        model.Session.query(HarvestJob)
        .filter(HarvestJob.source_id == source.id)
        .filter(HarvestJob.status.in_(["New", "Running"]))
        .first()
    )
    if pending is not None:
        if pending.status == "New":
            tk.get_action("harvest_send_job_to_gather_queue")(
                _context(), {"id": pending.id}
            )
        return pending.id
    job = tk.get_action("harvest_job_create")(
        _context(), {"source_id": source.id, "run": True}
    )
    return job["id"]


def wait_for_jobs(
    job_ids: list[str],
    timeout: float,
    poll: float = POLL_SECONDS,
    stall: float = STALL_SECONDS,
    on_poll: Callable[[], None] | None = None,
) -> None:
    """Wait until the harvest jobs are Finished, as `ckan harvester run` would.

    ``harvest_jobs_run`` marks jobs whose objects are all done as Finished.
    It also puts every WAITING object that is not in the Redis list back on
    the fetch queue, including objects a consumer has just taken, which are
    then imported after their job has finished and reported as errors. So
    it runs once the gathers are done and no object waits, or when the
    objects have not moved for ``stall`` seconds (a consumer died).

    :raises click.ClickException: when the jobs are not finished in time
    """
    deadline = time.monotonic() + timeout
    last_change, last_remaining = time.monotonic(), -1
    while True:
        if on_poll is not None:
            on_poll()
        model.Session.remove()
        jobs = model.Session.query(HarvestJob).filter(HarvestJob.id.in_(job_ids)).all()
        if all(job.status == "Finished" for job in jobs):
            return

        remaining = _objects_in_progress(job_ids)
        if remaining != last_remaining:
            last_change, last_remaining = time.monotonic(), remaining
        gathered = all(job.gather_finished or job.status == "Finished" for job in jobs)
        stalled = time.monotonic() - last_change > stall
        if gathered and (remaining == 0 or stalled):
            tk.get_action("harvest_jobs_run")(_context(), {})
            last_change = time.monotonic()

        if time.monotonic() > deadline:
            waiting = sorted(job.id for job in jobs if job.status != "Finished")
            raise click.ClickException(
                "Harvest jobs not finished after {:.0f} s: {}. Check that "
                "`ckan harvester gather-consumer` and `ckan harvester "
                "fetch-consumer` run with this ini file.".format(
                    timeout, ", ".join(waiting)
                )
            )
        time.sleep(poll)


def _objects_in_progress(job_ids: list[str]) -> int:
    return (
        model.Session.query(HarvestObject.id)
        .filter(HarvestObject.harvest_job_id.in_(job_ids))
        .filter(HarvestObject.state.notin_(["COMPLETE", "ERROR"]))
        .count()
    )


# Report ----------------------------------------------------------------------


def load_report(jobs: dict[str, str]) -> dict[str, Any]:
    """Summarise the given jobs (source id -> job id).

    :returns: ``{"sources": [...], "unmapped": {field: {value: count}},
        "organizations_created": [...]}``
    """
    sources = []
    unmapped: dict[str, collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    created_all: list[str] = []
    for source_id, job_id in jobs.items():
        job = HarvestJob.get(job_id)
        statuses = collections.Counter(
            status or "unknown"
            for (status,) in model.Session.query(HarvestObject.report_status).filter(
                HarvestObject.harvest_job_id == job_id
            )
        )
        created = _object_extras(job_id, harvester.EXTRA_CREATED_ORGS)
        for values in _object_extras(job_id, harvester.EXTRA_UNMAPPED):
            for field_name, value in values:
                unmapped[field_name][json.dumps(value, ensure_ascii=False)] += 1
        names = sorted({name for names in created for name in names})
        created_all.extend(names)
        sources.append(
            {
                "source": job.source.title,
                "url": job.source.url,
                "job": job_id,
                "created": statuses.get("added", 0),
                "updated": statuses.get("updated", 0),
                "unchanged": statuses.get("not modified", 0),
                "deleted": statuses.get("deleted", 0),
                "errored": statuses.get("errored", 0),
                "gather_errors": [e.message for e in job.gather_errors],
                "object_errors": _object_errors(job_id),
                "organizations_created": names,
            }
        )
    return {
        "sources": sources,
        "unmapped": {field: dict(counts) for field, counts in unmapped.items()},
        "organizations_created": sorted(set(created_all)),
        "datasets": _dataset_count(),
        "organizations": _organization_count(),
    }


def _object_extras(job_id: str, key: str) -> list[Any]:
    rows = (
        model.Session.query(HarvestObjectExtra.value)
        .join(HarvestObject, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
        .filter(HarvestObject.harvest_job_id == job_id, HarvestObjectExtra.key == key)
    )
    return [json.loads(value) for (value,) in rows]


def _object_errors(job_id: str) -> list[str]:
    objects = model.Session.query(HarvestObject).filter(
        HarvestObject.harvest_job_id == job_id
    )
    return [error.message for obj in objects for error in obj.errors]


def _organization_count() -> int:
    return (
        model.Session.query(model.Group)
        .filter(model.Group.is_organization == True)  # noqa: E712
        .filter(model.Group.state == "active")
        .count()
    )


def format_report(report: dict[str, Any], elapsed: float) -> str:
    lines = [f"Load report ({elapsed:.1f} s)"]
    for source in report["sources"]:
        lines.append(
            "  {source}: {created} created, {updated} updated, {unchanged} "
            "unchanged, {deleted} deleted, {errored} errored, {orgs} "
            "organizations created".format(
                orgs=len(source["organizations_created"]), **source
            )
        )
        for message in source["gather_errors"] + source["object_errors"]:
            lines.append("    error: " + message.splitlines()[0][:300])
    lines.append(
        "  Site: {datasets} datasets, {organizations} organizations; "
        "{new} organizations created by this load".format(
            new=len(report["organizations_created"]), **report
        )
    )
    if report["unmapped"]:
        lines.append("  Unmapped values (field, value: records):")
        for field_name, counts in sorted(report["unmapped"].items()):
            for value, count in sorted(counts.items(), key=lambda kv: -kv[1]):
                lines.append(f"    {field_name}, {value}: {count}")
    else:
        lines.append("  Unmapped values: none")
    return "\n".join(lines)


# Example enrichment ----------------------------------------------------------


def _organization_of(name: str) -> str | None:
    skpd = mapping.parse_skpd(name)
    return harvester.find_organization(skpd) if skpd else None


def _find_dataset(ref: dict[str, str]) -> model.Package | None:
    """Return the first dataset of an SKPD whose title matches a pattern."""
    org_id = _organization_of(ref["publisher"])
    if org_id is None:
        return None
    pattern = re.compile(ref["title"], re.IGNORECASE)
    packages = (
        model.Session.query(model.Package)
        .filter(model.Package.owner_org == org_id)
        .filter(model.Package.state == "active", model.Package.type == "dataset")
        .order_by(model.Package.name)
    )
    for package in packages:
        if pattern.search(package.title or ""):
            return package
    return None


def _check_example_notes(example: dict[str, Any]) -> None:
    notes = [example.get("note", "")]
    notes += [entry.get("note", "") for entry in example.get("lineage", [])]
    notes += [entry.get("purpose", "") for entry in example.get("exchange_needs", [])]
    for note in notes:
        if not note.startswith(EXAMPLE_PREFIX):
            raise click.ClickException(
                f'Example note "{note}" must start with "{EXAMPLE_PREFIX}".'
            )


def _example_rows(example: dict[str, Any]) -> tuple[dict[str, list[Any]], list[str]]:
    """Resolve the references of one example to ids and list the missing ones."""
    rows: dict[str, list[Any]] = {
        "lineage": [],
        "authority_roles": [],
        "exchange_needs": [],
    }
    missing = []
    for entry in example.get("lineage", []):
        upstream = _find_dataset(entry["upstream"])
        if upstream is None:
            missing.append("upstream {publisher} / {title}".format(**entry["upstream"]))
            continue
        rows["lineage"].append(
            {
                "upstream": upstream.id,
                "relation": entry["relation"],
                "note": entry["note"],
            }
        )
    for entry in example.get("authority_roles", []):
        holder = _organization_of(entry["holder"])
        if holder is None:
            missing.append(f"SKPD {entry['holder']}")
            continue
        rows["authority_roles"].append({"role": entry["role"], "holder": holder})
    for entry in example.get("exchange_needs", []):
        consumer = _organization_of(entry["consumer"])
        if consumer is None:
            missing.append(f"SKPD {entry['consumer']}")
            continue
        rows["exchange_needs"].append(dict(entry, consumer=consumer))
    return rows, missing


_ROW_KEYS = {
    "lineage": ("upstream", "relation"),
    "authority_roles": ("role", "holder"),
    "exchange_needs": ("consumer",),
}


def _merge(current: list[Any], new: list[Any], keys: tuple[str, ...]) -> list[Any]:
    seen = {tuple(row.get(k) for k in keys) for row in current}
    merged = list(current)
    for row in new:
        if tuple(row.get(k) for k in keys) not in seen:
            merged.append(row)
    return merged


def apply_examples(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply the example enrichment and return one outcome per example."""
    outcomes = []
    for example in document.get("examples", []):
        _check_example_notes(example)
        outcome = {"domain": example["domain"], "note": example["note"]}
        outcomes.append(outcome)
        target = _find_dataset(example["dataset"])
        if target is None:
            outcome["status"] = (
                "skipped: dataset {publisher} / {title} not found".format(
                    **example["dataset"]
                )
            )
            continue
        rows, missing = _example_rows(example)
        if missing:
            outcome["status"] = "skipped: not found: " + "; ".join(missing)
            continue

        current = tk.get_action("package_show")(_context(), {"id": target.id})
        patch: dict[str, Any] = {"id": target.id}
        for field_name, new_rows in rows.items():
            if new_rows:
                patch[field_name] = _merge(
                    current.get(field_name) or [], new_rows, _ROW_KEYS[field_name]
                )
        tk.get_action("package_patch")(_context(), patch)
        outcome["status"] = "applied to {} ({})".format(target.name, target.title)
        outcome["counts"] = {k: len(v) for k, v in rows.items() if v}
        log.info("Applied demo example %s to %s", example["domain"], target.name)
    return outcomes


def format_examples(outcomes: list[dict[str, Any]]) -> str:
    lines = ["Example inter-SKPD enrichment (labelled 'Contoh demo'):"]
    for outcome in outcomes:
        counts = ", ".join(f"{k} {v}" for k, v in outcome.get("counts", {}).items())
        suffix = f" [{counts}]" if counts else ""
        lines.append(f"  [{outcome['domain']}] {outcome['status']}{suffix}")
        lines.append(f"    {outcome['note']}")
    return "\n".join(lines)
