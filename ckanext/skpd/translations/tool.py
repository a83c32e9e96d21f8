"""Maintain the stock catalogues: templates, merging, work files, reports.

Run with the site's Python (``scripts/i18n.sh`` wraps the common calls)::

    python -m ckanext.skpd.translations.tool update [KEY...]
    python -m ckanext.skpd.translations.tool report [KEY...]
    python -m ckanext.skpd.translations.tool check [KEY...]
    python -m ckanext.skpd.translations.tool reuse [KEY...]
    python -m ckanext.skpd.translations.tool todo KEY WORKFILE [--all] [--grep RE]
    python -m ckanext.skpd.translations.tool fill KEY WORKFILE TRANSLATIONS

``update`` collects the messages the installed packages use: their own
``.pot`` plus a fresh extraction of their code and templates, because a
released ``.pot`` can lag behind the code. It writes the template of each
catalogue and merges it into the Indonesian ``.po``. ``report`` does the
same comparison without writing anything and exits with status 1 when an
installed package uses a message the catalogue does not translate: run it
after upgrading CKAN or an extension.

``todo`` writes the untranslated entries of a catalogue to a numbered work
file; the translator writes the translations in a second file of ``@@ N``
blocks::

    @@ 1
    Dataset tidak ditemukan
    @@ 2
    Tambah sumber daya

and ``fill`` merges them back. It rejects any translation whose
placeholders or markup differ from the source.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import io
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import polib
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import write_po

from ckanext.skpd.translations import catalogues
from ckanext.skpd.translations.catalogues import Catalogue

JINJA = "ckan.lib.extract:extract_ckan"
# The order matters: the first matching pattern decides.
METHOD_MAP = [
    ("**/tests/**", "ignore"),
    ("**/test/**", "ignore"),
    ("**/vendor/**", "ignore"),
    ("**/templates/importer/**", "ignore"),
    ("**.py", "python"),
    ("**.js", "javascript"),
    ("**/templates/**.html", JINJA),
    ("**/templates/**.txt", JINJA),
    ("**/templates-midnight-blue/**.html", JINJA),
]
HEADER = {
    "Language": catalogues.LANGUAGE,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
    "Language-Team": "ckanext-skpd <Indonesian>",
    "Last-Translator": "ckanext-skpd",
}
HEADER_COMMENT = (
    "Indonesian catalogue of the {domain} gettext domain, completed by\n"
    "ckanext-skpd. Terms follow docs/glossary-id.md of that project.\n"
)


# Templates ------------------------------------------------------------------


def site_packages(catalogue: Catalogue) -> Path:
    """Return the folder the catalogue's distribution is installed in."""
    dist = importlib.metadata.distribution(catalogue.distribution)
    return Path(str(dist.locate_file(""))).resolve()


def distribution_version(catalogue: Catalogue) -> str:
    return importlib.metadata.version(catalogue.distribution)


def source_folders(catalogue: Catalogue) -> list[str]:
    """Return the folders (relative to site-packages) to extract from."""
    folders = list(catalogue.packages)
    if catalogue.bundled_extensions:
        files = importlib.metadata.distribution(catalogue.distribution).files or []
        bundled = {
            f"ckanext/{path.parts[1]}"
            for path in files
            if len(path.parts) > 2
            and path.parts[0] == "ckanext"
            and not path.parts[1].startswith(("example_", "_"))
        }
        folders.extend(sorted(bundled))
    return folders


def _extracted(
    site: Path, folder: str
) -> Iterator[tuple[str, int, object, str | None]]:
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(site / folder), METHOD_MAP, keywords=DEFAULT_KEYWORDS
    ):
        yield f"{folder}/{filename}", lineno, message, context


def build_template(catalogue: Catalogue) -> polib.POFile:
    """Return the template of every message the installed distribution uses."""
    site = site_packages(catalogue)
    catalog = Catalog(
        project=catalogue.distribution,
        version=distribution_version(catalogue),
        domain=catalogue.domain,
        charset="utf-8",
        fuzzy=False,
    )
    for folder in source_folders(catalogue):
        for location, lineno, message, context in _extracted(site, folder):
            catalog.add(message, locations=[(location, lineno)], context=context)
    for msgid, plural in catalogue.runtime_messages:
        catalog.add(
            (msgid, plural) if plural else msgid,
            auto_comments=["Assembled at run time, found by no extractor."],
        )

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, sort_output=True, include_lineno=True)
    template = polib.pofile(buffer.getvalue().decode("utf-8"))

    known = {catalogues.entry_key(entry) for entry in template}
    for relative in catalogue.shipped_templates:
        path = site / relative
        if not path.is_file():
            continue
        for entry in polib.pofile(str(path)):
            if catalogues.entry_key(entry) not in known and not entry.obsolete:
                entry.msgstr = ""
                entry.msgstr_plural = {0: "", 1: ""} if entry.msgid_plural else {}
                template.append(entry)
                known.add(catalogues.entry_key(entry))
    return template


def _credits(header: str) -> str:
    """Keep the translator credits of the upstream catalogue's header."""
    lines = header.split("\n")
    if "Translators:" not in lines:
        return ""
    return "\n" + "\n".join(lines[lines.index("Translators:") :])


def _empty_catalogue() -> polib.POFile:
    po = polib.POFile(wrapwidth=76)
    po.metadata = dict(HEADER)
    return po


def _seed(catalogue: Catalogue) -> polib.POFile:
    """Return the existing catalogue, or the distribution's own ``id`` one."""
    path = catalogue.po_path()
    if path.is_file():
        return polib.pofile(str(path), wrapwidth=76)

    site = site_packages(catalogue)
    for relative in catalogue.shipped_templates:
        shipped = (site / relative).parent / catalogues.LANGUAGE / "LC_MESSAGES"
        candidate = shipped / f"{catalogue.domain}.po"
        if candidate.is_file():
            po = polib.pofile(str(candidate), wrapwidth=76)
            po.metadata_is_fuzzy = False
            return po
    return _empty_catalogue()


def update(catalogue: Catalogue) -> polib.POFile:
    """Write the template of ``catalogue`` and merge it into its ``.po``."""
    template = build_template(catalogue)
    catalogue.directory.mkdir(parents=True, exist_ok=True)
    template.wrapwidth = 76
    _save_if_changed(template, catalogue.template_path)

    po = _seed(catalogue)
    po.merge(template)
    for entry in po:
        # Indonesian has one plural form: keep form 0 only.
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgstr_plural.get(0, "")}
    if not po.header.strip() or "FIRST AUTHOR" in po.header:
        po.header = HEADER_COMMENT.format(domain=catalogue.domain) + _credits(po.header)
    po.metadata.update(HEADER)
    po.metadata["Project-Id-Version"] = (
        f"{catalogue.distribution} {distribution_version(catalogue)}"
    )
    po.metadata["POT-Creation-Date"] = template.metadata.get("POT-Creation-Date", "")
    po.metadata["PO-Revision-Date"] = dt.datetime.now(dt.timezone.utc).strftime(
        "%Y-%m-%d %H:%M+0000"
    )
    po.metadata.pop("Generated-By", None)
    po.metadata.pop("Report-Msgid-Bugs-To", None)
    po.metadata_is_fuzzy = False
    catalogue.po_path().parent.mkdir(parents=True, exist_ok=True)
    _save_if_changed(po, catalogue.po_path())
    return po


_DATES = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*$', re.MULTILINE)


def _save_if_changed(po: polib.POFile, path: Path) -> None:
    """Write ``po`` unless only its header dates differ from the file's."""
    text = str(po)
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if _DATES.sub("", old).strip() == _DATES.sub("", text).strip():
            return
    po.save(str(path))


# Reports --------------------------------------------------------------------


def missing_translations(
    template: Iterable[polib.POEntry], po: polib.POFile | None
) -> list[polib.POEntry]:
    """Return the template entries that ``po`` does not translate."""
    translated = set()
    if po is not None:
        translated = {
            catalogues.entry_key(entry)
            for entry in po
            if catalogues.is_translated(entry)
        }
    return [
        entry
        for entry in template
        if entry.msgid and catalogues.entry_key(entry) not in translated
    ]


def report(catalogue: Catalogue, out: io.TextIOBase) -> int:
    """Print the messages the installed package uses that ``po`` lacks."""
    template = build_template(catalogue)
    path = catalogue.po_path()
    po = polib.pofile(str(path)) if path.is_file() else None
    missing = missing_translations(template, po)
    out.write(
        f"{catalogue.key} ({catalogue.domain}, {catalogue.distribution} "
        f"{distribution_version(catalogue)}): {len(template)} messages, "
        f"{len(missing)} untranslated\n"
    )
    for entry in missing:
        where = entry.occurrences[0][0] if entry.occurrences else "?"
        out.write(f"  {where}: {entry.msgid!r}\n")
    return len(missing)


def check(catalogue_paths: Iterable[Path], out: io.TextIOBase) -> int:
    """Print the entries whose placeholders or markup differ from the source."""
    count = 0
    for path in catalogue_paths:
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            for problem in catalogues.entry_problems(entry):
                out.write(f"{path}: {entry.msgid!r}: {problem}\n")
                count += 1
    return count


# Work files -----------------------------------------------------------------


def _hash(entry: polib.POEntry) -> str:
    key = "\x04".join(catalogues.entry_key(entry))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def write_todo(
    po: polib.POFile, out: io.TextIOBase, everything: bool, pattern: str | None
) -> int:
    """Write the entries to translate as numbered blocks; return their count."""
    matcher = re.compile(pattern, re.IGNORECASE) if pattern else None
    number = 0
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        if not everything and catalogues.is_translated(entry):
            continue
        if matcher and not (
            matcher.search(entry.msgid)
            or matcher.search(catalogues.translation_text(entry))
        ):
            continue
        number += 1
        out.write(f"@@ {number} {_hash(entry)}\n")
        if entry.msgctxt:
            out.write(f"# context: {entry.msgctxt}\n")
        for line in entry.msgid.split("\n"):
            out.write(f"| {line}\n")
        if entry.msgid_plural:
            for line in entry.msgid_plural.split("\n"):
                out.write(f"|| {line}\n")
        current = catalogues.translation_text(entry)
        if current:
            for line in current.split("\n"):
                out.write(f"= {line}\n")
    return number


def _work_hashes(work: str) -> dict[int, str]:
    """Map the block numbers of a work file to their entry hashes."""
    hashes = {}
    for line in work.split("\n"):
        fields = line.split()
        if len(fields) == 3 and fields[0] == "@@" and fields[1].isdigit():
            hashes[int(fields[1])] = fields[2]
    return hashes


def _translations(text: str) -> dict[int, str]:
    """Map block numbers to the translation lines that follow ``@@ N``."""
    translations: dict[int, str] = {}
    current: int | None = None
    lines: list[str] = []
    for line in text.split("\n") + ["@@ end"]:
        if line.startswith("@@ "):
            if current is not None:
                translations[current] = "\n".join(lines).strip("\n")
            number = line.split()[1]
            current = int(number) if number.isdigit() else None
            lines = []
        elif current is not None:
            lines.append(line)
    return translations


def fill(
    po: polib.POFile, work: str, translations: str, out: io.TextIOBase
) -> tuple[int, int]:
    """Merge the translations file into ``po``; return (accepted, rejected)."""
    hashes = _work_hashes(work)
    by_hash = {_hash(entry): entry for entry in po if not entry.obsolete}
    accepted = rejected = 0
    for number, text in sorted(_translations(translations).items()):
        if not text.strip():
            continue
        entry = by_hash.get(hashes.get(number, ""))
        if entry is None:
            out.write(f"@@ {number}: no such entry in the work file\n")
            rejected += 1
            continue
        old = (entry.msgstr, dict(entry.msgstr_plural), list(entry.flags))
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        problems = catalogues.entry_problems(entry)
        if problems:
            entry.msgstr, entry.msgstr_plural, entry.flags = old
            out.write(f"@@ {number} REJECTED {entry.msgid!r}: {'; '.join(problems)}\n")
            rejected += 1
            continue
        accepted += 1
        out.write(f"@@ {number} {entry.msgid[:60]!r} -> {text[:70]!r}\n")
    return accepted, rejected


def reuse(po: polib.POFile, sources: Iterable[polib.POFile]) -> int:
    """Copy translations of identical messages from ``sources`` into ``po``.

    Flask-Babel merges every loaded domain into one catalogue, so a message
    that two catalogues share is shown with one translation only. Reusing
    the other catalogues' text keeps them identical.
    """
    known: dict[tuple[str, str], str] = {}
    for source in sources:
        for entry in source:
            if catalogues.is_translated(entry):
                text = catalogues.translation_text(entry)
                known.setdefault(catalogues.entry_key(entry), text)

    count = 0
    for entry in po:
        text = known.get(catalogues.entry_key(entry))
        if entry.obsolete or catalogues.is_translated(entry) or not text:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if catalogues.entry_problems(entry):
            entry.msgstr, entry.msgstr_plural = (
                "",
                {0: ""} if entry.msgid_plural else {},
            )
            continue
        count += 1
    return count


# Command line ---------------------------------------------------------------


def _selected(keys: list[str]) -> list[Catalogue]:
    if not keys:
        return list(catalogues.CATALOGUES)
    return [catalogues.get(key) for key in keys]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ckanext.skpd.translations.tool")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("update", "report", "check", "reuse"):
        command = commands.add_parser(name)
        command.add_argument("keys", nargs="*", metavar="KEY")
    todo = commands.add_parser("todo")
    todo.add_argument("key")
    todo.add_argument("workfile", type=Path)
    todo.add_argument("--all", action="store_true", help="include translated entries")
    todo.add_argument("--grep", help="only entries whose text matches this regex")
    merge = commands.add_parser("fill")
    merge.add_argument("key")
    merge.add_argument("workfile", type=Path)
    merge.add_argument("translations", type=Path)
    args = parser.parse_args(argv)
    out = sys.stdout

    if args.command == "update":
        for catalogue in _selected(args.keys):
            po = update(catalogue)
            out.write(
                f"{catalogue.key}: {len(po.translated_entries())} translated, "
                f"{len(po.untranslated_entries())} untranslated, "
                f"{len(po.fuzzy_entries())} fuzzy\n"
            )
        return 0
    if args.command == "report":
        total = sum(report(catalogue, out) for catalogue in _selected(args.keys))
        return 1 if total else 0
    if args.command == "reuse":
        for catalogue in _selected(args.keys):
            others = [
                polib.pofile(str(other.po_path()))
                for other in catalogues.CATALOGUES
                if other != catalogue and other.po_path().is_file()
            ]
            po = polib.pofile(str(catalogue.po_path()), wrapwidth=76)
            count = reuse(po, others)
            po.save()
            out.write(f"{catalogue.key}: {count} translations reused\n")
        return 0
    if args.command == "check":
        paths = [c.po_path() for c in _selected(args.keys) if c.po_path().is_file()]
        return 1 if check(paths, out) else 0

    catalogue = catalogues.get(args.key)
    po = polib.pofile(str(catalogue.po_path()), wrapwidth=76)
    if args.command == "todo":
        with args.workfile.open("w", encoding="utf-8") as work:
            count = write_todo(po, work, args.all, args.grep)
        out.write(f"{count} entries written to {args.workfile}\n")
        return 0

    accepted, rejected = fill(
        po,
        args.workfile.read_text(encoding="utf-8"),
        args.translations.read_text(encoding="utf-8"),
        out,
    )
    po.save()
    out.write(f"{accepted} accepted, {rejected} rejected\n")
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
