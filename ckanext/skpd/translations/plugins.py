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

import ckan.plugins as p

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
    """The ``ckanext-harvest`` domain."""

    catalogue_key = "harvest"


class DcatTranslation(_CatalogueTranslation):
    """The ``ckanext-dcat`` domain."""

    catalogue_key = "dcat"


class SchemingTranslation(_CatalogueTranslation):
    """The messages of ckanext-scheming's templates and validators."""

    catalogue_key = "scheming"


class SpatialTranslation(_CatalogueTranslation):
    """The messages of ckanext-spatial's templates and map widgets."""

    catalogue_key = "spatial"
