"""The gettext catalogues under i18n/: compiled, complete and consistent.

These tests read files only; they need no database, Solr or running site.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import polib
import pytest

from ckanext.skpd.translations import catalogues, tool

ROOT = Path(__file__).resolve().parents[2]
EVERY_PO = sorted((ROOT / "i18n").glob("**/LC_MESSAGES/*.po"))
# The Indonesian catalogues the site loads: the completed stock catalogues
# and the project's own domain.
INDONESIAN = [catalogue.po_path() for catalogue in catalogues.CATALOGUES] + [
    ROOT / "i18n" / "id" / "LC_MESSAGES" / "ckanext-skpd.po"
]

needs_msgfmt = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed"
)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _entry(msgid: str, msgstr: str, plural: str = "") -> polib.POEntry:
    if plural:
        return polib.POEntry(
            msgid=msgid, msgid_plural=plural, msgstr_plural={0: msgstr}
        )
    return polib.POEntry(msgid=msgid, msgstr=msgstr)


@needs_msgfmt
@pytest.mark.parametrize("path", EVERY_PO, ids=_name)
def test_msgfmt_check_passes(path, tmp_path):
    """msgfmt --check compiles the catalogue without an error."""
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


@needs_msgfmt
@pytest.mark.parametrize("path", INDONESIAN, ids=_name)
def test_msgfmt_statistics_complete(path):
    """msgfmt --statistics counts no untranslated and no fuzzy message."""
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    statistics = result.stderr.strip()

    assert re.match(r"^\d+ translated messages?\.$", statistics), statistics


@pytest.mark.parametrize("path", EVERY_PO, ids=_name)
def test_placeholders_and_markup_kept(path):
    """Every translation keeps the placeholders and markup of its source."""
    problems = [
        f"{entry.msgid!r}: {problem}"
        for entry in polib.pofile(str(path))
        if not entry.obsolete
        for problem in catalogues.entry_problems(entry)
    ]

    assert problems == []


@pytest.mark.parametrize("path", INDONESIAN, ids=_name)
def test_single_plural_form(path):
    """Indonesian catalogues declare one plural form and use only form 0."""
    po = polib.pofile(str(path))
    extra_forms = [
        entry.msgid
        for entry in po
        if entry.msgid_plural and set(entry.msgstr_plural) != {0}
    ]

    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert extra_forms == []


def test_shared_messages_translated_alike():
    """A message in several catalogues has one translation in all of them.

    Flask-Babel merges the loaded domains into one catalogue, so differing
    translations of one message would make all but one of them unreachable.
    """
    seen: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for path in INDONESIAN:
        for entry in polib.pofile(str(path)):
            if catalogues.is_translated(entry):
                seen[catalogues.entry_key(entry)][_name(path)] = (
                    catalogues.translation_text(entry)
                )
    conflicts = {
        key[1]: texts for key, texts in seen.items() if len(set(texts.values())) > 1
    }

    assert conflicts == {}


@pytest.mark.parametrize("catalogue", catalogues.CATALOGUES, ids=lambda c: c.key)
def test_installed_messages_all_translated(catalogue):
    """Every message the installed package uses has an Indonesian translation.

    This fails after an upgrade that adds messages; ``scripts/i18n.sh
    stock-update`` merges them in for translation.
    """
    template = tool.build_template(catalogue)
    po = polib.pofile(str(catalogue.po_path()))

    missing = tool.missing_translations(template, po)

    assert [entry.msgid for entry in missing] == []


class TestEntryProblems:
    def test_matching_placeholders_pass(self):
        """A translation with the same placeholders, reordered, passes."""
        entry = _entry("%(user)s edited %(title)s", "%(title)s diubah oleh %(user)s")

        assert catalogues.entry_problems(entry) == []

    def test_missing_placeholder_fails(self):
        """A dropped placeholder is reported."""
        entry = _entry("Dataset not found: %s", "Dataset tidak ditemukan")

        assert catalogues.entry_problems(entry) == ["missing %s"]

    def test_renamed_placeholder_fails(self):
        """A renamed brace field is reported as missing and unexpected."""
        entry = _entry("Hello {name}", "Halo {nama}")

        assert catalogues.entry_problems(entry) == ["missing {name}; unexpected {nama}"]

    def test_broken_placeholder_fails(self):
        """A mangled printf directive is reported."""
        entry = _entry("%(count)s datasets", "%(count) dataset")

        assert catalogues.entry_problems(entry) == ["missing %(count)s"]

    def test_changed_markup_fails(self):
        """A link whose href changed is reported."""
        entry = _entry(
            'See <a href="%(url)s">docs</a>', 'Lihat <a href="#">dokumen</a>'
        )

        problems = catalogues.entry_problems(entry)

        assert len(problems) == 1
        assert problems[0].startswith('missing %(url)s <a href="%(url)s">')

    def test_title_attribute_translatable(self):
        """The text of a title attribute may be translated."""
        entry = _entry(
            '<a href="#m" title="Quick help">Help</a>',
            '<a href="#m" title="Bantuan">Bantuan</a>',
        )

        assert catalogues.entry_problems(entry) == []

    def test_plural_needs_count(self):
        """The single Indonesian form must keep the plural's placeholder."""
        entry = _entry("One dataset", "Satu dataset", plural="{count} datasets")

        assert catalogues.entry_problems(entry) == ["msgstr[0]: missing {count}"]

    def test_percent_sign_is_text(self):
        """A percent sign followed by a space is not a placeholder."""
        entry = _entry("50% of rows", "50% baris")

        assert catalogues.entry_problems(entry) == []

    def test_trailing_newline_kept(self):
        """A translation must keep the source's trailing newline."""
        entry = _entry("Line\n", "Baris")

        assert catalogues.entry_problems(entry) == [
            "trailing newline differs from the source"
        ]


class TestMissingTranslations:
    def test_new_message_reported(self):
        """A template message absent from the catalogue is reported."""
        po = polib.POFile()
        po.append(_entry("Old message", "Pesan lama"))
        template = [_entry("Old message", ""), _entry("New message", "")]

        missing = tool.missing_translations(template, po)

        assert [entry.msgid for entry in missing] == ["New message"]

    def test_fuzzy_message_reported(self):
        """A fuzzy translation counts as missing."""
        po = polib.POFile()
        fuzzy = _entry("Changed message", "Pesan berubah")
        fuzzy.flags.append("fuzzy")
        po.append(fuzzy)

        missing = tool.missing_translations([_entry("Changed message", "")], po)

        assert [entry.msgid for entry in missing] == ["Changed message"]


@needs_msgfmt
@pytest.mark.parametrize("path", EVERY_PO, ids=_name)
def test_compiled_catalogue_current(path, tmp_path):
    """The .mo the site loads was compiled from the current .po.

    Fails after a .po edit without ``scripts/i18n.sh compile``, when the
    site would still show the old translations.
    """
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(path)], check=True)
    compiled = path.with_suffix(".mo")

    assert compiled.is_file(), f"{compiled} missing; run scripts/i18n.sh compile"
    assert (
        compiled.read_bytes() == fresh.read_bytes()
    ), f"{compiled} is older than its .po; run scripts/i18n.sh compile"


def test_report_lists_untranslated_message(tmp_path):
    """The upgrade report names a used message the catalogue lacks."""
    spatial = catalogues.get("spatial")
    copy = catalogues.Catalogue(
        key="spatial-copy",
        domain=spatial.domain,
        folder=str(tmp_path),
        distribution=spatial.distribution,
        packages=spatial.packages,
    )
    po = polib.pofile(str(spatial.po_path()))
    po.remove(next(entry for entry in po if entry.msgid == "Draw an extent"))
    copy.po_path().parent.mkdir(parents=True)
    po.save(str(copy.po_path()))
    out = io.StringIO()

    count = tool.report(copy, out)

    assert count == 1
    assert "'Draw an extent'" in out.getvalue()
