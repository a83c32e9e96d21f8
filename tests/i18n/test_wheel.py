"""The wheel ships the stock catalogues and their plugins."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ckanext.skpd.translations import catalogues

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """Build a wheel from the committed files (``git archive HEAD``)."""
    work = tmp_path_factory.mktemp("i18n-wheel")
    source = work / "source"
    source.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work / "dist"),
            str(source),
        ],
        check=True,
    )
    return zipfile.ZipFile(next((work / "dist").glob("ckanext_skpd-*.whl")))


@pytest.mark.parametrize("catalogue", catalogues.CATALOGUES, ids=lambda c: c.key)
def test_catalogue_files_shipped(wheel, catalogue):
    """The wheel contains the compiled catalogue, its source and its template."""
    base = f"ckanext/skpd/i18n/{catalogue.folder}"
    names = set(wheel.namelist())

    assert f"{base}/id/LC_MESSAGES/{catalogue.domain}.mo" in names
    assert f"{base}/id/LC_MESSAGES/{catalogue.domain}.po" in names
    assert f"{base}/{catalogue.domain}.pot" in names


def test_plugins_declared(wheel):
    """The wheel declares one translation plugin per stock catalogue."""
    entry_points = next(
        name for name in wheel.namelist() if name.endswith("entry_points.txt")
    )
    text = wheel.read(entry_points).decode()

    for catalogue in catalogues.CATALOGUES:
        assert f"skpd_i18n_{catalogue.key} = ckanext.skpd.translations.plugins:" in text
