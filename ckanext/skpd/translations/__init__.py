"""Indonesian catalogues for CKAN core and the stock extensions the site runs.

CKAN 2.12 ships an incomplete Indonesian catalogue for its own ``ckan``
domain, and ckanext-harvest, ckanext-dcat, ckanext-scheming and
ckanext-spatial ship none. This package loads the complete catalogues kept
in the project's ``i18n/core`` and ``i18n/extensions`` folders.

- ``plugins.py``: one small ``ITranslation`` plugin per gettext domain.
- ``catalogues.py``: the registry of the catalogues and the checks their
  entries must pass.
- ``tool.py``: the maintenance tool. It extracts templates from the
  installed packages, merges them and reports untranslated messages.
"""
