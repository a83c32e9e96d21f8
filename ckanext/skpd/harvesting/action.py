"""Actions of the harvesting feature."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.harvest.model import HarvestJob
from ckanext.skpd.harvesters import state


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
