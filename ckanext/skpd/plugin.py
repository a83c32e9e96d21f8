"""The skpd plugin: SKPD metadata schema, search facets, views and translations."""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any, Callable

from flask import Blueprint

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

import ckanext.skpd.i18n as i18n_package
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.skpd import harvesting, helpers, indexing, interop, lineage, privacy, ui
from ckanext.skpd.interop import harvest as interop_harvest

# Feature packages. Each exposes actions(), auth_functions(), blueprints()
# and helpers(), which this plugin registers with CKAN.
FEATURES: tuple[ModuleType, ...] = (lineage, interop, ui, harvesting)


def _merged(method: str) -> dict[str, Callable[..., Any]]:
    """Merge one registry of every feature package.

    A name may come from one package only: a second entry would silently
    replace the first (two chained versions of one core action, say).
    """
    merged: dict[str, Callable[..., Any]] = {}
    for feature in FEATURES:
        for name, function in getattr(feature, method)().items():
            if name in merged:
                raise RuntimeError(
                    f"{feature.__name__}.{method}() registers {name!r}, which "
                    "another feature package of ckanext-skpd registers too"
                )
            merged[name] = function
    return merged


@tk.blanket.cli
@tk.blanket.validators
@tk.blanket.config_declarations
class SkpdPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.ITemplateHelpers)

    # IConfigurer

    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "skpd")
        # Keep the lineage link tables in step with every dataset change.
        lineage.listen()

    # ITranslation

    def i18n_directory(self) -> str:
        # The catalogues live in the top-level i18n/ folder, which setup.py
        # installs as the package ckanext.skpd.i18n.
        return os.path.dirname(i18n_package.__file__)

    # IActions, IAuthFunctions, IBlueprint, ITemplateHelpers

    def get_actions(self) -> dict[str, Callable[..., Any]]:
        return {**_merged("actions"), **privacy.actions()}

    def get_auth_functions(self) -> dict[str, Callable[..., Any]]:
        return _merged("auth_functions")

    def get_blueprint(self) -> list[Blueprint]:
        return [bp for feature in FEATURES for bp in feature.blueprints()]

    def get_helpers(self) -> dict[str, Callable[..., Any]]:
        base = {name: getattr(helpers, name) for name in helpers.__all__}
        return {**base, **_merged("helpers")}

    # IFacets

    def dataset_facets(
        self, facets_dict: dict[str, Any], package_type: str
    ) -> dict[str, Any]:
        for field, _vocabulary, title in indexing.FACETS:
            facets_dict[field] = tk._(title)
        return facets_dict

    def organization_facets(
        self, facets_dict: dict[str, Any], organization_type: str, package_type: Any
    ) -> dict[str, Any]:
        return self.dataset_facets(facets_dict, package_type)

    def group_facets(
        self, facets_dict: dict[str, Any], group_type: str, package_type: Any
    ) -> dict[str, Any]:
        return self.dataset_facets(facets_dict, package_type)

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return indexing.before_dataset_index(pkg_dict)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        facets = search_results.get("search_facets")
        if facets:
            indexing.label_facets(facets, _current_lang())
        return search_results

    # IPackageController (privacy): package_show replaces the lineage
    # upstreams the viewer may not read by placeholders. package_search
    # results are masked by the chained package_search action in the same
    # module, because after_dataset_search gets no context to find the viewer.

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        privacy.after_dataset_show(context, pkg_dict)

    # IDCATRDFHarvester (interop): SKPD organizations and lineage links of
    # datasets harvested from DCAT catalogues with the dcat_rdf harvester.

    p.implements(IDCATRDFHarvester, inherit=True)

    def before_create(
        self,
        harvest_object: Any,
        dataset_dict: dict[str, Any],
        temp_dict: dict[str, Any],
    ) -> None:
        interop_harvest.before_save(dataset_dict)

    def before_update(
        self,
        harvest_object: Any,
        dataset_dict: dict[str, Any],
        temp_dict: dict[str, Any],
    ) -> None:
        interop_harvest.before_save(dataset_dict)

    def after_create(
        self,
        harvest_object: Any,
        dataset_dict: dict[str, Any],
        temp_dict: dict[str, Any],
    ) -> str | None:
        return interop_harvest.after_save(dataset_dict)

    def after_update(
        self,
        harvest_object: Any,
        dataset_dict: dict[str, Any],
        temp_dict: dict[str, Any],
    ) -> str | None:
        return interop_harvest.after_save(dataset_dict)


def _current_lang() -> str | None:
    try:
        return tk.h.lang()
    except (RuntimeError, TypeError, AttributeError):
        return None
