"""Template helpers of the harvesting feature."""

from __future__ import annotations

from typing import Any

import ckan.model as model

from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
from ckanext.skpd.harvesters import state


def _extra(pkg: dict[str, Any], key: str) -> str | None:
    if pkg.get(key):
        return pkg[key]
    for extra in pkg.get("extras") or []:
        if extra.get("key") == key:
            return extra.get("value")
    return None


def skpd_harvest_provenance(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """Return where a harvested dataset comes from, or None if it was not harvested.

    :returns: ``source`` (title, name, url, type), ``identifier`` (the
        record's identifier at the source), ``harvested`` (when the dataset
        was last written from the source) and ``checked`` (when the source
        was last read and the record found unchanged or imported)
    """
    current = (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.package_id == pkg.get("id"))
        .filter(HarvestObject.current == True)  # noqa: E712
        .order_by(HarvestObject.import_finished.desc())
        .first()
    )
    if current is None:
        return None
    source = HarvestSource.get(current.harvest_source_id)
    if source is None:
        return None
    source_pkg = model.Package.get(source.id)
    identifier = _extra(pkg, "remote_identifier") or _extra(pkg, "guid") or current.guid
    return {
        "source": {
            "title": source.title or source.url,
            "name": source_pkg.name if source_pkg else source.id,
            "url": source.url,
            "type": source.type,
        },
        "identifier": identifier,
        "harvested": current.import_finished or current.gathered,
        "checked": _last_checked(source.id) or current.import_finished,
    }


def _last_checked(source_id: str) -> Any:
    for run in state.load(source_id).get("runs", []):
        if run.get("ok"):
            job = HarvestJob.get(run["job_id"])
            if job is not None:
                return job.gather_finished or job.created
    return None


def skpd_harvest_job_summary(job_id: str) -> dict[str, Any] | None:
    """Return the SKPD harvest summary of a job, or None."""
    job = HarvestJob.get(job_id)
    if job is None:
        return None
    return state.run_summary(job.source_id, job.id)
