"""One ITranslation plugin per stock catalogue the project ships.

CKAN 2.12 builds Flask-Babel's catalogue list from the core ``ckan``
domain followed by every ``ITranslation`` plugin (``flask_app.py``,
``BABEL_TRANSLATION_DIRECTORIES`` and ``BABEL_DOMAIN``). Flask-Babel loads
each directory's ``<lang>/LC_MESSAGES/<domain>.mo`` and merges them into one
catalogue, a later one replacing an earlier one's message. ITranslation is
iterated in reverse ``ckan.plugins`` order, so a plugin listed first wins.
Listed after ``skpd`` and the stock extensions, these catalogues replace
CKAN's incomplete ``id`` catalogue, and the project's own ``ckanext-skpd``
domain still overrides them.

The ``ckan.i18n.extra_directory``, ``ckan.i18n.extra_gettext_domain`` and
``ckan.i18n.extra_locales`` options are still declared by CKAN 2.12 but no
code reads them any more, which is why plugins load these catalogues.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.skpd.translations import catalogues


class _CatalogueTranslation(p.SingletonPlugin):
    """Serve the catalogue named by ``catalogue_key`` to Flask-Babel."""

    p.implements(p.ITranslation)

    catalogue_key = ""

    # ITranslation

    def i18n_directory(self) -> str:
        return str(catalogues.get(self.catalogue_key).directory)

    def i18n_locales(self) -> list[str]:
        return catalogues.get(self.catalogue_key).locales()

    def i18n_domain(self) -> str:
        return catalogues.get(self.catalogue_key).domain


class CoreTranslation(_CatalogueTranslation):
    """The ``ckan`` domain: CKAN core and its bundled plugins (activity)."""

    catalogue_key = "core"


class HarvestTranslation(_CatalogueTranslation):
    """The ``ckanext-harvest`` domain, and the titles of its search facets.

    ckanext-harvest 1.6.3 replaces the facets of the ``harvest`` dataset
    type with the bare English titles "Frequency" and "Type", which no
    template passes through gettext. IFacets runs in ``ckan.plugins`` order,
    so this plugin, listed after ``harvest``, translates those titles.
    """

    p.implements(p.IFacets, inherit=True)

    catalogue_key = "harvest"

    # IFacets

    def dataset_facets(
        self, facets_dict: dict[str, Any], package_type: str
    ) -> dict[str, Any]:
        return _translated_titles(facets_dict, package_type)

    def organization_facets(
        self, facets_dict: dict[str, Any], organization_type: str, package_type: str
    ) -> dict[str, Any]:
        return _translated_titles(facets_dict, package_type)


def _translated_titles(
    facets_dict: dict[str, Any], package_type: str
) -> dict[str, Any]:
    if package_type != "harvest":
        return facets_dict
    for key, title in facets_dict.items():
        facets_dict[key] = tk._(title)
    return facets_dict


class DcatTranslation(_CatalogueTranslation):
    """The ``ckanext-dcat`` domain."""

    catalogue_key = "dcat"


class SchemingTranslation(_CatalogueTranslation):
    """The messages of ckanext-scheming's templates and validators."""

    catalogue_key = "scheming"


class SpatialTranslation(_CatalogueTranslation):
    """The messages of ckanext-spatial's templates and map widgets."""

    catalogue_key = "spatial"
