"""The web interface in headless Chromium, against the live test site.

Every test keeps a screenshot of each page it visits in test-artifacts/
(named ui-<test>-<step>.png).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from ckan.tests.helpers import call_action
from playwright.sync_api import expect

from tests.browser_fixtures import log_in, save_screenshot
from tests.ui.conftest import EDITOR_PASSWORD

# Controls without an accessible name: no <label for>, no wrapping label,
# no aria-label or aria-labelledby with text, no title. Hidden inputs and
# controls that are not rendered are left out.
UNLABELLED_CONTROLS_JS = """
() => {
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/);
    const text = (id) => (document.getElementById(id)?.textContent || '').trim();
    if (ids.some((id) => id && text(id))) return true;
    if ([...(el.labels || [])].some((label) => label.textContent.trim())) return true;
    return Boolean((el.getAttribute('title') || '').trim());
  };
  const rendered = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  return [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && rendered(el) && !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
}
"""

# Number the focusable controls of the dataset form in document order, as
# data-skpd-tab, and return their numbers and descriptions. select2 draws
# its own focusable element and hides the original control.
MARK_FORM_CONTROLS_JS = """
() => [...document.querySelectorAll(
    '#dataset-edit input, #dataset-edit select, #dataset-edit textarea, '
    + '#dataset-edit button, #dataset-edit a[href], #dataset-edit [tabindex]')]
  .filter((el) => el.type !== 'hidden' && !el.disabled && el.tabIndex >= 0
    && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .map((el, index) => {
    el.dataset.skpdTab = String(index);
    return [String(index), el.id || el.getAttribute('name') || el.className];
  })
"""

ACTIVE_JS = "() => document.activeElement?.dataset?.skpdTab || ''"


def _shot(page: Any, request: pytest.FixtureRequest, step: str) -> None:
    save_screenshot(page, f"ui-{request.node.name}-{step}")


def _next(page: Any) -> None:
    with page.expect_navigation():
        page.click("#dataset-edit button.btn-primary[type=submit]")


def _facet(page: Any, title: str) -> Any:
    heading = page.locator("h2.module-heading", has_text=title)
    return page.locator("section.module", has=heading)


def _error_next_to(page: Any, field_id: str) -> str:
    group = page.locator(f".form-group:has(#{field_id})")
    return group.locator(".error-block").inner_text()


@pytest.fixture
def annual_health_dataset(catalogue: dict[str, Any]) -> dict[str, Any]:
    """A second dataset of the health office, collected yearly."""
    return call_action(
        "package_create",
        context={
            "user": call_action("get_site_user", context={"ignore_auth": True})["name"]
        },
        name="tenaga-kesehatan",
        title="Tenaga kesehatan per puskesmas",
        owner_org=catalogue["dinkes"]["id"],
        collection_method="routine_periodic",
        cadence="annual",
        domains=["health_services"],
    )


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestPublicBrowsing:
    def test_visitor_browses_filters_and_opens_a_dataset(
        self, live_site, browser_page, request, catalogue, annual_health_dataset
    ):
        """Home page, filter by an SKPD and a cadence facet, open the dataset."""
        page = browser_page
        page.goto(live_site + "/")
        _shot(page, request, "1-home")
        skpd = page.locator(".skpd-home-skpd tbody tr", has_text="Dinas Kesehatan")
        assert skpd.locator(".skpd-count").inner_text().strip() == "2"
        assert (
            page.locator(".skpd-domain-list li", has_text="Layanan kesehatan")
            .locator(".skpd-count")
            .inner_text()
            == "2"
        )

        page.click("header a[href$='/dataset/']")
        page.wait_for_load_state()
        _shot(page, request, "2-search")
        _facet(page, "Organisasi").locator("a", has_text="Dinas Kesehatan").click()
        page.wait_for_url(re.compile(r"organization=dinas-kesehatan"))
        page.wait_for_load_state("networkidle")
        _shot(page, request, "3-skpd-facet")
        _facet(page, "Periode pemutakhiran").locator("a", has_text="Bulanan").click()
        page.wait_for_url(re.compile(r"skpd_cadence=monthly"))
        page.wait_for_load_state("networkidle")
        _shot(page, request, "4-cadence-facet")
        titles = page.locator(".dataset-list .dataset-heading a").all_inner_texts()
        assert [title.strip() for title in titles] == ["Kunjungan puskesmas"]

        page.click(".dataset-list .dataset-heading a")
        page.wait_for_load_state()
        _shot(page, request, "5-dataset")
        steps = page.locator(".skpd-step-block h3").all_inner_texts()
        assert steps[:3] == ["1. Pemilik data", "2. Pengumpulan", "3. Ketersediaan"]
        lineage = page.locator('.skpd-step-field[data-field="lineage"]')
        assert lineage.get_by_role("link", name="Penduduk per kecamatan").is_visible()
        assert "Dataset terbatas" in lineage.inner_text()
        assert "NIK bermasalah" not in page.content()

    def test_language_switch_changes_the_labels(
        self, live_site, browser_page, request, catalogue
    ):
        """Choosing English in the footer gives English labels and values."""
        page = browser_page
        page.goto(live_site + "/dataset/kunjungan-puskesmas")
        _shot(page, request, "1-indonesian")
        cadence = page.locator('.skpd-step-field[data-field="cadence"]')
        assert cadence.locator("dt").inner_text() == "Periode pemutakhiran"
        assert cadence.locator("dd").inner_text() == "Bulanan"

        with page.expect_navigation():
            page.select_option("#field-lang-select", label="English")
        _shot(page, request, "2-english")

        assert "/en/dataset/kunjungan-puskesmas" in page.url
        assert cadence.locator("dt").inner_text() == "Cadence"
        assert cadence.locator("dd").inner_text() == "Monthly"
        assert (
            page.locator(".skpd-step-block h3").nth(1).inner_text() == "2. Collection"
        )

        page.goto(live_site + "/en/dataset/")
        _shot(page, request, "3-english-search")
        assert _facet(page, "Cadences").locator("a", has_text="Monthly").count() == 1


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDatasetForm:
    def test_editor_creates_a_dataset_step_by_step(
        self, live_site, browser_page, request, catalogue, editor
    ):
        """An editor fills in the seven steps, fixes an error and publishes."""
        page = browser_page
        log_in(page, live_site, editor["name"], EDITOR_PASSWORD)

        page.goto(live_site + "/dataset/new")
        page.locator("#field-title").press_sequentially("Cakupan imunisasi dasar")
        page.wait_for_function(
            "document.querySelector('#field-name').value === 'cakupan-imunisasi-dasar'"
        )
        _shot(page, request, "1-owner")
        _next(page)

        assert page.locator(".skpd-step-intro h2").inner_text() == "2. Pengumpulan"
        assert not page.locator("#field-cadence").is_visible()
        page.select_option("#field-collection_method", "routine_periodic")
        assert page.locator("#field-cadence").is_visible()
        _next(page)
        _shot(page, request, "2-collection-error")
        assert _error_next_to(page, "field-cadence").startswith(
            "Periode pemutakhiran wajib diisi"
        )
        assert (
            page.locator("#field-collection_method").input_value() == "routine_periodic"
        )
        page.select_option("#field-cadence", "monthly")
        _next(page)

        assert page.locator(".skpd-step-intro h2").inner_text() == "3. Ketersediaan"
        page.check("#field-availability_forms-sim_database")
        _shot(page, request, "3-availability")
        _next(page)

        upstream = page.locator("#field-lineage-0-upstream")
        upstream.press_sequentially("Pendu", delay=50)
        option = page.locator("#field-lineage-0-upstream-suggestions li").first
        option.wait_for()
        assert "Penduduk per kecamatan" in option.inner_text()
        _shot(page, request, "4-lineage-suggestions")
        upstream.press("ArrowDown")
        upstream.press("Enter")
        assert upstream.input_value() == "penduduk-per-kecamatan"
        page.select_option("#field-lineage-0-relation", "derived_from")
        _shot(page, request, "4-lineage")
        _next(page)

        assert (
            page.locator(".skpd-step-intro h2").inner_text()
            == "5. Kebutuhan pertukaran"
        )
        _next(page)

        page.select_option("#field-authority_roles-0-role", "collector")
        page.select_option("#field-authority_roles-0-holder", catalogue["dinkes"]["id"])
        page.click('#dataset-edit a[name="repeating-add"]')
        page.select_option("#field-authority_roles-1-role", "provider")
        page.select_option(
            "#field-authority_roles-1-holder", catalogue["disdukcapil"]["id"]
        )
        _shot(page, request, "6-authority")
        _next(page)

        assert page.locator(".skpd-step-intro h2").inner_text() == "7. Integrasi"
        page.check("#field-exchange_methods-api")
        _next(page)

        page.check("#field-domains-health_services")
        for side, value in (
            ("west", "110.27"),
            ("south", "-7.11"),
            ("east", "110.5"),
            ("north", "-6.93"),
        ):
            page.fill(f"#field-spatial-{side}", value)
        page.locator("#field-spatial-north").dispatch_event("change")
        assert '"Polygon"' in page.locator("#field-spatial").input_value()
        _shot(page, request, "8-classification")
        _next(page)

        _shot(page, request, "9-add-data")
        self._add_link_resource(page)
        _shot(page, request, "10-dataset")

        assert (
            page.locator("h1").first.inner_text().strip() == "Cakupan imunisasi dasar"
        )
        lineage = page.locator('.skpd-step-field[data-field="lineage"]')
        assert lineage.get_by_role("link", name="Penduduk per kecamatan").is_visible()
        roles = page.locator(
            '.skpd-step-field[data-field="authority_roles"]'
        ).inner_text()
        assert "Pengumpul" in roles
        assert "Dinas Kesehatan" in roles
        assert "Penyedia" in roles
        assert "Dinas Kependudukan dan Pencatatan Sipil" in roles
        created = call_action("package_show", id="cakupan-imunisasi-dasar")
        assert created["state"] == "active"
        assert created["cadence"] == "monthly"
        assert [
            (entry["upstream"], entry["relation"]) for entry in created["lineage"]
        ] == [(catalogue["population"]["id"], "derived_from")]
        assert [role["role"] for role in created["authority_roles"]] == [
            "collector",
            "provider",
        ]

    @staticmethod
    def _add_link_resource(page: Any) -> None:
        page.locator("button:has(i.fa-globe)").click()
        page.fill("#field-resource-url", "https://dinkes.example.go.id/imunisasi.csv")
        page.fill("#field-name", "Imunisasi 2024")
        with page.expect_navigation():
            page.click('button[name="save"][value="go-metadata"]')

    def test_cadence_follows_the_collection_method(
        self, live_site, browser_page, request, catalogue, editor
    ):
        """Ad hoc collection hides and empties the cadence; routine brings it back."""
        page = browser_page
        log_in(page, live_site, editor["name"], EDITOR_PASSWORD)
        page.goto(live_site + "/dataset/edit/kunjungan-puskesmas/2")
        cadence = page.locator("#field-cadence")
        assert cadence.is_visible()

        page.select_option("#field-collection_method", "ad_hoc")
        _shot(page, request, "1-ad-hoc")
        assert not cadence.is_visible()
        assert cadence.input_value() == ""

        page.select_option("#field-collection_method", "routine_periodic")
        assert cadence.is_visible()
        assert cadence.input_value() == "monthly"

    def test_bounding_box_message_is_indonesian(
        self, live_site, browser_page, request, catalogue, editor
    ):
        """The bounding-box check of the browser speaks the page's language."""
        page = browser_page
        log_in(page, live_site, editor["name"], EDITOR_PASSWORD)
        page.goto(live_site + "/dataset/edit/kunjungan-puskesmas/8")
        # CKAN starts the JavaScript modules, which fill in the fields, only
        # after its translations have loaded, so the value may come later.
        expect(page.locator("#field-spatial-west")).to_have_value("110.27")

        page.fill("#field-spatial-west", "111")
        page.locator("#field-spatial-west").dispatch_event("change")
        _shot(page, request, "1-bbox-error")

        message = page.locator(".skpd-bbox-entry .skpd-field-message")
        assert message.inner_text() == "Barat harus lebih kecil dari timur."
        assert "110.27" in page.locator("#field-spatial").input_value()


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestAccessibility:
    def test_every_form_control_has_a_label(
        self, live_site, browser_page, request, catalogue, editor
    ):
        """Every control of the form steps and the public pages has a label."""
        page = browser_page
        log_in(page, live_site, editor["name"], EDITOR_PASSWORD)
        urls = [
            "/",
            "/dataset/",
            "/dataset/kunjungan-puskesmas",
            "/dataset/new",
            "/dataset/kunjungan-puskesmas/resource/new",
        ] + [f"/dataset/edit/kunjungan-puskesmas/{step}" for step in range(1, 9)]

        unlabelled = {}
        for url in urls:
            page.goto(live_site + url)
            page.wait_for_load_state("networkidle")
            found = page.evaluate(UNLABELLED_CONTROLS_JS)
            if found:
                unlabelled[url] = found
        _shot(page, request, "last-step")

        assert not unlabelled

    def test_label_check_finds_an_unlabelled_control(self, browser_page):
        """The label check reports a control without a label and no other."""
        browser_page.set_content(
            '<label for="a">A</label><input id="a">'
            '<label>B <input id="b"></label>'
            '<input id="c" aria-label="C"><input type="hidden" id="d">'
            '<select id="e"><option>1</option></select>'
        )

        found = browser_page.evaluate(UNLABELLED_CONTROLS_JS)

        assert len(found) == 1
        assert 'id="e"' in found[0]

    def test_form_step_by_keyboard(
        self, live_site, browser_page, request, catalogue, editor
    ):
        """Tab reaches every control of a step in order; Enter submits it."""
        page = browser_page
        log_in(page, live_site, editor["name"], EDITOR_PASSWORD)
        page.goto(live_site + "/dataset/new")
        page.wait_for_load_state("networkidle")
        controls = dict(page.evaluate(MARK_FORM_CONTROLS_JS))

        visited: list[str] = []
        for _press in range(3 * len(controls) + 40):
            page.keyboard.press("Tab")
            active = page.evaluate(ACTIVE_JS)
            if active and active not in visited:
                visited.append(active)
            if controls.get(active) == "save":
                break
        _shot(page, request, "1-tabbed")

        missing = [name for key, name in controls.items() if key not in visited]
        assert not missing, f"not reachable with Tab: {missing}"
        assert visited == sorted(visited, key=int), (
            "Tab order is not the document order"
        )

        page.focus("#field-title")
        page.keyboard.type("Status gizi balita")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        _shot(page, request, "2-next-step")
        assert "/dataset/new/status-gizi-balita/2" in page.url

    def test_upstream_search_by_keyboard(
        self, live_site, browser_page, request, catalogue, editor
    ):
        """Arrow keys and Enter pick a suggestion; Enter again submits the step."""
        page = browser_page
        log_in(page, live_site, editor["name"], EDITOR_PASSWORD)
        page.goto(live_site + "/dataset/edit/kunjungan-puskesmas/4")
        upstream = page.locator("#field-lineage-0-upstream")
        upstream.fill("")
        upstream.press_sequentially("Penduduk", delay=40)
        page.locator("#field-lineage-0-upstream-suggestions li").first.wait_for()

        assert upstream.get_attribute("aria-expanded") == "true"
        upstream.press("ArrowDown")
        active = upstream.get_attribute("aria-activedescendant")
        assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
        upstream.press("Enter")
        _shot(page, request, "1-picked")
        assert upstream.input_value() == "penduduk-per-kecamatan"
        assert upstream.get_attribute("aria-expanded") == "false"
        assert "/dataset/edit/kunjungan-puskesmas/4" in page.url

        with page.expect_navigation():
            upstream.press("Enter")
        _shot(page, request, "2-saved")
        assert "/dataset/edit/" not in page.url
