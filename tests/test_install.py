"""The extension as a wheel, installed outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a wheel from the committed files and install it in a new venv.

    The source is copied with ``git archive`` so that nothing built in the
    work tree (such as compiled catalogues) can reach the wheel.
    """
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(work / "dist"), str(source)],
        check=True,
    )
    wheel = next((work / "dist").glob("ckanext_skpd-*.whl"))
    target = work / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True
    )
    return python


def _run(python: Path, code: str) -> str:
    return subprocess.run(
        [str(python), "-c", code], check=True, capture_output=True, text=True, cwd="/"
    ).stdout.strip()


def test_schemas_installed(installed):
    """The scheming schemas are found next to the installed package."""
    out = _run(
        installed,
        "import os, ckanext.skpd.schemas as s; d = os.path.dirname(s.__file__); "
        "print(sorted(f for f in os.listdir(d) if f.endswith('.yaml')))",
    )

    assert out == "['dataset.yaml', 'organization.yaml']"
    assert "site-packages" in _run(
        installed, "import ckanext.skpd.schemas as s; print(s.__file__)"
    )


def test_catalogues_compiled(installed):
    """The wheel carries compiled Indonesian and English catalogues."""
    out = _run(
        installed,
        "import os, ckanext.skpd.i18n as i; d = os.path.dirname(i.__file__); "
        "print(all(os.path.exists(os.path.join(d, l, 'LC_MESSAGES', "
        "'ckanext-skpd.mo')) for l in ('id', 'en')))",
    )

    assert out == "True"


def test_plugin_entry_points(installed):
    """The plugins are registered under CKAN's entry-point group."""
    out = _run(
        installed,
        "from importlib.metadata import entry_points; "
        "print(sorted(e.name for e in entry_points(group='ckan.plugins')))",
    )

    assert "'skpd'" in out
    assert "'skpd_datajson'" in out


def test_templates_installed(installed):
    """Templates ship inside the package."""
    out = _run(
        installed,
        "import os, ckanext.skpd as p; print(os.path.isdir(os.path.join("
        "os.path.dirname(p.__file__), 'templates')))",
    )

    assert out == "True"


def test_migrations_installed(installed):
    """The plugin's migrations ship where `ckan db upgrade` looks for them."""
    out = _run(
        installed,
        "import os, ckanext.skpd as p; d = os.path.join(os.path.dirname(p.__file__),"
        " 'migration', 'skpd'); print(sorted(os.listdir(d)),"
        " sorted(os.listdir(os.path.join(d, 'versions'))))",
    )

    assert "'alembic.ini'" in out
    assert "'env.py'" in out
    assert "_add_link_and_flow_tables.py'" in out
