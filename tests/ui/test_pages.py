"""The home page, the dataset page and the dataset form, as HTML."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.skpd.ui import template_helpers


def _token(user: dict[str, Any]) -> dict[str, str]:
    token = call_action(
        "api_token_create", context={"user": user["name"]}, user=user["name"], name="ui"
    )
    return {"Authorization": token["token"]}


def _member_of(org: dict[str, Any], role: str = "member") -> dict[str, Any]:
    user = factories.User()
    call_action(
        "organization_member_create", id=org["id"], username=user["name"], role=role
    )
    return user


def _soup(app: Any, url: str, **kwargs: Any) -> BeautifulSoup:
    return BeautifulSoup(app.get(url, **kwargs).body, "html.parser")


def _skpd_rows(soup: BeautifulSoup) -> dict[str, list[str]]:
    rows = soup.select(".skpd-home-skpd tbody tr")
    return {
        row.th.a.get_text(strip=True): [
            td.get_text(" ", strip=True) for td in row("td")
        ]
        for row in rows
    }


@pytest.mark.usefixtures("with_plugins")
class TestHomePage:
    """Reads a catalogue built once for the class."""

    @pytest.fixture
    def catalogue(self, shared_catalogue):
        return shared_catalogue

    def test_lists_every_skpd_with_public_dataset_counts(self, app, catalogue):
        """Every SKPD is listed with its number of public datasets."""
        rows = _skpd_rows(_soup(app, "/"))

        assert rows["Dinas Kependudukan dan Pencatatan Sipil"][0] == "1"
        assert rows["Dinas Kesehatan"][0] == "1"
        assert rows["Dinas Komunikasi dan Informatika"][0] == "0"

    def test_member_counts_private_datasets_of_own_skpd(self, app, catalogue):
        """A member of an SKPD also counts the private datasets they may read."""
        member = _member_of(catalogue["disdukcapil"])

        rows = _skpd_rows(_soup(app, "/", headers=_token(member)))

        assert rows["Dinas Kependudukan dan Pencatatan Sipil"][0] == "2"

    def test_skpd_show_government_affairs_as_labels(self, app, catalogue):
        """The affairs of an SKPD are shown by label, not by code."""
        rows = _skpd_rows(_soup(app, "/"))

        assert rows["Dinas Kesehatan"][1] == "Layanan kesehatan"
        assert rows["Dinas Komunikasi dan Informatika"][1] == "Pemerintahan"

    def test_lists_domains_with_counts_and_links(self, app, catalogue):
        """Each data domain is listed with its count; used ones link to a search."""
        soup = _soup(app, "/")
        items = {
            li.find(["a", "span"]).get_text(strip=True): li
            for li in soup.select(".skpd-domain-list li")
        }

        assert items["Kependudukan"].select_one(".skpd-count").get_text() == "1"
        assert items["Kependudukan"].a["href"].endswith("skpd_domain=population")
        assert items["Pendidikan"].a is None

    def test_english_home_page(self, app, catalogue):
        """Under /en the home page lists the same SKPD with English headings."""
        soup = _soup(app, "/en/")

        assert (
            soup.select_one("#skpd-home-skpd-heading").get_text()
            == "SKPD and their datasets"
        )
        assert "Health services" in soup.select_one(".skpd-home-skpd").get_text()


def _step_titles(soup: BeautifulSoup) -> list[str]:
    return [h.get_text(strip=True) for h in soup.select(".skpd-step-block h3")]


def _field(soup: BeautifulSoup, name: str) -> Any:
    return soup.select_one(f'.skpd-step-field[data-field="{name}"] dd')


@pytest.mark.usefixtures("with_plugins")
class TestDatasetPage:
    """Reads a catalogue built once for the class."""

    @pytest.fixture
    def catalogue(self, shared_catalogue):
        return shared_catalogue

    def test_shows_the_steps_in_order(self, app, catalogue):
        """The dataset page has one block per step, in the order of the form."""
        titles = _step_titles(_soup(app, "/dataset/kunjungan-puskesmas"))

        assert titles[:7] == [
            "1. Pemilik data",
            "2. Pengumpulan",
            "3. Ketersediaan",
            "4. Keterkaitan data",
            "5. Kebutuhan pertukaran",
            "6. Kewenangan",
            "7. Integrasi",
        ]

    def test_codes_and_ids_become_labels_and_titles(self, app, catalogue):
        """Vocabulary codes show as labels, SKPD ids as linked SKPD titles."""
        soup = _soup(app, "/dataset/kunjungan-puskesmas")

        assert _field(soup, "cadence").get_text(strip=True) == "Bulanan"
        assert (
            _field(soup, "custodian").a.get_text() == "Dinas Komunikasi dan Informatika"
        )
        assert _field(soup, "custodian").a["href"].endswith("/organization/diskominfo")
        roles = _field(soup, "authority_roles").get_text(" ", strip=True)
        assert "Pengumpul Dinas Kesehatan" in roles
        assert "Penyedia Dinas Kependudukan dan Pencatatan Sipil" in roles
        assert catalogue["dinkes"]["id"] not in str(soup.select_one(".skpd-steps-read"))

    def test_readable_upstream_is_linked_by_title(self, app, catalogue):
        """A public upstream dataset is a link showing its title and SKPD."""
        lineage = _field(_soup(app, "/dataset/kunjungan-puskesmas"), "lineage")

        link = lineage.find("a", string="Penduduk per kecamatan")
        assert link["href"].endswith("/dataset/penduduk-per-kecamatan")
        assert "Divalidasi dengan / merujuk" in lineage.get_text()

    def test_private_upstream_is_restricted_for_visitors(self, app, catalogue):
        """A private upstream is restricted for visitors, never named."""
        page = app.get("/dataset/kunjungan-puskesmas").body
        lineage = _field(BeautifulSoup(page, "html.parser"), "lineage")

        assert "Dataset terbatas" in lineage.get_text()
        assert "Daftar NIK bermasalah" not in page
        assert "nik-bermasalah" not in page
        assert catalogue["private"]["id"] not in page

    def test_private_upstream_is_named_for_members(self, app, catalogue):
        """A member of the upstream's SKPD gets its title and a link."""
        member = _member_of(catalogue["disdukcapil"])

        lineage = _field(
            _soup(app, "/dataset/kunjungan-puskesmas", headers=_token(member)),
            "lineage",
        )

        assert lineage.find("a", string="Daftar NIK bermasalah") is not None
        assert "Dataset terbatas" not in lineage.get_text()

    def test_external_upstream_is_a_link(self, app, catalogue):
        """An external upstream URI is linked as it is."""
        lineage = _field(_soup(app, "/dataset/kunjungan-puskesmas"), "lineage")

        assert lineage.find("a", href="https://data.go.id/dataset/penduduk") is not None

    def test_spatial_extent_as_bounding_box(self, app, catalogue):
        """The spatial extent is shown as its bounding box."""
        spatial = _field(_soup(app, "/dataset/kunjungan-puskesmas"), "spatial")

        assert spatial.get_text(strip=True) == (
            "Barat 110.27, selatan -7.11, timur 110.5, utara -6.93"
        )

    def test_empty_step_says_so(self, app, catalogue):
        """A step without any value is marked as not filled in yet."""
        soup = _soup(app, "/dataset/penduduk-per-kecamatan")
        block = soup.select_one('.skpd-step-block[data-step="4"]')

        assert block.select_one(".skpd-step-empty").get_text() == "Belum diisi."

    def test_english_page(self, app, catalogue):
        """Under /en the steps, labels and values are English."""
        soup = _soup(app, "/en/dataset/kunjungan-puskesmas")

        assert _step_titles(soup)[1] == "2. Collection"
        assert _field(soup, "cadence").get_text(strip=True) == "Monthly"
        assert "Restricted dataset" in _field(soup, "lineage").get_text()


def _form_page(
    app: Any, editor: dict[str, Any], dataset: str, page: int, lang: str = ""
) -> Any:
    prefix = f"/{lang}" if lang else ""
    return _soup(app, f"{prefix}/dataset/edit/{dataset}/{page}", headers=_token(editor))


@pytest.mark.usefixtures("with_plugins")
class TestDatasetForm:
    """Reads a catalogue built once for the class."""

    @pytest.fixture
    def catalogue(self, shared_catalogue):
        return shared_catalogue

    def test_each_step_says_what_and_why(self, app, catalogue, editor):
        """Every step of the form opens with its title and a help text."""
        steps = [
            (1, "1. Pemilik data", "bertanggung jawab"),
            (2, "2. Pengumpulan", "seberapa mutakhir"),
            (3, "3. Ketersediaan", "digitalisasi"),
            (4, "4. Keterkaitan data", "ditelusuri"),
            (5, "5. Kebutuhan pertukaran", "rencana integrasi"),
            (6, "6. Kewenangan", "berwenang"),
            (7, "7. Integrasi", "tanpa meminta salinan"),
            (8, "Klasifikasi dan standar data", "menemukan data"),
        ]

        for page, title, why in steps:
            soup = _form_page(app, editor, "kunjungan-puskesmas", page)
            intro = soup.select_one(".skpd-step-intro")
            current = soup.select_one('.skpd-form-steps li[aria-current="step"]')

            assert intro.h2.get_text(strip=True) == title
            assert why in intro.p.get_text()
            assert current.get_text(strip=True) == title

    def test_step_help_in_english(self, app, catalogue, editor):
        """Under /en the step titles and help texts are English."""
        intro = _form_page(app, editor, "kunjungan-puskesmas", 2, "en").select_one(
            ".skpd-step-intro"
        )

        assert intro.h2.get_text(strip=True) == "2. Collection"
        assert "how current it is" in intro.p.get_text()

    def test_cadence_depends_on_collection_method(self, app, catalogue, editor):
        """The cadence sits in a module that shows it for routine collection only."""
        soup = _form_page(app, editor, "kunjungan-puskesmas", 2)
        wrapper = soup.select_one('[data-module="skpd-show-when"]')

        assert wrapper["data-module-controller"] == "field-collection_method"
        assert wrapper["data-module-values"] == "routine_periodic"
        assert (
            wrapper.select_one("select#field-cadence option[selected]")["value"]
            == "monthly"
        )

    def test_controlled_fields_are_selects_and_checkboxes(self, app, catalogue, editor):
        """Single choices are selects; multiple choices are checkboxes in a fieldset."""
        soup = _form_page(app, editor, "kunjungan-puskesmas", 3)
        group = soup.select_one("fieldset.skpd-checkboxes")

        assert group.legend.get_text(strip=True) == "Bentuk ketersediaan"
        checked = [box["value"] for box in group.select("input[checked]")]
        assert checked == ["sim_database", "office_files"]
        assert _form_page(app, editor, "kunjungan-puskesmas", 2).select_one(
            "select#field-collection_method"
        )

    def test_upstream_input_shows_names_with_type_ahead(self, app, catalogue, editor):
        """Lineage upstreams show as dataset names in type-ahead inputs."""
        soup = _form_page(app, editor, "kunjungan-puskesmas", 4)
        first = soup.select_one("#field-lineage-0-upstream")

        assert first["data-module"] == "skpd-upstream-search"
        assert first["value"] == "penduduk-per-kecamatan"
        assert soup.select_one("#field-lineage-2-upstream")["value"] == (
            "https://data.go.id/dataset/penduduk"
        )

    def test_unreadable_upstream_is_not_named_in_the_form(self, app, catalogue, editor):
        """An editor who may not read an upstream sees its id, not its name."""
        page = str(_form_page(app, editor, "kunjungan-puskesmas", 4))

        assert "nik-bermasalah" not in page
        assert "Daftar NIK bermasalah" not in page

    def test_role_holders_are_picked_from_the_skpd(self, app, catalogue, editor):
        """Role holders and consumers are chosen from a list of the SKPD."""
        soup = _form_page(app, editor, "kunjungan-puskesmas", 6)
        holder = soup.select_one("select#field-authority_roles-0-holder")

        titles = [option.get_text(strip=True) for option in holder("option")]
        assert "Dinas Komunikasi dan Informatika" in titles
        assert (
            holder.select_one("option[selected]")["value"] == catalogue["dinkes"]["id"]
        )

    def test_spatial_extent_offers_a_bounding_box(self, app, catalogue, editor):
        """The spatial extent has four labelled number fields and the GeoJSON."""
        soup = _form_page(app, editor, "kunjungan-puskesmas", 8)
        entry = soup.select_one('[data-module="skpd-bbox"]')

        assert entry["data-module-target"] == "field-spatial"
        for side in ("west", "south", "east", "north"):
            assert soup.select_one(f'label[for="field-spatial-{side}"]')
            assert entry.select_one(f"#field-spatial-{side}")["type"] == "number"
        assert '"Polygon"' in soup.select_one("textarea#field-spatial").get_text()

    def test_error_next_to_the_field_with_input_kept(self, app, catalogue, editor):
        """A field error shows beside the field in Indonesian; the input stays."""
        response = app.post(
            "/dataset/edit/kunjungan-puskesmas/2",
            data={
                "collection_method": "routine_periodic",
                "cadence": "",
                "collection_technique": "survey",
            },
            headers=_token(editor),
        )
        soup = BeautifulSoup(response.body, "html.parser")
        group = soup.select_one("#field-cadence").find_parent(class_="form-group")

        assert "error" in group["class"]
        assert (
            group.select_one(".error-block")
            .get_text()
            .startswith("Periode pemutakhiran wajib diisi")
        )
        assert soup.select_one("#field-collection_method option[selected]")[
            "value"
        ] == ("routine_periodic")
        assert soup.select_one("#field-collection_technique option[selected]")[
            "value"
        ] == ("survey")

    def test_lineage_error_keeps_the_typed_upstream(self, app, catalogue, editor):
        """An unknown upstream is reported on its entry and stays in the input."""
        response = app.post(
            "/dataset/edit/kunjungan-puskesmas/4",
            data={
                "skpd_form_fields": "lineage",
                "lineage-0-upstream": "tidak-ada",
                "lineage-0-relation": "derived_from",
            },
            headers=_token(editor),
        )
        soup = BeautifulSoup(response.body, "html.parser")
        field = soup.select_one("#field-lineage-0-upstream")

        assert field["value"] == "tidak-ada"
        error = field.find_parent(class_="form-group").select_one(".error-block")
        assert error.get_text().startswith('Dataset "tidak-ada" tidak ditemukan')

    def test_invalid_geometry_error_keeps_the_text(self, app, catalogue, editor):
        """A text that is no GeoJSON geometry is reported beside the extent."""
        response = app.post(
            "/dataset/edit/kunjungan-puskesmas/8",
            data={"spatial": '{"type": "Nothing"}'},
            headers=_token(editor),
        )
        soup = BeautifulSoup(response.body, "html.parser")
        fieldset = soup.select_one("fieldset.skpd-spatial")

        assert "error" in fieldset["class"]
        assert (
            fieldset.select_one(".error-block")
            .get_text()
            .startswith("Geometri wilayah bukan geometri GeoJSON yang sah")
        )
        assert soup.select_one("textarea#field-spatial").get_text() == (
            '{"type": "Nothing"}'
        )

    def test_error_in_english_under_en(self, app, catalogue, editor):
        """The same error is English when the form is used in English."""
        response = app.post(
            "/en/dataset/edit/kunjungan-puskesmas/2",
            data={"collection_method": "routine_periodic", "cadence": ""},
            headers=_token(editor),
        )
        soup = BeautifulSoup(response.body, "html.parser")
        group = soup.select_one("#field-cadence").find_parent(class_="form-group")

        assert (
            group.select_one(".error-block")
            .get_text()
            .startswith("A cadence is required")
        )


def _post_step(
    app: Any, editor: dict[str, Any], page: int, data: dict[str, Any]
) -> Any:
    return app.post(
        f"/dataset/edit/kunjungan-puskesmas/{page}", data=data, headers=_token(editor)
    )


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestSavingListFields:
    def test_form_marks_its_list_fields(self, app, catalogue, editor):
        """Steps with check boxes or repeating entries name those fields."""
        marked = {
            page: [
                tag["value"]
                for tag in _form_page(app, editor, "kunjungan-puskesmas", page).select(
                    'input[name="skpd_form_fields"]'
                )
            ]
            for page in (3, 4, 6)
        }

        assert marked == {
            3: ["availability_forms"],
            4: ["lineage"],
            6: ["authority_roles"],
        }

    def test_edited_roles_replace_the_stored_ones(self, app, catalogue, editor):
        """Editing the authority step saves the posted entries."""
        _post_step(
            app,
            editor,
            6,
            {
                "skpd_form_fields": "authority_roles",
                "authority_roles-0-role": "processor",
                "authority_roles-0-holder": catalogue["dinkes"]["id"],
                "authority_roles-1-role": "user",
                "authority_roles-1-holder": catalogue["diskominfo"]["id"],
            },
        )

        roles = call_action("package_show", id="kunjungan-puskesmas")["authority_roles"]
        assert [(role["role"], role["holder"]) for role in roles] == [
            ("processor", catalogue["dinkes"]["id"]),
            ("user", catalogue["diskominfo"]["id"]),
        ]

    def test_removing_every_entry_clears_the_field(self, app, catalogue, editor):
        """A step posted without any entry leaves the field empty."""
        _post_step(app, editor, 5, {"skpd_form_fields": "exchange_needs"})

        dataset = call_action("package_show", id="kunjungan-puskesmas")
        assert not dataset.get("exchange_needs")
        assert dataset["authority_roles"]

    def test_unticking_every_box_clears_the_choices(self, app, catalogue, editor):
        """A check-box step posted with no box ticked stores no choice."""
        _post_step(
            app,
            editor,
            3,
            {"skpd_form_fields": "availability_forms", "information_system": "SIMPUS"},
        )

        dataset = call_action("package_show", id="kunjungan-puskesmas")
        assert dataset["availability_forms"] == []
        assert dataset["information_system"] == "SIMPUS"

    def test_external_uri_upstream_saves(self, app, catalogue, editor):
        """An external URI typed as upstream is stored as it is."""
        uri = "https://satudata.example.go.id/dataset/penduduk-2024"

        _post_step(
            app,
            editor,
            4,
            {
                "skpd_form_fields": "lineage",
                "lineage-0-upstream": uri,
                "lineage-0-relation": "copy_of",
            },
        )

        stored = call_action("package_show", id="kunjungan-puskesmas")["lineage"]
        # The editor may not read the private upstream, so its link is kept.
        assert [(entry["upstream"], entry["relation"]) for entry in stored] == [
            (uri, "copy_of"),
            (catalogue["private"]["id"], "derived_from"),
        ]

    def test_kept_restricted_upstream_saves(self, app, catalogue, editor):
        """An editor may save a step that keeps an upstream they may not read."""
        lineage = catalogue["visits"]["lineage"]
        data = {"skpd_form_fields": "lineage"}
        for index, entry in enumerate(lineage):
            for key, value in entry.items():
                data[f"lineage-{index}-{key}"] = value
        data["lineage-0-note"] = "NIK penduduk"

        _post_step(app, editor, 4, data)

        stored = call_action("package_show", id="kunjungan-puskesmas")["lineage"]
        assert stored[0]["note"] == "NIK penduduk"
        assert stored[1]["upstream"] == catalogue["private"]["id"]

    def test_new_unreadable_upstream_is_refused(self, app, catalogue, editor):
        """An editor cannot add an upstream they may not read; it is not named."""
        other = call_action(
            "package_create",
            context={
                "user": call_action("get_site_user", context={"ignore_auth": True})[
                    "name"
                ]
            },
            name="akta-kematian",
            title="Akta kematian per kelurahan",
            owner_org=catalogue["disdukcapil"]["id"],
            private=True,
        )

        response = _post_step(
            app,
            editor,
            4,
            {
                "skpd_form_fields": "lineage",
                "lineage-0-upstream": other["id"],
                "lineage-0-relation": "derived_from",
            },
        )

        error = (
            BeautifulSoup(response.body, "html.parser")
            .select_one("#field-lineage-0-upstream")
            .find_parent(class_="form-group")
            .select_one(".error-block")
        )
        assert error.get_text().startswith(
            'Dataset "{}" tidak ditemukan'.format(other["id"])
        )
        assert "Akta kematian" not in response.body
        assert "akta-kematian" not in response.body
        assert (
            call_action("package_show", id="kunjungan-puskesmas")["lineage"]
            == (catalogue["visits"]["lineage"])
        )


class TestBoundingBox:
    def test_polygon_bounds(self):
        """The bounding box of a polygon is west, south, east, north."""
        from tests.ui.conftest import SEMARANG

        assert template_helpers.skpd_ui_bbox(SEMARANG) == [110.27, -7.11, 110.5, -6.93]

    @pytest.mark.parametrize("value", ["", "not json", '{"type": "Nothing"}'])
    def test_unreadable_geometry_gives_none(self, value):
        """Text that is not a geometry has no bounding box."""
        assert template_helpers.skpd_ui_bbox(value) is None
