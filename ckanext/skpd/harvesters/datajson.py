"""Harvester for SKPD data.json catalogues (Project Open Data 1.1).

It is ckanext-dcat's JSON harvester with the gather and import stages of
:class:`~ckanext.skpd.harvesters.base.SkpdHarvester`:

- the catalogue is downloaded once per job, within the time and size
  limits, with a conditional request when the last job left nothing to
  retry; a ``304 Not Modified`` ends the job at once;
- an answer that is a web page, not JSON, or not a catalogue ends the job
  with one error that says what was received and nothing is imported;
- only records whose text changed since the last import are queued;
- records are mapped with :mod:`ckanext.skpd.mapping.datajson` and
  imported through the scheming schema, their publishing, producing and
  custodian SKPD matched to organizations or created once.

Source configuration keys, beyond those of every SKPD harvester:

``default_publisher``
    The SKPD name to use for records that name no publisher, when the
    catalogue itself names none either.
``publisher_aliases``
    Older name of ``organization_aliases``; both are read.
``allow_control_characters``
    ``true`` to accept raw control characters (a tab or line break typed
    into a description) inside JSON strings, which strict JSON forbids.
    Off by default, so such a catalogue ends its job with an error naming
    the line and column.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from hashlib import sha1
from typing import Any

from ckanext.dcat.harvesters._json import DCATJSONHarvester
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.skpd.harvesters.base import (
    EXTRA_CREATED_ORGS,
    EXTRA_UNMAPPED,
    MappedDataset,
    Record,
    SkpdHarvester,
    SourceError,
)
from ckanext.skpd.harvesters.organizations import (
    OrgRef,
    find_organization,
    organization_keys,
)
from ckanext.skpd.mapping import datajson

__all__ = [
    "EXTRA_CREATED_ORGS",
    "EXTRA_UNMAPPED",
    "SkpdDataJsonHarvester",
    "find_organization",
    "organization_keys",
]

log = logging.getLogger(__name__)

ACCEPT = "application/json, application/ld+json;q=0.9, */*;q=0.1"


def org_ref(skpd: datajson.Skpd) -> OrgRef:
    """Return the organization reference of an SKPD named in data.json."""
    return OrgRef(
        name=skpd.raw or skpd.title,
        title=skpd.title,
        abbreviation=skpd.abbreviation or "",
        kind=skpd.kind or "",
    )


def _sha1(text: str) -> str:
    return sha1(text.encode("utf-8")).hexdigest()


def parse_catalogue(text: str, url: str, allow_control_characters: bool = False) -> Any:
    """Parse a data.json document.

    :raises SourceError: naming the line and column of invalid JSON
    """
    try:
        return json.loads(text, strict=not allow_control_characters)
    except json.JSONDecodeError as err:
        hint = ""
        if "control character" in err.msg:
            hint = (
                " A string holds a raw control character (such as a tab or a "
                "line break typed into a description); JSON requires it to be "
                "escaped (\\t, \\n). Ask the SKPD to fix its export, or set "
                '"allow_control_characters": true in the harvest source '
                "configuration to accept it."
            )
        raise SourceError(
            f"{url} is not valid JSON: {err.msg} at line {err.lineno}, "
            f"column {err.colno}; nothing was imported.{hint}"
        ) from err


def catalogue_records(document: Any, url: str) -> tuple[list[Any], str | None]:
    """Return the records and the catalogue-level publisher of a document.

    :raises SourceError: when the document is not a catalogue
    """
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict) and isinstance(document.get("dataset", []), list):
        if "dataset" not in document:
            raise SourceError(
                f'{url} is JSON but not a data.json catalogue: it has no "dataset" '
                "list; nothing was imported. Check the URL of the harvest "
                "source."
            )
        return document["dataset"], datajson.catalogue_publisher(document)
    raise SourceError(
        f"{url} is JSON but not a data.json catalogue (expected an object with a "
        '"dataset" list); nothing was imported.'
    )


def records_with_guids(
    records: list[Any], publisher: str | None
) -> tuple[list[Record], list[str]]:
    """Give every record a stable guid.

    A catalogue-level publisher is copied into the records that name none.
    A record without identifier is known by a hash of its title and
    publisher. A repeated identifier gets a hash of the record's title
    appended, so each record stays one dataset across runs.

    :returns: the records, and one problem message per repeated identifier
        and for records without identifier
    """
    result: list[Record] = []
    titles: dict[str, list[str]] = defaultdict(list)
    missing: list[str] = []
    missing_guids: set[str] = set()
    seen: set[str] = set()
    for record in records:
        if publisher and isinstance(record, dict) and not record.get("publisher"):
            record[datajson.CATALOGUE_PUBLISHER_KEY] = publisher
        content = json.dumps(record, ensure_ascii=False)
        is_dict = isinstance(record, dict)
        title = str(record.get("title") or "") if is_dict else ""
        guid = str(record.get("identifier") or "").strip() if is_dict else ""
        if not guid:
            missing.append(title or content[:60])
            owner = json.dumps(record.get("publisher")) if is_dict else ""
            guid = _sha1(f"{title}\n{owner}" if title else content)
            missing_guids.add(guid)
        titles[guid].append(title)
        if guid in seen:
            guid = f"{guid}#{_sha1(title or content)[:12]}"
        seen.add(guid)
        result.append(Record(guid, content))

    problems = [
        "Identifier {} is used by {} records ({}). Each was imported as its own "
        "dataset under the identifier plus a hash of its title; give every "
        "record its own identifier.".format(
            guid, len(names), "; ".join(f'"{name}"' for name in names[:10])
        )
        for guid, names in titles.items()
        if len(names) > 1 and guid not in missing_guids
    ]
    if missing:
        problems.append(
            "{} record(s) have no identifier ({}); they are tracked by title "
            "and publisher. Give every record an identifier.".format(
                len(missing), "; ".join(f'"{name}"' for name in missing[:10])
            )
        )
    return result, problems


class SkpdDataJsonHarvester(SkpdHarvester, DCATJSONHarvester):
    """Harvest POD 1.1 ``data.json`` catalogues into SKPD organizations."""

    extra_config_keys = (
        "default_publisher",
        "publisher_aliases",
        "allow_control_characters",
    )

    def info(self) -> dict[str, str]:
        return {
            "name": "skpd_datajson",
            "title": "SKPD data.json (Project Open Data 1.1)",
            "description": (
                "Harvests a data.json catalogue of a regional government into "
                "the SKPD schema: publishers become SKPD organizations, and "
                "cadence, access level and the Satu Data standard fields are "
                "mapped."
            ),
            "form_config_interface": "Text",
        }

    # Configuration

    def validate_options(self, options: dict[str, Any]) -> None:
        default = options.get("default_publisher")
        if default is not None and (
            not isinstance(default, str) or not default.strip()
        ):
            raise ValueError(
                "default_publisher must be a non-empty string, the name of an SKPD"
            )
        aliases = options.get("publisher_aliases")
        if aliases is not None:
            if not isinstance(aliases, dict):
                raise ValueError(
                    "publisher_aliases must be an object mapping a publisher "
                    "name to a local organization name"
                )
            bad = [k for k, v in aliases.items() if not isinstance(v, str) or not v]
            if bad:
                raise ValueError(
                    "publisher_aliases: the value for {} must be the name of a "
                    "local organization".format(", ".join(repr(k) for k in bad))
                )
        flag = options.get("allow_control_characters")
        if flag is not None and not isinstance(flag, bool):
            raise ValueError("allow_control_characters must be true or false")

    def source_options(self, source: Any) -> dict[str, Any]:
        options = super().source_options(source)
        if options.get("publisher_aliases"):
            aliases = dict(options["publisher_aliases"])
            aliases.update(options.get("organization_aliases") or {})
            options["organization_aliases"] = aliases
        return options

    # Gather

    def gather_records(
        self, harvest_job: HarvestJob, options: dict[str, Any], summary: dict[str, Any]
    ) -> list[Record] | None:
        url = harvest_job.source.url
        download = self.download(harvest_job, url, options, summary, accept=ACCEPT)
        if download.not_modified:
            return None
        if download.looks_like_html():
            raise SourceError(
                "{} responded with a web page (Content-Type {}) instead of a "
                "data.json catalogue; nothing was imported. Point the harvest "
                "source at the JSON document itself.".format(
                    url, download.content_type or "unknown"
                )
            )
        document = parse_catalogue(
            download.text(), url, bool(options.get("allow_control_characters"))
        )
        records, publisher = catalogue_records(document, url)
        found, problems = records_with_guids(records, publisher)
        for message in problems:
            self.report_problem(harvest_job, summary, message)
        return found

    # Import

    def map_object(
        self, harvest_object: HarvestObject, options: dict[str, Any]
    ) -> MappedDataset:
        record = json.loads(harvest_object.content)
        result = datajson.map_record(
            record, default_publisher=options.get("default_publisher")
        )
        package = dict(result.package)
        if result.publisher is not None:
            package["owner_org"] = org_ref(result.publisher)
        if result.producer is not None:
            package["producer"] = org_ref(result.producer)
        if result.custodian is not None:
            package["custodian"] = org_ref(result.custodian)
        return MappedDataset(
            package=package,
            problems=list(result.problems),
            unmapped=list(result.unmapped),
            identifier=result.identifier,
        )
