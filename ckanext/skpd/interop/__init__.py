"""Interoperability: DCAT and data.json exports of the SKPD metadata.

- :mod:`~ckanext.skpd.interop.rdf`: the ``skpd_dcat_ap`` profile of
  ckanext-dcat, for ``/catalog.ttl``, ``/dataset/<id>.ttl`` and the
  ``dcat_rdf`` harvester;
- :mod:`~ckanext.skpd.interop.harvest`: what the ``dcat_rdf`` harvester
  does with SKPD agents and lineage before and after saving a dataset;
- :mod:`~ckanext.skpd.interop.pod`: the ``/data.json`` document (Project
  Open Data 1.1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint


def actions() -> dict[str, Callable[..., Any]]:
    return {}


def auth_functions() -> dict[str, Callable[..., Any]]:
    return {}


def blueprints() -> list[Blueprint]:
    from ckanext.skpd.interop import views

    return [views.blueprint]


def helpers() -> dict[str, Callable[..., Any]]:
    return {}
