"""The running site shows the completed catalogues, and English stays English."""

from __future__ import annotations

from pathlib import Path

import ckan.lib.i18n as ckan_i18n
import polib
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

SHIPPED_ID = (
    Path(ckan_i18n.__file__).resolve().parents[1]
    / "i18n"
    / "id"
    / "LC_MESSAGES"
    / "ckan.po"
)


def _shipped_translation(msgid: str) -> str:
    for entry in polib.pofile(str(SHIPPED_ID)):
        if entry.msgid == msgid:
            return entry.msgstr
    raise KeyError(msgid)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestStockTranslations:
    def test_search_page_core_message(self, app):
        """The search page shows a core message CKAN leaves untranslated."""
        assert _shipped_translation("Order by") == ""

        page = app.get("/dataset/").body

        assert "Urutkan menurut" in page
        assert "Order by" not in page

    def test_search_page_corrected_message(self, app):
        """The glossary's term replaces CKAN's older translation."""
        assert _shipped_translation("Datasets") == "Kumpulan data"

        page = app.get("/dataset/").body

        assert "Kumpulan data" not in page

    def test_english_prefix_unchanged(self, app):
        """Under /en/ the same page stays English."""
        page = app.get("/en/dataset/").body

        assert "Order by" in page
        assert "Urutkan menurut" not in page

    def test_activity_plugin_message(self, app, disdukcapil):
        """The activity plugin's messages come from the core catalogue."""
        site_user = call_action("get_site_user", context={"ignore_auth": True})
        call_action(
            "package_create",
            context={"user": site_user["name"]},
            name="jumlah-penduduk",
            title="Jumlah penduduk",
            owner_org=disdukcapil["id"],
            collection_method="routine_periodic",
            cadence="annual",
        )

        page = app.get("/dataset/activity/jumlah-penduduk").body

        assert "Aliran aktivitas" in page
        assert "Semua tipe aktivitas" in page
        assert "Dataset diubah" in page
        assert "All activity types" not in page
        assert "Changed Package" not in page

    def test_activity_filter_english(self, app, disdukcapil):
        """Under /en/ the activity filter keeps CKAN's English labels."""
        site_user = call_action("get_site_user", context={"ignore_auth": True})
        call_action(
            "package_create",
            context={"user": site_user["name"]},
            name="jumlah-penduduk",
            owner_org=disdukcapil["id"],
            collection_method="ad_hoc",
        )

        page = app.get("/en/dataset/activity/jumlah-penduduk").body

        assert "Changed Package" in page
        assert "Dataset diubah" not in page

    def test_harvest_page(self, app):
        """The harvest source list uses the ckanext-harvest catalogue."""
        sysadmin = factories.SysadminWithToken()

        page = app.get("/harvest", headers={"Authorization": sysadmin["token"]}).body

        assert "Tambah sumber panen" in page
        assert "Add Harvest Source" not in page

    def test_harvest_facet_titles(self, app):
        """The harvest search facets carry translated titles."""
        page = app.get("/harvest").body

        assert "Frekuensi" in page
        assert "Frequency" not in page

    def test_admin_placeholder(self, app):
        """The sysadmin page's "promote user" field has an Indonesian placeholder."""
        sysadmin = factories.SysadminWithToken()

        page = app.get(
            "/ckan-admin/", headers={"Authorization": sysadmin["token"]}
        ).body

        assert 'placeholder="Nama pengguna"' in page
        assert 'placeholder="Username"' not in page

    def test_javascript_translations(self, app):
        """The JavaScript catalogue carries the core and spatial messages."""
        ckan_i18n.build_js_translations()

        translations = app.get("/api/i18n/id").json

        assert translations["Start typing…"] == [None, "Mulai mengetik…"]
        assert translations["Draw an extent"] == [None, "Gambar cakupan wilayah"]
