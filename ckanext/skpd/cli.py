"""Command-line interface: ``ckan skpd ...``."""

from __future__ import annotations

import click

__all__ = ["skpd"]


@click.group(short_help="SKPD catalogue commands")
def skpd() -> None:
    """Commands of the SKPD catalogue."""
