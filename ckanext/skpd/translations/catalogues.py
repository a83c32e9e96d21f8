"""The stock catalogues the project completes, and the checks on their entries.

Each catalogue is one gettext domain kept under the top-level ``i18n/``
folder (installed as ``ckanext.skpd.i18n``)::

    i18n/core/ckan.pot                               template
    i18n/core/id/LC_MESSAGES/ckan.po                 Indonesian catalogue
    i18n/extensions/harvest/ckanext-harvest.pot
    i18n/extensions/harvest/id/LC_MESSAGES/ckanext-harvest.po
    ...

The project's own ``ckanext-skpd`` domain lives in ``i18n/<lang>/`` and is
not listed here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib

import ckanext.skpd.i18n as i18n_package

LANGUAGE = "id"
I18N_ROOT = Path(i18n_package.__file__).resolve().parent


@dataclass(frozen=True)
class Catalogue:
    """One gettext domain of an installed distribution, translated here.

    :param key: short name, used in plugin names and on the command line
    :param domain: the gettext domain the distribution's code uses
    :param folder: the catalogue folder, relative to ``I18N_ROOT``
    :param distribution: the pip distribution whose strings are translated
    :param packages: folders (relative to site-packages) whose Python,
        JavaScript and template files hold the strings
    :param shipped_templates: the distribution's own ``.pot`` files
        (relative to site-packages), merged with the extracted strings
    :param bundled_extensions: also extract from every ``ckanext/<name>``
        folder the distribution installs, except the ``example_*`` ones
    :param runtime_messages: ``(msgid, msgid_plural)`` pairs (plural empty
        for a singular message) that code assembles at run time before
        calling gettext, so no extractor finds them
    """

    key: str
    domain: str
    folder: str
    distribution: str
    packages: tuple[str, ...]
    shipped_templates: tuple[str, ...] = ()
    bundled_extensions: bool = False
    runtime_messages: tuple[tuple[str, str], ...] = ()

    @property
    def directory(self) -> Path:
        return I18N_ROOT / self.folder

    @property
    def template_path(self) -> Path:
        return self.directory / f"{self.domain}.pot"

    def po_path(self, language: str = LANGUAGE) -> Path:
        return self.directory / language / "LC_MESSAGES" / f"{self.domain}.po"

    def mo_path(self, language: str = LANGUAGE) -> Path:
        return self.po_path(language).with_suffix(".mo")

    def locales(self) -> list[str]:
        """Return the languages that have a catalogue in this folder."""
        if not self.directory.is_dir():
            return []
        return sorted(
            child.name
            for child in self.directory.iterdir()
            if (child / "LC_MESSAGES").is_dir()
        )


CATALOGUES: tuple[Catalogue, ...] = (
    # The activity plugin ships inside CKAN and uses the ckan domain, so its
    # strings are part of the core catalogue.
    Catalogue(
        key="core",
        domain="ckan",
        folder="core",
        distribution="ckan",
        packages=("ckan",),
        shipped_templates=("ckan/i18n/ckan.pot",),
        bundled_extensions=True,
        # The activity-type filter prints the type codes of
        # ckanext/activity/logic/validators.py title-cased. The project's
        # templates/snippets/activity_type_selector.html passes that text
        # through gettext.
        runtime_messages=tuple(
            (f"{verb} {noun}", "")
            for noun, verbs in (
                ("Package", ("New", "Changed", "Deleted")),
                ("Dataset", ("Follow",)),
                ("Resource View", ("New", "Changed", "Deleted")),
                ("User", ("New", "Changed", "Follow")),
                ("Group", ("New", "Changed", "Deleted", "Follow")),
                ("Organization", ("New", "Changed", "Deleted", "Follow")),
            )
            for verb in verbs
        ),
    ),
    Catalogue(
        key="harvest",
        domain="ckanext-harvest",
        folder="extensions/harvest",
        distribution="ckanext-harvest",
        packages=("ckanext/harvest",),
        shipped_templates=("ckanext/harvest/i18n/ckanext-harvest.pot",),
        # CKAN 2.12's snippets/search_result_text.html builds these from the
        # dataset type ("harvest") for the harvest source search page.
        runtime_messages=(
            ("{number} harvest found", "{number} harvests found"),
            (
                '{number} harvest found for "{query}"',
                '{number} harvests found for "{query}"',
            ),
            ("No harvests found", ""),
            ('No harvests found for "{query}"', ""),
        ),
    ),
    Catalogue(
        key="dcat",
        domain="ckanext-dcat",
        folder="extensions/dcat",
        distribution="ckanext-dcat",
        packages=("ckanext/dcat",),
        shipped_templates=("ckanext/dcat/i18n/ckanext-dcat.pot",),
    ),
    # ckanext-scheming and ckanext-spatial have no ITranslation plugin and
    # no catalogue of their own. Their templates call _(), which looks the
    # message up in the merged catalogue of all loaded domains, so the
    # domain names below only name the files.
    Catalogue(
        key="scheming",
        domain="ckanext-scheming",
        folder="extensions/scheming",
        distribution="ckanext-scheming",
        packages=("ckanext/scheming",),
    ),
    Catalogue(
        key="spatial",
        domain="ckanext-spatial",
        folder="extensions/spatial",
        distribution="ckanext-spatial",
        packages=("ckanext/spatial",),
    ),
)


def get(key: str) -> Catalogue:
    """Return the catalogue named ``key``, raising KeyError for an unknown one."""
    for catalogue in CATALOGUES:
        if catalogue.key == key:
            return catalogue
    raise KeyError(key)


# printf-style directives (%s, %(name)s, %d, %.2f) and the literal %%.
# A space is not accepted as a flag, so "50% of" is plain text.
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0+-]?\d*(?:\.\d+)?[sdifrxXeEgGcu]|%%")
# str.format fields ({}, {0}, {name}, {name!r}) and the escaped braces.
_BRACE = re.compile(r"\{\{|\}\}|\{[^{}\s]*\}")
# HTML tags (with their attributes) and character references.
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|&[A-Za-z]+;|&#\d+;")
# Attributes whose values are text for the reader, which a translation
# translates. Their values are left out of the comparison.
_TEXT_ATTRIBUTE = re.compile(r'\b(title|alt|aria-label|placeholder)="[^"]*"')


def placeholders(text: str) -> Counter[str]:
    """Return the placeholders and markup of ``text`` with their counts.

    A translation must carry exactly the same multiset as its source text,
    in any order.
    """
    markup = [_TEXT_ATTRIBUTE.sub(r'\1="..."', tag) for tag in _MARKUP.findall(text)]
    return Counter(_PRINTF.findall(text) + _BRACE.findall(text) + markup)


def _compare(source: str, translation: str) -> list[str]:
    expected = placeholders(source)
    found = placeholders(translation)
    if expected == found:
        return []

    missing = sorted((expected - found).elements())
    unexpected = sorted((found - expected).elements())
    parts = []
    if missing:
        parts.append("missing " + " ".join(missing))
    if unexpected:
        parts.append("unexpected " + " ".join(unexpected))
    return ["; ".join(parts)]


def _edges(source: str, translation: str) -> list[str]:
    problems = []
    if source.startswith("\n") != translation.startswith("\n"):
        problems.append("leading newline differs from the source")
    if source.endswith("\n") != translation.endswith("\n"):
        problems.append("trailing newline differs from the source")
    return problems


def entry_problems(entry: polib.POEntry) -> list[str]:
    """Return what is wrong with the translation of one entry (empty if fine).

    For a plural entry each form is compared with ``msgid_plural``. With
    Indonesian's single plural form, form 0 is used for every count, so it
    must carry the placeholders of the plural source (``{count}`` and the
    like). In every catalogue here those include the singular's.
    """
    if entry.msgid_plural:
        problems = []
        for index, text in sorted(entry.msgstr_plural.items()):
            if not text:
                continue
            for problem in _compare(entry.msgid_plural, text) + _edges(
                entry.msgid_plural, text
            ):
                problems.append(f"msgstr[{index}]: {problem}")
        return problems

    if not entry.msgstr:
        return []
    return _compare(entry.msgid, entry.msgstr) + _edges(entry.msgid, entry.msgstr)


def is_translated(entry: polib.POEntry) -> bool:
    """Return whether the entry has a complete, non-fuzzy translation."""
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        values = list(entry.msgstr_plural.values())
        return bool(values) and all(values)
    return bool(entry.msgstr)


def entry_key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def translation_text(entry: polib.POEntry) -> str:
    """Return the Indonesian text of an entry (form 0 of a plural entry)."""
    if entry.msgid_plural:
        return entry.msgstr_plural.get(0, "") or ""
    return entry.msgstr
