"""Pages and API responses in the user's language."""

from __future__ import annotations

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action


@pytest.fixture
def editor_token(dinkes):
    user = factories.User()
    call_action(
        "organization_member_create",
        id=dinkes["id"],
        username=user["name"],
        role="editor",
    )
    token = call_action(
        "api_token_create", context={"user": user["name"]}, user=user["name"], name="t"
    )
    return token["token"]


def _post_dataset(app, token, url, **fields):
    data = {"name": "kunjungan", "title": "Kunjungan", "owner_org": "dinas-kesehatan"}
    data.update(fields)
    return app.post(url, json=data, headers={"Authorization": token}, status=409)


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestErrorLanguage:
    def test_indonesian_by_default(self, app, dinkes, editor_token):
        """The site's default language gives Indonesian field errors."""
        response = _post_dataset(
            app,
            editor_token,
            "/api/3/action/package_create",
            collection_method="routine_periodic",
        )

        error = response.json["error"]["cadence"][0]
        assert error.startswith("Periode pemutakhiran wajib diisi")

    def test_english_under_en_prefix(self, app, dinkes, editor_token):
        """The English locale prefix gives English field errors."""
        response = _post_dataset(
            app,
            editor_token,
            "/en/api/3/action/package_create",
            collection_method="routine_periodic",
        )

        error = response.json["error"]["cadence"][0]
        assert error.startswith("A cadence is required")


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestSearchPage:
    def test_facets_show_labels(self, app, disdukcapil):
        """The search page lists the SKPD facets with translated labels."""
        site_user = call_action("get_site_user", context={"ignore_auth": True})
        call_action(
            "package_create",
            context={"user": site_user["name"]},
            name="penduduk",
            title="Penduduk",
            owner_org=disdukcapil["id"],
            collection_method="routine_periodic",
            cadence="semiannual",
            availability_forms=["raw_hardcopy"],
        )

        page = app.get("/dataset/").body

        assert "Periode pemutakhiran" in page
        assert "Semesteran" in page
        assert "Hardcopy data mentah" in page

    def test_facet_filter_in_url(self, app, disdukcapil):
        """A facet value in the URL filters the results."""
        site_user = call_action("get_site_user", context={"ignore_auth": True})
        for name, cadence in (("data-bulanan", "monthly"), ("data-tahunan", "annual")):
            call_action(
                "package_create",
                context={"user": site_user["name"]},
                name=name,
                title=name,
                owner_org=disdukcapil["id"],
                collection_method="routine_periodic",
                cadence=cadence,
            )

        page = app.get("/dataset/", query_string={"skpd_cadence": "monthly"}).body

        assert "/dataset/data-bulanan" in page
        assert "/dataset/data-tahunan" not in page


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDatasetPage:
    def test_shows_labels_not_codes(self, app, disdukcapil, dinkes):
        """The dataset page shows vocabulary labels and SKPD titles."""
        site_user = call_action("get_site_user", context={"ignore_auth": True})
        call_action(
            "package_create",
            context={"user": site_user["name"]},
            name="penduduk",
            title="Penduduk",
            owner_org=disdukcapil["id"],
            collection_method="routine_periodic",
            cadence="annual",
            authority_roles=[{"role": "user", "holder": dinkes["name"]}],
            unmapped_values={"accrualPeriodicity": "20 Tahun Sekali"},
        )

        page = app.get("/dataset/penduduk").body

        assert "Rutin-periodik" in page
        assert "Tahunan" in page
        assert "Dinas Kesehatan" in page
        assert "20 Tahun Sekali" in page


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestDatasetForm:
    def test_form_renders_first_step(self, app, editor_token):
        """An editor gets the first step of the dataset form."""
        page = app.get("/dataset/new", headers={"Authorization": editor_token}).body

        assert "1. Pemilik data" in page
        assert 'name="producer"' in page
