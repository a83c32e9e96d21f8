"""The integration summary on the main page of an SKPD.

The shared catalogue of ``conftest.py`` gets two more datasets over which
the health office (Dinas Kesehatan) holds a role and which it needs: a
public one of Diskominfo and a private one of Disdukcapil. So on the health
office's page a visitor counts one of each, and an editor of Disdukcapil,
who may read the private dataset, counts two.
"""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

PRIVATE_TITLE = "Rekap kematian per puskesmas"


def _site_context() -> dict[str, Any]:
    return {"user": call_action("get_site_user", context={"ignore_auth": True})["name"]}


def _token(user: dict[str, Any]) -> dict[str, str]:
    token = call_action(
        "api_token_create", context={"user": user["name"]}, user=user["name"], name="ui"
    )
    return {"Authorization": token["token"]}


def _editor_of(org: dict[str, Any]) -> dict[str, Any]:
    user = factories.User()
    call_action(
        "organization_member_create", id=org["id"], username=user["name"], role="editor"
    )
    return user


@pytest.fixture(scope="class")
def org_catalogue(shared_catalogue: dict[str, Any]) -> dict[str, Any]:
    """The shared catalogue, two datasets involving Dinkes, an SKPD without data
    and two editors."""
    dinkes = shared_catalogue["dinkes"]
    need = {
        "consumer": dinkes["name"],
        "purpose": "Perencanaan layanan",
        "frequency": "monthly",
        "method": "file_export",
        "status": "agreed",
    }
    call_action(
        "package_create",
        context=_site_context(),
        name="fasilitas-kesehatan",
        title="Peta fasilitas kesehatan",
        owner_org=shared_catalogue["diskominfo"]["id"],
        availability_forms=["office_files"],
        authority_roles=[{"role": "processor", "holder": dinkes["name"]}],
        exchange_needs=[need],
    )
    call_action(
        "package_create",
        context=_site_context(),
        name="rekap-kematian",
        title=PRIVATE_TITLE,
        owner_org=shared_catalogue["disdukcapil"]["id"],
        private=True,
        availability_forms=["raw_hardcopy"],
        authority_roles=[{"role": "user", "holder": dinkes["name"]}],
        exchange_needs=[need],
    )
    bappeda = factories.Organization(
        name="bappeda",
        title="Badan Perencanaan Pembangunan Daerah",
        kind="badan",
        satu_data_role="produsen_data",
    )
    return {
        **shared_catalogue,
        "bappeda": bappeda,
        "disdukcapil_editor": _editor_of(shared_catalogue["disdukcapil"]),
        "dinkes_editor": _editor_of(dinkes),
    }


def _summary(app: Any, url: str, **kwargs: Any) -> Any:
    response = app.get(url, **kwargs)
    assert response.status_code == 200
    soup = BeautifulSoup(response.body, "html.parser")
    return soup.select_one("#skpd-org-summary")


def _ladder(summary: Any) -> dict[str, str]:
    return {
        li["data-code"]: li.select_one(".skpd-ladder-count").get_text(strip=True)
        for li in summary.select(".skpd-ladder-bars li")
    }


def _role_counts(summary: Any) -> dict[str, str]:
    return {
        li["data-code"]: li.select_one(".skpd-count").get_text(strip=True)
        for li in summary.select("#skpd-org-roles li")
    }


def _top_partners(summary: Any, key: str) -> list[tuple[str, str]]:
    return [
        (li.a.get_text(strip=True), li.select_one(".skpd-count").get_text(strip=True))
        for li in summary.select(f"#skpd-org-{key} li")
    ]


def _text(summary: Any, selector: str) -> str:
    return summary.select_one(selector).get_text(" ", strip=True)


@pytest.mark.usefixtures("with_plugins")
class TestOrganizationSummary:
    """Reads a catalogue built once for the class."""

    @pytest.fixture
    def catalogue(self, org_catalogue):
        return org_catalogue

    def test_inventory_counts_and_ladder(self, app, catalogue):
        """The inventory block counts the datasets per rung, top rung first."""
        summary = _summary(app, "/organization/dinas-kesehatan")

        total = _text(summary, ".skpd-org-total")
        assert total.startswith("1 dataset")
        assert "0 dengan metadata lengkap (0 persen)" in total
        assert list(_ladder(summary).items()) == [
            ("sim_database", "1"),
            ("office_files", "0"),
            ("processed_hardcopy", "0"),
            ("raw_hardcopy", "0"),
        ]

    def test_ladder_bar_width_is_share(self, app, catalogue):
        """Each bar is as wide as its rung's share of the datasets."""
        summary = _summary(app, "/organization/dinas-kesehatan")

        fills = [span["style"] for span in summary.select(".skpd-ladder-fill")]
        assert fills == ["width: 100%", "width: 0%", "width: 0%", "width: 0%"]

    def test_not_stated_rung_listed_when_used(self, app, catalogue):
        """Datasets without an availability form get their own rung."""
        editor = catalogue["disdukcapil_editor"]

        summary = _summary(app, "/organization/disdukcapil", headers=_token(editor))

        assert _ladder(summary) == {
            "sim_database": "1",
            "office_files": "0",
            "processed_hardcopy": "0",
            "raw_hardcopy": "1",
            "not_stated": "1",
        }

    def test_roles_counted_per_role(self, app, catalogue):
        """The roles block counts the other SKPD's datasets per role."""
        summary = _summary(app, "/organization/dinas-kesehatan")

        assert _role_counts(summary) == {"processor": "1"}
        assert "1 dataset milik 1 SKPD lain" in _text(summary, "#skpd-org-roles")

    def test_needs_counted_with_top_skpd(self, app, catalogue):
        """The needs block counts the needs both ways and names the partners."""
        summary = _summary(app, "/organization/dinas-kesehatan")

        assert "1 kebutuhan, dari 1 SKPD" in _text(summary, "#skpd-org-needs-from")
        assert _top_partners(summary, "needs-from") == [
            ("Dinas Komunikasi dan Informatika", "1")
        ]
        assert "1 kebutuhan, oleh 1 SKPD" in _text(summary, "#skpd-org-provides-to")
        assert _top_partners(summary, "provides-to") == [
            ("Dinas Kependudukan dan Pencatatan Sipil", "1")
        ]

    def test_empty_blocks_say_none(self, app, catalogue):
        """An SKPD without datasets, roles or needs shows "none" per block."""
        summary = _summary(app, "/organization/bappeda")

        assert _text(summary, ".skpd-org-total") == "0 dataset"
        assert "Belum ada yang dicatat." in _text(summary, "#skpd-org-roles")
        assert "Tidak ada." in _text(summary, "#skpd-org-needs-from")
        assert "Tidak ada." in _text(summary, "#skpd-org-provides-to")
        assert set(_ladder(summary).values()) == {"0"}

    def test_links_to_integration_tab(self, app, catalogue):
        """Each block links to its part of the integration tab."""
        summary = _summary(app, "/organization/dinas-kesehatan")

        links = [a["href"] for a in summary.select(".skpd-org-more a")]
        assert links == [
            "/organization/dinas-kesehatan/integration#skpd-inventory",
            "/organization/dinas-kesehatan/integration#skpd-roles-table",
            "/organization/dinas-kesehatan/integration#skpd-needs-from",
        ]

    def test_visitor_sees_no_private_dataset(self, app, catalogue):
        """A visitor gets neither the count nor the title of private datasets."""
        page = app.get("/organization/disdukcapil").body
        summary = _summary(app, "/organization/disdukcapil")

        assert _text(summary, ".skpd-org-total") == (
            "1 dataset, 0 dengan metadata lengkap (0 persen)"
        )
        assert PRIVATE_TITLE not in page
        assert "Daftar NIK bermasalah" not in page

    def test_visitor_counts_only_public_roles_and_needs(self, app, catalogue):
        """On another SKPD's page a private dataset adds nothing for a visitor."""
        page = app.get("/organization/dinas-kesehatan").body
        summary = _summary(app, "/organization/dinas-kesehatan")

        assert _role_counts(summary) == {"processor": "1"}
        assert _top_partners(summary, "needs-from") == [
            ("Dinas Komunikasi dan Informatika", "1")
        ]
        assert PRIVATE_TITLE not in page
        assert "rekap-kematian" not in page

    def test_editor_of_other_skpd_sees_no_private_dataset(self, app, catalogue):
        """An editor of the health office may not read Disdukcapil's private data."""
        headers = _token(catalogue["dinkes_editor"])

        summary = _summary(app, "/organization/dinas-kesehatan", headers=headers)

        assert _role_counts(summary) == {"processor": "1"}
        assert "1 kebutuhan, dari 1 SKPD" in _text(summary, "#skpd-org-needs-from")

    def test_editor_of_owner_counts_private_datasets(self, app, catalogue):
        """An editor of the owning SKPD gets its private datasets counted."""
        headers = _token(catalogue["disdukcapil_editor"])

        page = app.get("/organization/disdukcapil", headers=headers).body
        summary = _summary(app, "/organization/disdukcapil", headers=headers)

        assert _text(summary, ".skpd-org-total").startswith("3 dataset")
        assert PRIVATE_TITLE in page

    def test_editor_of_owner_counts_private_roles_and_needs(self, app, catalogue):
        """On the health office's page that editor counts the private dataset too."""
        headers = _token(catalogue["disdukcapil_editor"])

        summary = _summary(app, "/organization/dinas-kesehatan", headers=headers)

        assert _role_counts(summary) == {"processor": "1", "user": "1"}
        assert "2 dataset milik 2 SKPD lain" in _text(summary, "#skpd-org-roles")
        assert "2 kebutuhan, dari 2 SKPD" in _text(summary, "#skpd-org-needs-from")
        assert _top_partners(summary, "needs-from") == [
            ("Dinas Kependudukan dan Pencatatan Sipil", "1"),
            ("Dinas Komunikasi dan Informatika", "1"),
        ]

    def test_summary_above_dataset_list(self, app, catalogue):
        """The summary comes before the dataset list on the page."""
        page = app.get("/organization/dinas-kesehatan").body

        assert page.index('id="skpd-org-summary"') < page.index("Kunjungan puskesmas")

    def test_other_tabs_have_no_summary(self, app, catalogue):
        """The about and integration tabs do not repeat the summary."""
        for url in (
            "/organization/about/dinas-kesehatan",
            "/organization/dinas-kesehatan/integration",
        ):
            body = app.get(url).body

            assert 'id="skpd-org-summary"' not in body, url

    def test_english_labels(self, app, catalogue):
        """Under /en the blocks have English headings and labels."""
        summary = _summary(app, "/en/organization/dinas-kesehatan")

        headings = [h.get_text(strip=True) for h in summary.select("h2, h3")]
        assert headings == [
            "Data integration",
            "Inventory",
            "Roles over other SKPD's data",
            "Exchange with other SKPD",
        ]
        labels = [
            li.select_one(".skpd-ladder-label").get_text(strip=True)
            for li in summary.select(".skpd-ladder-bars li")
        ]
        assert labels[0] == "Information system database"
        assert "Over 1 dataset of 1 other SKPD." in _text(summary, "#skpd-org-roles")
        assert "1 need, from 1 SKPD" in _text(summary, "#skpd-org-needs-from")
        assert summary.select_one(".skpd-org-more a")["href"].startswith(
            "/en/organization/dinas-kesehatan/integration"
        )

    def test_indonesian_labels(self, app, catalogue):
        """Without a prefix the blocks are Indonesian."""
        summary = _summary(app, "/organization/dinas-kesehatan")

        headings = [h.get_text(strip=True) for h in summary.select("h2, h3")]
        assert headings == [
            "Integrasi data",
            "Inventaris",
            "Peran atas data SKPD lain",
            "Pertukaran dengan SKPD lain",
        ]
        label = summary.select_one(".skpd-ladder-label").get_text(strip=True)
        assert label == "Database sistem informasi (SIM)"
