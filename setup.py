"""Packaging of ckanext-skpd.

The top-level schemas/ and i18n/ folders are installed as the packages
ckanext.skpd.schemas and ckanext.skpd.i18n, so an installed copy finds
its scheming schemas and compiled translations next to its code.
"""

import pathlib

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """Compile the gettext catalogues of i18n/ into the built package."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        target = pathlib.Path(self.build_lib, "ckanext", "skpd", "i18n")
        for po_path in pathlib.Path("i18n").glob("**/LC_MESSAGES/*.po"):
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            mo_path = target / po_path.relative_to("i18n").with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)

setup(
    name="ckanext-skpd",
    version="0.1.0",
    description=(
        "CKAN extension for the data-integration catalogue of an Indonesian "
        "city or regency government (SKPD/OPD inventory, lineage and exchange)"
    ),
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=find_packages(include=["ckanext", "ckanext.skpd", "ckanext.skpd.*"])
    + ["ckanext.skpd.schemas", "ckanext.skpd.i18n"],
    package_dir={
        "ckanext.skpd.schemas": "schemas",
        "ckanext.skpd.i18n": "i18n",
    },
    package_data={
        "ckanext.skpd": [
            "templates/**/*.html",
            "assets/**/*",
            "public/**/*",
            "config_declaration.yaml",
            "demo/*.json",
            "migration/*/alembic.ini",
            "migration/*/env.py",
            "migration/*/script.py.mako",
            "migration/*/versions/*.py",
        ],
        "ckanext.skpd.schemas": ["*.yaml"],
        "ckanext.skpd.i18n": [
            "*.pot",
            "*/LC_MESSAGES/*.po",
            "*/LC_MESSAGES/*.mo",
            # The completed stock catalogues (ckanext.skpd.translations).
            "core/*.pot",
            "core/*/LC_MESSAGES/*.po",
            "extensions/*/*.pot",
            "extensions/*/*/LC_MESSAGES/*.po",
        ],
    },
    include_package_data=False,
    zip_safe=False,
    cmdclass={"build_py": BuildWithCatalogues},
    entry_points={
        "ckan.plugins": [
            "skpd = ckanext.skpd.plugin:SkpdPlugin",
            "skpd_datajson = ckanext.skpd.harvesters.datajson:SkpdDataJsonHarvester",
            "skpd_spreadsheet = ckanext.skpd.harvesters.spreadsheet:SkpdSpreadsheetHarvester",
            "skpd_ckan = ckanext.skpd.harvesters.ckan:SkpdCkanHarvester",
            "skpd_waf = ckanext.skpd.harvesters.iso:SkpdWafHarvester",
            "skpd_dcat_rdf = ckanext.skpd.harvesters.rdf:SkpdDcatRdfHarvester",
            "skpd_i18n_core = ckanext.skpd.translations.plugins:CoreTranslation",
            "skpd_i18n_harvest = ckanext.skpd.translations.plugins:HarvestTranslation",
            "skpd_i18n_dcat = ckanext.skpd.translations.plugins:DcatTranslation",
            "skpd_i18n_scheming = ckanext.skpd.translations.plugins:SchemingTranslation",
            "skpd_i18n_spatial = ckanext.skpd.translations.plugins:SpatialTranslation",
        ],
        "ckan.rdf.profiles": [
            "skpd_dcat_ap = ckanext.skpd.interop.rdf:SkpdDCATAPProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
