"""Actions of the harvesting feature."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context, DataDict

from ckanext.harvest.model import HarvestJob, HarvestSource
from ckanext.skpd.harvesters import state
from ckanext.skpd.lineage import links


@tk.side_effect_free
@tk.chained_action
def harvest_job_report(
    up_func: Any, context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Return the report of a harvest job, with the SKPD harvest summary.

    Adds ``skpd_summary`` to ckanext-harvest's report: for a job of an SKPD
    harvester, the downloads (URL, HTTP status, bytes, whether the request
    was conditional), the counts of records that were new, changed and
    unchanged, the records that left the source with the removal policy
    applied (``withdraw`` or ``keep``), and the problems found in the
    source. None for jobs of other harvesters.

    :param id: the id of the harvest job
    :type id: string

    :returns: the report
    :rtype: dictionary
    """
    tk.check_access("harvest_job_report", context, data_dict)

    report = up_func(context, data_dict)
    job = HarvestJob.get(data_dict.get("id"))
    report["skpd_summary"] = (
        state.run_summary(job.source_id, job.id) if job is not None else None
    )
    return report


@tk.chained_action
def harvest_source_clear(
    up_func: Any, context: Context, data_dict: DataDict
) -> Any:
    """Clear a harvest source's datasets, jobs and objects; keep the source.

    Takes the parameters of ckanext-harvest's ``harvest_source_clear``,
    which deletes the datasets with SQL of its own. The datasets it
    harvested are then removed from the lineage link tables
    (:py:mod:`ckanext.skpd.lineage.links`) as a purge through CKAN would.

    :param id: the id of the harvest source to clear
    :type id: string
    """
    tk.check_access("harvest_source_clear", context, data_dict)

    source = HarvestSource.get(data_dict.get("id"))
    ids: list[str] = []
    if source is not None:
        rows = model.Session.execute(
            sa.text(
                "SELECT DISTINCT package_id FROM harvest_object"
                " WHERE harvest_source_id = :id AND package_id IS NOT NULL"
            ),
            {"id": source.id},
        )
        ids = [row.package_id for row in rows]
    result = up_func(context, data_dict)
    if ids:
        links.refresh(model.Session.connection(), ids)
        model.Session.commit()
    return result
