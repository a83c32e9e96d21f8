"""Crawl the site in a browser in Indonesian and look for English leftovers.

Headless Chromium visits the main pages as an anonymous visitor, as an
editor of an SKPD and as a sysadmin. A page fails when one of its visible
text nodes (or an input's placeholder) is the English source of a message
that one of the loaded Indonesian catalogues translates differently: the
text reached the page without going through the catalogue. A screenshot of
every page is kept under ``test-artifacts/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.skpd.translations import catalogues
from tests.browser_fixtures import log_in, save_screenshot

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "RahasiaSekali123"
# Letters a message must keep outside its placeholders before its English
# text is matched as a pattern. "{actor} {activity_type}" would otherwise
# match any text.
MIN_LITERAL_LETTERS = 4

VISIBLE_TEXT = """
() => {
  const isVisible = (el) => el && el.checkVisibility({
    checkOpacity: true, checkVisibilityCSS: true});
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    const el = node.parentElement;
    if (!text || !el || el.closest("script, style, noscript, template, code, pre")) {
      continue;
    }
    const box = el.closest("option, optgroup") ? el.closest("select") : el;
    if (isVisible(box)) {
      texts.push(text);
    }
  }
  const fields = document.querySelectorAll("input[placeholder], textarea[placeholder]");
  for (const el of fields) {
    if (isVisible(el) && el.placeholder.trim()) {
      texts.push(el.placeholder.replace(/\\s+/g, " ").trim());
    }
  }
  return texts;
}
"""

_PLACEHOLDER = re.compile(
    r"%\([^)]*\)[#0+-]?\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[^{}\s]*\}"
)
# Placeholders that only ever stand for a number.
_NUMBER = re.compile(r"%\((?:num|count|number)\)[sd]|%d|\{(?:num|count|number|n)\}")


@dataclass(frozen=True)
class EnglishSources:
    """The English texts the catalogues translate into something else."""

    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]

    def match(self, text: str) -> str | None:
        if text in self.exact:
            return text
        for pattern in self.patterns:
            if pattern.fullmatch(text):
                return pattern.pattern
        return None


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pattern(source: str) -> str:
    """Return a regular expression matching ``source`` with any values filled in."""
    pattern = ""
    position = 0
    for placeholder in _PLACEHOLDER.finditer(source):
        pattern += re.escape(source[position : placeholder.start()])
        pattern += r"[\d.,]+" if _NUMBER.fullmatch(placeholder.group()) else ".+?"
        position = placeholder.end()
    return pattern + re.escape(source[position:])


def _english_sources() -> EnglishSources:
    paths = [catalogue.po_path() for catalogue in catalogues.CATALOGUES]
    paths.append(ROOT / "i18n" / "id" / "LC_MESSAGES" / "ckanext-skpd.po")
    exact: set[str] = set()
    patterns: dict[str, re.Pattern[str]] = {}
    for path in paths:
        for entry in polib.pofile(str(path)):
            if not catalogues.is_translated(entry):
                continue
            translation = _normalise(catalogues.translation_text(entry))
            for source in filter(None, (entry.msgid, entry.msgid_plural)):
                source = _normalise(source)
                if source == translation or "<" in source:
                    continue
                if not _PLACEHOLDER.search(source):
                    exact.add(source)
                    continue
                literal = _PLACEHOLDER.sub("", source)
                if sum(char.isalpha() for char in literal) < MIN_LITERAL_LETTERS:
                    continue
                patterns[source] = re.compile(_pattern(source))
    return EnglishSources(frozenset(exact), tuple(patterns.values()))


@pytest.fixture(scope="module")
def english() -> EnglishSources:
    return _english_sources()


@pytest.fixture
def site(disdukcapil: dict[str, Any], dinkes: dict[str, Any]) -> dict[str, Any]:
    """Create the data the crawled pages show, and the users who see them."""
    editor = factories.User(name="editor-dinkes", password=PASSWORD)
    call_action(
        "organization_member_create",
        id=dinkes["id"],
        username=editor["name"],
        role="editor",
    )
    sysadmin = factories.Sysadmin(name="admin-kominfo", password=PASSWORD)
    group = factories.Group(name="kesehatan-masyarakat", title="Kesehatan masyarakat")
    context = {"user": sysadmin["name"]}
    population = call_action(
        "package_create",
        context=context,
        name="penduduk-per-kecamatan",
        title="Penduduk per kecamatan",
        notes="Jumlah penduduk menurut kecamatan dan jenis kelamin.",
        owner_org=disdukcapil["id"],
        collection_method="routine_periodic",
        cadence="annual",
        availability_forms=["sim_database"],
        tag_string="penduduk,kependudukan",
        groups=[{"name": group["name"]}],
        resources=[
            {
                "name": "Tabel penduduk",
                "url": "http://127.0.0.1/penduduk.csv",
                "format": "CSV",
            }
        ],
    )
    visits = call_action(
        "package_create",
        context=context,
        name="kunjungan-puskesmas",
        title="Kunjungan puskesmas",
        owner_org=dinkes["id"],
        collection_method="routine_periodic",
        cadence="monthly",
        lineage=[{"upstream": population["id"], "relation": "validated_against"}],
    )
    source = call_action(
        "harvest_source_create",
        context=context,
        name="katalog-dinkes",
        title="Katalog Dinas Kesehatan",
        url="http://127.0.0.1:9/data.json",
        source_type="skpd_datajson",
        owner_org=dinkes["id"],
    )
    return {
        "editor": editor,
        "sysadmin": sysadmin,
        "group": group,
        "population": population,
        "resource": population["resources"][0],
        "visits": visits,
        "source": source,
        "dinkes": dinkes,
        "disdukcapil": disdukcapil,
    }


def _anonymous_pages(site: dict[str, Any]) -> list[str]:
    population = site["population"]["name"]
    return [
        "/",
        "/dataset/",
        f"/dataset/?organization={site['disdukcapil']['name']}&tags=penduduk",
        f"/dataset/{population}",
        f"/dataset/{population}/resource/{site['resource']['id']}",
        f"/dataset/activity/{population}",
        f"/dataset/groups/{population}",
        "/organization/",
        f"/organization/{site['disdukcapil']['name']}",
        f"/organization/about/{site['disdukcapil']['name']}",
        "/group/",
        f"/group/{site['group']['name']}",
        "/about",
        "/user/login",
        "/user/reset",
        "/harvest",
        f"/dataset/{site['visits']['name']}/lineage",
        f"/organization/{site['dinkes']['name']}/integration",
        "/skpd/flows",
        "/skpd/authority",
    ]


def _editor_pages(site: dict[str, Any]) -> list[str]:
    editor = site["editor"]["name"]
    visits = site["visits"]["name"]
    return [
        "/dashboard/",
        "/dashboard/datasets",
        "/dashboard/organizations",
        "/dashboard/groups",
        f"/user/{editor}",
        f"/user/edit/{editor}",
        f"/user/{editor}/api-tokens",
        "/dataset/new",
        f"/dataset/edit/{visits}",
        f"/dataset/{visits}/resource/new",
        f"/dataset/{visits}",
        f"/organization/{site['dinkes']['name']}",
    ]


def _sysadmin_pages(site: dict[str, Any]) -> list[str]:
    source = site["source"]["name"]
    dinkes = site["dinkes"]["name"]
    return [
        "/ckan-admin/",
        "/ckan-admin/config",
        "/ckan-admin/trash",
        "/user/",
        "/organization/new",
        f"/organization/edit/{dinkes}",
        f"/organization/members/{dinkes}",
        f"/organization/member_new/{dinkes}",
        "/group/new",
        f"/group/edit/{site['group']['name']}",
        "/harvest",
        "/harvest/new",
        f"/harvest/{source}",
        f"/harvest/about/{source}",
        f"/harvest/admin/{source}",
        f"/harvest/edit/{source}",
        f"/dataset/edit/{site['population']['name']}",
        f"/dataset/{site['population']['name']}/resource/{site['resource']['id']}/edit",
        "/skpd/flows",
        "/skpd/authority",
    ]


def _slug(path: str) -> str:
    """Name a page's screenshot, the same in every run (ids left out)."""
    path = re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "id", path
    )
    return path.strip("/") or "home"


def _crawl(
    page: Any, base_url: str, role: str, paths: list[str], english: EnglishSources
) -> dict[str, list[str]]:
    """Visit ``paths``; return, per page, its problems (English text, errors)."""
    problems: dict[str, list[str]] = {}
    for path in paths:
        response = page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        save_screenshot(page, f"i18n-crawl-{role}-{_slug(path)}")

        found = []
        if response is None or response.status >= 400:
            found.append(f"HTTP {response.status if response else 'no response'}")
        for text in page.evaluate(VISIBLE_TEXT):
            source = english.match(text)
            if source is not None:
                found.append(f"{text!r} (message {source!r})")
        if found:
            problems[path] = sorted(set(found))
    return problems


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestCrawlInIndonesian:
    def test_anonymous_pages(self, live_site, browser_page, site, english):
        """A visitor's pages show no English catalogue message."""
        problems = _crawl(
            browser_page, live_site, "anonymous", _anonymous_pages(site), english
        )

        assert problems == {}

    def test_editor_pages(self, live_site, browser_page, site, english):
        """An SKPD editor's pages show no English catalogue message."""
        log_in(browser_page, live_site, site["editor"]["name"], PASSWORD)

        problems = _crawl(
            browser_page, live_site, "editor", _editor_pages(site), english
        )

        assert problems == {}

    def test_sysadmin_pages(self, live_site, browser_page, site, english):
        """A sysadmin's pages show no English catalogue message."""
        log_in(browser_page, live_site, site["sysadmin"]["name"], PASSWORD)

        problems = _crawl(
            browser_page, live_site, "sysadmin", _sysadmin_pages(site), english
        )

        assert problems == {}


def test_english_sources_match():
    """The English sources match exact texts and placeholder patterns only."""
    sources = _english_sources()

    assert sources.match("Order by") == "Order by"
    assert sources.match("3 datasets found") is not None
    assert sources.match("Semua Dataset") is None
    assert sources.match("Urutkan menurut") is None
    assert sources.match("Penduduk per kecamatan") is None
