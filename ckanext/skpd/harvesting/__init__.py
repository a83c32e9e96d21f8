"""Harvesting: job summaries, dataset provenance and the inventory template.

The harvesters themselves are plugins of their own in
:mod:`ckanext.skpd.harvesters`; this package adds to the site what they
share:

- ``harvest_job_report`` is extended with the job's ``skpd_summary``
  (download, counts of new, changed, unchanged and removed records, the
  removal policy applied);
- the ``skpd_harvest_provenance`` helper tells where a harvested dataset
  comes from and when it was last harvested;
- the ``skpd_harvest.template`` view serves the inventory spreadsheet
  template in Indonesian and English, as CSV or XLSX.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint


def actions() -> dict[str, Callable[..., Any]]:
    from ckanext.skpd.harvesting import action

    return {
        "harvest_job_report": action.harvest_job_report,
        "harvest_source_clear": action.harvest_source_clear,
    }


def auth_functions() -> dict[str, Callable[..., Any]]:
    return {}


def blueprints() -> list[Blueprint]:
    from ckanext.skpd.harvesters import views

    return [views.blueprint]


def helpers() -> dict[str, Callable[..., Any]]:
    from ckanext.skpd.harvesting import template_helpers

    return {
        "skpd_harvest_provenance": template_helpers.skpd_harvest_provenance,
        "skpd_harvest_job_summary": template_helpers.skpd_harvest_job_summary,
    }
