"""The live site in a real browser: the fixtures other browser tests build on."""

from __future__ import annotations

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser_fixtures import log_in, save_screenshot


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLiveSite:
    def test_dataset_visible_in_browser(self, live_site, browser_page, disdukcapil):
        """A dataset created by the test is shown by the live server."""
        site_user = call_action("get_site_user", context={"ignore_auth": True})
        call_action(
            "package_create",
            context={"user": site_user["name"]},
            name="penduduk-per-kecamatan",
            title="Penduduk per kecamatan",
            owner_org=disdukcapil["id"],
            collection_method="routine_periodic",
            cadence="annual",
        )

        browser_page.goto(f"{live_site}/dataset/penduduk-per-kecamatan")

        assert browser_page.locator("h1").first.inner_text().strip() == (
            "Penduduk per kecamatan"
        )
        assert "Rutin-periodik" in browser_page.content()

    def test_login_form(self, live_site, browser_page):
        """A user logs in through the form and reaches the dashboard."""
        user = factories.User(password="RahasiaSekali123")

        log_in(browser_page, live_site, user["name"], "RahasiaSekali123")
        save_screenshot(browser_page, "smoke-after-login")

        assert "/dashboard" in browser_page.url or "/user/" in browser_page.url
        assert browser_page.locator("form[action$='/user/_logout']").count() == 1
