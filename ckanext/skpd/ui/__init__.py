"""The Indonesian-first web interface: home page, dataset form and pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from ckanext.skpd.ui import dataset_input, form, organization
from ckanext.skpd.ui import template_helpers as ui_helpers


def actions() -> dict[str, Callable[..., Any]]:
    return {
        "package_patch": form.package_patch,
        "package_create": dataset_input.package_create,
        "package_update": dataset_input.package_update,
    }


def auth_functions() -> dict[str, Callable[..., Any]]:
    return {}


def blueprints() -> list[Blueprint]:
    return []


def helpers() -> dict[str, Callable[..., Any]]:
    return {
        "skpd_ui_home_overview": ui_helpers.skpd_ui_home_overview,
        "skpd_ui_dataset_steps": ui_helpers.skpd_ui_dataset_steps,
        "skpd_ui_bbox": ui_helpers.skpd_ui_bbox,
        "skpd_ui_upstream_input": ui_helpers.skpd_ui_upstream_input,
        "skpd_ui_selected_codes": ui_helpers.skpd_ui_selected_codes,
        "skpd_ui_organization_summary": organization.skpd_ui_organization_summary,
    }
