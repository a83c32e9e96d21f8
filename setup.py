"""Packaging of ckanext-skpd.

The top-level schemas/ and i18n/ folders are installed as the packages
ckanext.skpd.schemas and ckanext.skpd.i18n, so an installed copy finds
its scheming schemas and compiled translations next to its code.
"""

from setuptools import setup

setup(
    name="ckanext-skpd",
    version="0.1.0",
    description=(
        "CKAN extension for the data-integration catalogue of an Indonesian "
        "city or regency government (SKPD/OPD inventory, lineage and exchange)"
    ),
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=[
        "ckanext",
        "ckanext.skpd",
        "ckanext.skpd.logic",
        "ckanext.skpd.harvesters",
        "ckanext.skpd.schemas",
        "ckanext.skpd.i18n",
    ],
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
        ],
        "ckanext.skpd.schemas": ["*.yaml"],
        "ckanext.skpd.i18n": ["*.pot", "*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo"],
    },
    include_package_data=False,
    zip_safe=False,
    entry_points={
        "ckan.plugins": [
            "skpd = ckanext.skpd.plugin:SkpdPlugin",
            "skpd_datajson = ckanext.skpd.harvesters.datajson:SkpdDataJsonHarvester",
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
