"""Harvester for the CKAN site of an SKPD (stock CKAN or this schema).

Gather reads the remote Action API in three steps, each request within the
source's time and size limits:

1. ``organization_list`` with all fields and extras, once, so every remote
   organization can be matched to a local SKPD by SKPD code, name, title
   or the source's ``organization_aliases``;
2. ``package_search`` for the ids and ``metadata_modified`` of every public
   dataset, 1,000 per page: a dataset whose modification time equals the
   one imported last time is not downloaded again (CKAN's API sends no
   ETag, so this is its incremental path);
3. ``package_search`` by id, 50 at a time, for the datasets that are new
   or changed.

Datasets that are no longer listed are handled by the source's removal
policy. Lineage links to remote datasets point at the local copy when it
was harvested from the same source, and at the remote dataset's page
otherwise.

Source configuration keys, beyond those of every SKPD harvester:

``organizations``
    A list of remote organization names; only their datasets are harvested.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any
from urllib.parse import urlencode

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
from ckanext.skpd.mapping import ckan as mapping

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
BATCH_SIZE = 50


def _parse_time(value: Any) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(str(value).rstrip("Z"))
    except ValueError:
        return None


def upstream_first(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the datasets with each one after those its lineage names, so
    the links can point at the local copies."""
    by_id = {dataset["id"]: dataset for dataset in found}
    placed: set[str] = set()
    ordered: list[dict[str, Any]] = []

    def place(dataset_id: str, visiting: set[str]) -> None:
        if dataset_id in placed or dataset_id in visiting:
            return
        visiting.add(dataset_id)
        for entry in by_id[dataset_id].get("lineage") or []:
            upstream = entry.get("upstream") if isinstance(entry, dict) else None
            if upstream in by_id:
                place(upstream, visiting)
        placed.add(dataset_id)
        ordered.append(by_id[dataset_id])

    for dataset_id in by_id:
        place(dataset_id, set())
    return ordered


class SkpdCkanHarvester(SkpdHarvester):
    """Harvest the public datasets of a remote CKAN into the SKPD schema."""

    extra_config_keys = ("organizations",)

    def info(self) -> dict[str, str]:
        return {
            "name": "skpd_ckan",
            "title": "SKPD CKAN site",
            "description": (
                "Harvests the public datasets of an SKPD's own CKAN, with this "
                "schema or stock, matching its organizations to local SKPD by "
                "code, name or an alias table."
            ),
            "form_config_interface": "Text",
        }

    def validate_options(self, options: dict[str, Any]) -> None:
        names = options.get("organizations")
        if names is not None and (
            not isinstance(names, list) or not all(isinstance(n, str) for n in names)
        ):
            raise ValueError(
                "organizations must be a list of remote organization names"
            )

    # Remote API

    def _api(self, source: Any, action: str, **params: Any) -> str:
        base = source.url.rstrip("/")
        query = urlencode(params)
        return f"{base}/api/3/action/{action}" + (f"?{query}" if query else "")

    def _call(
        self,
        harvest_job: HarvestJob,
        options: dict[str, Any],
        summary: dict[str, Any],
        action: str,
        **params: Any,
    ) -> Any:
        url = self._api(harvest_job.source, action, **params)
        download = self.download(
            harvest_job,
            url,
            options,
            summary,
            accept="application/json",
            conditional=False,
        )
        if download.looks_like_html():
            raise SourceError(
                f"{url} responded with a web page, not the CKAN Action API; nothing "
                "was imported. The source URL must be the site's root, such as "
                "https://data.skpd.example.go.id."
            )
        try:
            answer = json.loads(download.text())
        except ValueError as err:
            raise SourceError(
                f"{url} returned invalid JSON ({err}); nothing was imported."
            ) from err
        if not isinstance(answer, dict) or not answer.get("success"):
            raise SourceError(
                f"{url} did not respond as a CKAN Action API; nothing was imported."
            )
        return answer["result"]

    def _listing(
        self, harvest_job: HarvestJob, options: dict[str, Any], summary: dict[str, Any]
    ) -> dict[str, str]:
        """Return remote dataset id -> metadata_modified of every dataset."""
        fq = "+dataset_type:dataset"
        if options.get("organizations"):
            names = " OR ".join(options["organizations"])
            fq += f" +organization:({names})"
        listing: dict[str, str] = {}
        start = 0
        while True:
            result = self._call(
                harvest_job,
                options,
                summary,
                "package_search",
                q="*:*",
                fq=fq,
                fl="id,metadata_modified",
                sort="id asc",
                rows=PAGE_SIZE,
                start=start,
            )
            page = result.get("results") or []
            for item in page:
                listing[item["id"]] = item.get("metadata_modified") or ""
            start += PAGE_SIZE
            if not page or start >= int(result.get("count") or 0):
                return listing

    def _unchanged(self, source_id: str, listing: dict[str, str]) -> set[str]:
        rows = (
            model.Session.query(
                HarvestObject.guid, HarvestObject.metadata_modified_date
            )
            .join(model.Package, model.Package.id == HarvestObject.package_id)
            .filter(HarvestObject.harvest_source_id == source_id)
            .filter(HarvestObject.current == True)  # noqa: E712
            .filter(model.Package.state == "active")
        )
        return {
            guid
            for guid, modified in rows
            if guid in listing and modified == _parse_time(listing[guid])
        }

    # Gather

    def gather_records(
        self, harvest_job: HarvestJob, options: dict[str, Any], summary: dict[str, Any]
    ) -> list[Record] | None:
        organizations = self._call(
            harvest_job,
            options,
            summary,
            "organization_list",
            all_fields="true",
            include_extras="true",
            limit=1000,
        )
        by_id = {org["id"]: mapping.organization_ref(org) for org in organizations}
        listing = self._listing(harvest_job, options, summary)
        unchanged = self._unchanged(harvest_job.source.id, listing)
        wanted = sorted(set(listing) - unchanged)

        fetched: list[dict[str, Any]] = []
        for start in range(0, len(wanted), BATCH_SIZE):
            batch = wanted[start : start + BATCH_SIZE]
            result = self._call(
                harvest_job,
                options,
                summary,
                "package_search",
                fq="id:({})".format(" OR ".join(batch)),
                rows=len(batch),
            )
            fetched += result.get("results") or []
        records = [Record(guid, None) for guid in sorted(unchanged)]
        records += [self._record(d, by_id) for d in upstream_first(fetched)]
        return records

    def _record(self, dataset: dict[str, Any], by_id: dict[str, Any]) -> Record:
        referenced = {
            dataset.get("owner_org"),
            dataset.get("producer"),
            dataset.get("custodian"),
        }
        for entry in dataset.get("authority_roles") or []:
            referenced.add(entry.get("holder"))
        for entry in dataset.get("exchange_needs") or []:
            referenced.add(entry.get("consumer"))
        content = {
            "dataset": dataset,
            "organizations": {k: by_id[k] for k in referenced if k in by_id},
        }
        return Record(
            dataset["id"],
            json.dumps(content, ensure_ascii=False, sort_keys=True),
            _parse_time(dataset.get("metadata_modified")),
        )

    # Import

    def record_label(self, harvest_object: HarvestObject) -> str:
        content = json.loads(harvest_object.content or "{}")
        dataset = content.get("dataset") or {}
        title = dataset.get("title") or dataset.get("name") or "untitled"
        return f'"{title}" (remote id {harvest_object.guid})'

    def map_object(
        self, harvest_object: HarvestObject, options: dict[str, Any]
    ) -> MappedDataset:
        content = json.loads(harvest_object.content)
        result = mapping.map_dataset(content["dataset"])
        remote_orgs = content["organizations"]
        problems = list(result.problems)

        def ref(value: Any) -> Any:
            if not (isinstance(value, str) and value.startswith("org:")):
                return value
            remote = remote_orgs.get(value[len("org:") :])
            if remote is None:
                problems.append(
                    f"{value[len('org:') :]}: the remote site lists no organization "
                    "with this id."
                )
                return None
            return OrgRef(**remote)

        package = result.package
        for key in mapping.ORG_FIELDS:
            if key in package:
                package[key] = ref(package[key])
        for key, subfield in (
            ("authority_roles", "holder"),
            ("exchange_needs", "consumer"),
        ):
            for entry in package.get(key) or []:
                entry[subfield] = ref(entry[subfield])
        return MappedDataset(
            package=package,
            problems=problems,
            unmapped=result.unmapped,
            identifier=content["dataset"].get("name"),
        )

    def resolve_upstream(
        self, harvest_object: HarvestObject, upstream: str, mapped: MappedDataset
    ) -> str:
        if not upstream.startswith("dataset:"):
            return upstream
        remote_id = upstream[len("dataset:") :]
        local = self.upstream_by_guid(harvest_object, remote_id)
        if local:
            return local
        if not remote_id:
            raise RecordError("lineage: an upstream entry names no dataset.")
        return "{}/dataset/{}".format(harvest_object.source.url.rstrip("/"), remote_id)
