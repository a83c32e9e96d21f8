"""Every string of the extension has an Indonesian translation.

The strings are extracted from the code as ``scripts/i18n.sh update`` does
(Python, templates and JavaScript under ckanext/, with babel.cfg), and the
texts of the scheming schemas and the vocabularies are read from their
files. None of these tests needs the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from ckanext.skpd import vocab

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "ckanext-skpd"
LANGUAGES = ("id", "en")

# Schema keys whose values people read. Each is a {id, en} language dict,
# or a plain string that gettext translates through the catalogue.
TEXT_KEYS = ("label", "help_text", "form_placeholder", "repeating_label")
PAGE_KEYS = ("title", "description")


def _catalogue(lang: str) -> Catalog:
    with (ROOT / "i18n" / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po, locale=lang)


def _extracted() -> dict[str, set[str]]:
    """Return every msgid under ckanext/ with the files it comes from."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, set[str]] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "ckanext"), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, set()).add(filename)
    return found


@pytest.fixture(scope="module")
def extracted() -> dict[str, set[str]]:
    return _extracted()


@pytest.fixture(scope="module")
def indonesian() -> Catalog:
    return _catalogue("id")


def _translated(catalog: Catalog, msgid: str) -> bool:
    message = catalog.get(msgid)
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


class TestCodeStrings:
    def test_extraction_finds_every_kind_of_source(self, extracted):
        """Strings come out of Python, templates and JavaScript alike."""
        suffixes = {Path(name).suffix for names in extracted.values() for name in names}

        assert {".py", ".html", ".js"} <= suffixes

    def test_every_string_has_an_indonesian_translation(self, extracted, indonesian):
        """No string of the code lacks a finished Indonesian translation."""
        missing = sorted(
            f"{msgid!r} ({', '.join(sorted(files))})"
            for msgid, files in extracted.items()
            if not _translated(indonesian, msgid)
        )

        assert not missing, (
            "Strings without an Indonesian translation; run `make i18n-update` "
            "and fill in i18n/id/LC_MESSAGES/ckanext-skpd.po:\n  "
            + "\n  ".join(missing)
        )

    def test_every_string_is_in_the_english_catalogue(self, extracted):
        """The English catalogue lists every string too."""
        english = _catalogue("en")

        missing = sorted(msgid for msgid in extracted if english.get(msgid) is None)

        assert not missing, "Run `make i18n-update`; missing: " + ", ".join(missing)

    def test_javascript_strings_keep_their_file_in_the_template(self, extracted):
        """Strings of .js files carry a .js location in the .pot file.

        CKAN's JavaScript translation build picks the messages to send to
        the browser by that location, so without it the modules would speak
        English only.
        """
        with (ROOT / "i18n" / f"{DOMAIN}.pot").open("rb") as pot:
            template = read_po(pot)
        js_strings = {
            msgid
            for msgid, files in extracted.items()
            if any(name.endswith(".js") for name in files)
        }

        unmarked = sorted(
            msgid
            for msgid in js_strings
            if template.get(msgid) is None
            or not any(
                path.endswith(".js") for path, _ in template.get(msgid).locations
            )
        )

        assert js_strings
        assert not unmarked, "Run `make i18n-update`; unmarked: " + ", ".join(unmarked)


def _schema_texts(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield (where, text) for every text people read in a scheming schema."""
    for group in ("dataset_fields", "resource_fields", "fields"):
        for field in schema.get(group, []):
            yield from _field_texts(field, field["field_name"])


def _field_texts(field: dict[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    for key in TEXT_KEYS:
        if key in field:
            yield f"{where}.{key}", field[key]
    for key in PAGE_KEYS:
        if key in field.get("start_form_page", {}):
            yield f"{where}.start_form_page.{key}", field["start_form_page"][key]
    for choice in field.get("choices", []):
        yield f"{where}.choices.{choice['value']}", choice["label"]
    for subfield in field.get("repeating_subfields", []):
        yield from _field_texts(subfield, f"{where}.{subfield['field_name']}")


def _schema_problems(text: Any, catalog: Catalog) -> list[str]:
    if isinstance(text, dict):
        return [
            f"no {lang!r} text"
            for lang in LANGUAGES
            if not str(text.get(lang) or "").strip()
        ]
    if not _translated(catalog, str(text)):
        return [f"plain text {text!r} has no Indonesian translation in the catalogue"]
    return []


@pytest.mark.parametrize("schema_file", ["dataset.yaml", "organization.yaml"])
class TestSchemaTexts:
    def test_every_text_is_indonesian_and_english(self, schema_file, indonesian):
        """Labels, help texts, placeholders, pages and choices have both languages."""
        schema = yaml.safe_load((ROOT / "schemas" / schema_file).read_text("utf-8"))

        problems = [
            f"{where}: {problem}"
            for where, text in _schema_texts(schema)
            for problem in _schema_problems(text, indonesian)
        ]

        assert list(_schema_texts(schema))
        assert not problems, "\n".join(problems)


class TestVocabularyLabels:
    @pytest.mark.parametrize("name", sorted(vocab.VOCABULARIES))
    def test_every_term_has_both_labels(self, name):
        """Each controlled value has an Indonesian and an English label."""
        unlabelled = [
            term.code
            for term in vocab.terms(name)
            if not term.id.strip() or not term.en.strip()
        ]

        assert not unlabelled


class TestCheckCatchesGaps:
    def test_untranslated_message_is_reported(self):
        """A message missing from the catalogue, or with an empty msgstr, fails."""
        catalog = Catalog(locale="id")
        catalog.add("Translated", "Diterjemahkan")
        catalog.add("Empty", "")
        catalog.add("Fuzzy", "Kabur", flags=["fuzzy"])

        assert _translated(catalog, "Translated")
        assert not _translated(catalog, "Empty")
        assert not _translated(catalog, "Fuzzy")
        assert not _translated(catalog, "Absent")

    def test_schema_text_without_indonesian_is_reported(self, indonesian):
        """A language dict without Indonesian, or an unknown plain string, fails."""
        assert _schema_problems({"en": "Only English"}, indonesian) == ["no 'id' text"]
        assert _schema_problems("Not in any catalogue at all", indonesian)
        assert not _schema_problems({"id": "Judul", "en": "Title"}, indonesian)
