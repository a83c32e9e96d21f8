"""Harvester for SKPD inventory spreadsheets (CSV or XLSX, one row per dataset).

The source URL points at a spreadsheet made from the template that
``/harvest/skpd-template/<lang>.<csv|xlsx>`` serves (see
:mod:`ckanext.skpd.mapping.spreadsheet` for the columns). Each row is one
dataset; its guid is the ``Kode dataset`` (dataset code) column, or a hash
of its title and owning SKPD when that is empty.

Every problem of a row is reported on its harvest object with the row and
the column, and the row is not imported; the other rows are. A header
that is not a template column is listed in the job report and ignored.
Rows whose lineage names another row by its dataset code are imported
after that row, so the link points at the local dataset.
"""

from __future__ import annotations

import json
import logging
import re
from hashlib import sha1
from typing import Any

import ckan.model as model

from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.skpd.harvesters.base import (
    MappedDataset,
    Record,
    RecordError,
    SkpdHarvester,
    SourceError,
)
from ckanext.skpd.harvesters.organizations import OrgRef
from ckanext.skpd.mapping import spreadsheet

log = logging.getLogger(__name__)

ACCEPT = (
    "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, "
    "*/*;q=0.1"
)
_CODE = re.compile(r"^\d+(\.\d+)+$")


def org_ref(text: str) -> OrgRef:
    """Return the reference of an SKPD written as a name or as an SKPD code."""
    text = text.strip()
    if _CODE.match(text):
        return OrgRef(code=text)
    return OrgRef(name=text)


def _guid(values: dict[str, str]) -> str:
    code = values.get("dataset_code", "").strip()
    if code:
        return code
    key = "{}\n{}".format(
        values.get("title", "").strip(), values.get("owner", "").strip()
    )
    return "row-" + sha1(key.lower().encode("utf-8")).hexdigest()[:16]


def _upstream_codes(values: dict[str, str]) -> set[str]:
    codes = set()
    for entry in re.split(r"[;\n]", values.get("lineage", "")):
        upstream = entry.split("|")[0].strip()
        if upstream and not upstream.startswith(("http://", "https://")):
            codes.add(upstream)
    return codes


def ordered_rows(
    rows: list[tuple[int, dict[str, str]]],
) -> list[tuple[int, dict[str, str]]]:
    """Return the rows with every row after the rows its lineage names.

    Rows that repeat the dataset code of an earlier row come last.
    """
    by_guid: dict[str, tuple[int, dict[str, str]]] = {}
    repeats = []
    for number, values in rows:
        if _guid(values) in by_guid:
            repeats.append((number, values))
        else:
            by_guid[_guid(values)] = (number, values)
    placed: set[str] = set()
    ordered: list[tuple[int, dict[str, str]]] = []

    def place(guid: str, visiting: set[str]) -> None:
        if guid in placed or guid in visiting:
            return
        visiting.add(guid)
        for code in sorted(_upstream_codes(by_guid[guid][1])):
            if code in by_guid:
                place(code, visiting)
        placed.add(guid)
        ordered.append(by_guid[guid])

    for guid in by_guid:
        place(guid, set())
    return ordered + repeats


class SkpdSpreadsheetHarvester(SkpdHarvester):
    """Harvest an SKPD inventory spreadsheet (CSV or XLSX) into the SKPD schema."""

    def info(self) -> dict[str, str]:
        return {
            "name": "skpd_spreadsheet",
            "title": "SKPD inventory spreadsheet (CSV, XLSX)",
            "description": (
                "Harvests the data inventory of an SKPD kept in the catalogue's "
                "spreadsheet template, one row per dataset, covering the seven "
                "analysis steps."
            ),
            "form_config_interface": "Text",
        }

    def gather_records(
        self, harvest_job: HarvestJob, options: dict[str, Any], summary: dict[str, Any]
    ) -> list[Record] | None:
        url = harvest_job.source.url
        download = self.download(harvest_job, url, options, summary, accept=ACCEPT)
        if download.not_modified:
            return None
        if download.looks_like_html():
            raise SourceError(
                f"{url} responded with a web page instead of a CSV or XLSX "
                "spreadsheet; nothing was imported. Point the harvest source at "
                "the file itself."
            )
        try:
            if spreadsheet.is_xlsx(download.body):
                sheet = spreadsheet.read_xlsx(download.body)
            else:
                sheet = spreadsheet.read_csv(download.text())
        except spreadsheet.SpreadsheetError as err:
            raise SourceError(
                f"{url} cannot be read as an inventory: {err}; nothing was imported."
            ) from err
        for message in sheet.problems:
            self.report_problem(harvest_job, summary, message)
        return self._records(harvest_job, sheet, summary)

    def _records(
        self, harvest_job: HarvestJob, sheet: spreadsheet.Sheet, summary: dict[str, Any]
    ) -> list[Record]:
        records: list[Record] = []
        rows_by_guid: dict[str, int] = {}
        for number, values in ordered_rows(sheet.rows):
            guid = _guid(values)
            if guid in rows_by_guid:
                self.report_problem(
                    harvest_job,
                    summary,
                    f'Row {number} repeats the dataset code "{guid}" of row '
                    f"{rows_by_guid[guid]}; it was not imported. Give every row its "
                    "own dataset code.",
                )
                continue
            rows_by_guid[guid] = number
            content = {
                "row": number,
                "values": values,
                "columns": sheet.columns,
                "headers": sheet.headers,
            }
            records.append(Record(guid, json.dumps(content, ensure_ascii=False)))
        return records

    def record_label(self, harvest_object: HarvestObject) -> str:
        content = json.loads(harvest_object.content or "{}")
        title = content.get("values", {}).get("title") or "untitled"
        return f'"{title}" (row {content.get("row")}, code {harvest_object.guid})'

    def map_object(
        self, harvest_object: HarvestObject, options: dict[str, Any]
    ) -> MappedDataset:
        content = json.loads(harvest_object.content)
        sheet = spreadsheet.Sheet(content["columns"], content["headers"], [])
        result = spreadsheet.map_row(content["row"], content["values"], sheet)
        package = result.package
        for field_name in ("owner_org", "producer", "custodian"):
            if package.get(field_name):
                package[field_name] = org_ref(package[field_name])
        for field_name, subfield in (
            ("authority_roles", "holder"),
            ("exchange_needs", "consumer"),
        ):
            for entry in package.get(field_name) or []:
                entry[subfield] = org_ref(entry[subfield])
        return MappedDataset(
            package=package,
            problems=result.problems,
            identifier=content["values"].get("dataset_code") or None,
            line=content["row"],
        )

    def problem_message(
        self, harvest_object: HarvestObject, mapped: MappedDataset
    ) -> str:
        return "{} was not imported. {}".format(
            self.record_label(harvest_object), " ".join(mapped.problems)
        )

    def resolve_upstream(
        self, harvest_object: HarvestObject, upstream: str, mapped: MappedDataset
    ) -> str:
        if not upstream.startswith("code:"):
            return upstream
        code = upstream[len("code:") :]
        found = self.upstream_by_guid(harvest_object, code)
        if found:
            return found
        package = model.Package.get(code)
        if package is not None and package.state == "active":
            return package.id
        row = f"Row {mapped.line}"
        raise RecordError(
            f'{row}, lineage: "{code}" is neither the dataset code of a row imported '
            "from this spreadsheet, nor a dataset of this catalogue, nor an "
            "http(s) URI. Correct the code, or import "
            "the row it names first.",
            mapped.line,
        )
