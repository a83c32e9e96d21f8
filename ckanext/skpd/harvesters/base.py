"""What every SKPD harvester shares: limits, incremental gathering, removal
policy, the import into the SKPD schema and the merge with local edits.

A harvester subclasses :class:`SkpdHarvester` and implements

- :meth:`SkpdHarvester.gather_records`: download the source and return its
  records as :class:`Record` (a stable guid and the record's content as
  text), or None when the source responded that nothing changed;
- :meth:`SkpdHarvester.map_object`: turn the content of one harvest object
  into a :class:`MappedDataset` for the SKPD schema.

The base class then

- creates harvest objects only for new and changed records: a record whose
  content equals the one imported last time is not queued, not fetched and
  not written, and the job summary counts it as unchanged;
- applies the source's removal policy to records that left the source
  (``withdraw``: the dataset is deleted and revived if the record returns;
  ``keep``: the dataset stays) and lists them in the job summary;
- imports each record through ``package_create`` or ``package_update``
  with the site's scheming schema, resolving SKPD names to organizations
  (:mod:`~ckanext.skpd.harvesters.organizations`), and merging with what
  people changed locally (:mod:`~ckanext.skpd.harvesters.merge`);
- turns every failure into a job error (download, parsing) or an object
  error naming the field and the fix, rolls the session back and removes
  the organizations the failed import created, so no partial dataset stays;
- imports an object only once, even when the queue delivers it again.

Source configuration keys every SKPD harvester accepts (JSON object):

``removed_policy``
    ``"withdraw"`` or ``"keep"``; default ``ckanext.skpd.harvest.removed_policy``.
``timeout``
    Seconds for one request; default ``ckanext.skpd.harvest.timeout``.
``max_bytes``
    Largest response body; default ``ckanext.skpd.harvest.max_bytes``.
``organization_aliases``
    Object mapping an SKPD name or code as the source writes it to the name
    of a local organization.
"""

from __future__ import annotations

import copy
import datetime
import json
import logging
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import (
    HarvestJob,
    HarvestObject,
    HarvestObjectError,
    HarvestObjectExtra,
)
from ckanext.skpd.harvesters import merge, organizations, state
from ckanext.skpd.harvesters.fetch import Download, FetchError, Limits, Validators
from ckanext.skpd.harvesters.fetch import fetch as http_fetch
from ckanext.skpd.harvesting import config as harvest_config

log = logging.getLogger(__name__)

COMMON_CONFIG_KEYS = ("removed_policy", "timeout", "max_bytes", "organization_aliases")

# Harvest object extras.
EXTRA_STATUS = "status"
EXTRA_SNAPSHOT = "skpd_source"
EXTRA_UNMAPPED = "skpd_unmapped"
EXTRA_CREATED_ORGS = "skpd_created_organizations"

# Dataset extras written from the harvest; harvest_* ones are added at
# index time by ckanext-harvest and are never saved.
EXTRA_GUID = "guid"
EXTRA_REMOTE_ID = "remote_identifier"
EXTRA_SOURCE_URL = "harvest_source_url"
_INDEX_EXTRAS = ("harvest_object_id", "harvest_source_id", "harvest_source_title")

# Dataset fields that hold an organization reference.
ORG_FIELDS = ("owner_org", "producer", "custodian")
ORG_SUBFIELDS = (("authority_roles", "holder"), ("exchange_needs", "consumer"))

MAX_LISTED = 50


class SourceError(Exception):
    """A source whose response cannot be read, with a message for the report."""


class RecordError(Exception):
    """A record that cannot be imported, with a message for the source owner."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Record:
    """One record of a source, as gathered.

    :ivar guid: stable identifier of the record within its source
    :ivar content: the record as text, stored on the harvest object; two
        runs that produce the same text for a record leave it untouched.
        None for a record the source says is unchanged (it is neither
        downloaded nor counted as removed).
    :ivar modified: when the source last changed the record, if it says
    """

    guid: str
    content: str | None
    modified: datetime.datetime | None = None


@dataclass
class MappedDataset:
    """A record mapped onto the SKPD schema, before organizations are resolved.

    :ivar package: dataset fields; organization fields hold
        :class:`~ckanext.skpd.harvesters.organizations.OrgRef` values
    :ivar problems: reasons the record cannot be imported; empty when it can
    :ivar unmapped: ``(field, value)`` pairs that matched no vocabulary
    :ivar identifier: the record's identifier at the source
    :ivar line: the line or row of the record in its document, for reports
    """

    package: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    unmapped: list[tuple[str, Any]] = field(default_factory=list)
    identifier: str | None = None
    line: int | None = None


def _now() -> str:
    return datetime.datetime.utcnow().replace(microsecond=0).isoformat()


def flatten_errors(errors: Any, prefix: str = "") -> str:
    """Return a validation error dict as ``field: message; ...`` text."""
    parts: list[str] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            text = flatten_errors(value, name)
            if text:
                parts.append(text)
    elif isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            messages = " ".join(item for item in errors if item)
            return f"{prefix}: {messages}" if messages else ""
        for index, item in enumerate(errors):
            text = flatten_errors(item, f"{prefix}[{index}]")
            if text:
                parts.append(text)
    elif errors:
        return f"{prefix}: {errors}"
    return "; ".join(parts)


class SkpdHarvester(HarvesterBase):
    """Base class of the SKPD harvesters (see the module documentation)."""

    #: Configuration keys of the harvester beyond COMMON_CONFIG_KEYS.
    extra_config_keys: tuple[str, ...] = ()

    # Subclass API -------------------------------------------------------

    def gather_records(
        self, harvest_job: HarvestJob, options: dict[str, Any], summary: dict[str, Any]
    ) -> list[Record] | None:
        """Return the records of the source, or None when it is unchanged.

        :raises FetchError: when the source cannot be downloaded
        :raises SourceError: when its response cannot be read
        """
        raise NotImplementedError

    def map_object(
        self, harvest_object: HarvestObject, options: dict[str, Any]
    ) -> MappedDataset:
        """Map the content of a harvest object onto the SKPD schema."""
        raise NotImplementedError

    def record_label(self, harvest_object: HarvestObject) -> str:
        """Return how the job report names a record."""
        try:
            record = json.loads(harvest_object.content or "{}")
        except ValueError:
            record = {}
        title = record.get("title") if isinstance(record, dict) else None
        return '"{}" (identifier {})'.format(title or "untitled", harvest_object.guid)

    def resolve_upstream(
        self, harvest_object: HarvestObject, upstream: str, mapped: MappedDataset
    ) -> str:
        """Return the lineage upstream to store for one the source names.

        :raises RecordError: when the upstream cannot be resolved
        """
        return upstream

    def upstream_by_guid(self, harvest_object: HarvestObject, guid: str) -> str | None:
        """Return the id of the dataset imported from this source under a guid."""
        return (
            model.Session.query(HarvestObject.package_id)
            .join(model.Package, model.Package.id == HarvestObject.package_id)
            .filter(HarvestObject.guid == guid)
            .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id)
            .filter(HarvestObject.current == True)  # noqa: E712
            .filter(model.Package.state == "active")
            .limit(1)
            .scalar()
        )

    def validate_options(self, options: dict[str, Any]) -> None:
        """Check the harvester's own configuration keys.

        :raises ValueError: naming the option and what is expected
        """

    # Configuration ------------------------------------------------------

    def validate_config(self, config: str | None) -> str | None:
        """Check the source configuration and return it unchanged.

        :raises ValueError: naming the option and what is expected
        """
        if not config or not config.strip():
            return config
        try:
            options = json.loads(config)
        except ValueError as err:
            raise ValueError(f"the configuration is not valid JSON ({err})") from err
        if not isinstance(options, dict):
            raise ValueError("the configuration must be a JSON object")

        known = COMMON_CONFIG_KEYS + self.extra_config_keys
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ValueError(
                "unknown option(s) {}; the options are {}".format(
                    ", ".join(unknown), ", ".join(known)
                )
            )
        _check_common_options(options)
        self.validate_options(options)
        return config

    def source_options(self, source: Any) -> dict[str, Any]:
        try:
            options = json.loads(source.config or "{}")
        except ValueError:
            return {}
        return options if isinstance(options, dict) else {}

    def limits(self, options: dict[str, Any]) -> Limits:
        return Limits(
            timeout=float(options.get("timeout") or harvest_config.timeout()),
            max_bytes=int(options.get("max_bytes") or harvest_config.max_bytes()),
            user_agent=harvest_config.user_agent(),
        )

    def removed_policy(self, options: dict[str, Any]) -> str:
        return options.get("removed_policy") or harvest_config.removed_policy()

    # Gather -------------------------------------------------------------

    def gather_stage(self, harvest_job: HarvestJob) -> list[str] | None:
        source = harvest_job.source
        options = self.source_options(source)
        summary: dict[str, Any] = {
            "job_id": harvest_job.id,
            "started": _now(),
            "ok": False,
            "problems": [],
            "downloads": [],
            "validators": {},
        }
        try:
            records = self.gather_records(harvest_job, options, summary)
            if records is None:
                summary.update(ok=True, not_modified=True)
                log.info("Source %s has not changed; nothing to import", source.url)
                return []
            ids = self.queue_changes(harvest_job, records, options, summary)
            summary["ok"] = True
            self._keep_validators(source, summary)
            return ids
        except (FetchError, SourceError) as err:
            model.Session.rollback()
            self._save_gather_error(str(err), harvest_job)
            summary["problems"].append(str(err))
            return None
        finally:
            summary.pop("validators", None)
            summary["finished"] = _now()
            state.record_run(source.id, summary)

    def report_problem(
        self, harvest_job: HarvestJob, summary: dict[str, Any], message: str
    ) -> None:
        """List a problem of the source in the job report; the job goes on."""
        self._save_gather_error(message, harvest_job)
        summary["problems"].append(message)

    def download(
        self,
        harvest_job: HarvestJob,
        url: str,
        options: dict[str, Any],
        summary: dict[str, Any],
        accept: str | None = None,
        conditional: bool = True,
    ) -> Download:
        """Download a document of the source, conditionally when possible.

        The validators of the answer are kept once the whole gather has
        succeeded, for the next job's conditional request.
        """
        validators = None
        if conditional and self._may_reuse_validators(harvest_job):
            validators = Validators.from_dict(
                state.load(harvest_job.source.id).get("validators", {}).get(url)
            )
        result = http_fetch(url, self.limits(options), validators, accept=accept)
        summary["downloads"].append(
            {
                "url": url,
                "status": result.status,
                "bytes": result.size,
                "seconds": round(result.seconds, 3),
                "conditional": validators is not None,
            }
        )
        if result.validators is not None:
            summary["validators"][url] = result.validators.as_dict()
        elif result.not_modified and validators is not None:
            summary["validators"][url] = validators.as_dict()
        return result

    def _may_reuse_validators(self, harvest_job: HarvestJob) -> bool:
        """Tell whether the last job leaves nothing to retry.

        A conditional request is sent only when the configuration is the
        one the validators were obtained with, the last job still exists,
        its gather succeeded and none of its records failed to import:
        otherwise the failed records would never be tried again while the
        source stays unchanged.
        """
        source = harvest_job.source
        saved = state.load(source.id)
        if saved.get("config") != state.config_fingerprint(source.config):
            return False
        runs = [r for r in saved.get("runs", []) if r.get("job_id") != harvest_job.id]
        if not runs or not runs[0].get("ok"):
            return False
        last_job = runs[0]["job_id"]
        if HarvestJob.get(last_job) is None:
            return False
        errored = (
            model.Session.query(HarvestObject.id)
            .filter(HarvestObject.harvest_job_id == last_job)
            .filter(HarvestObject.state == "ERROR")
            .count()
        )
        return errored == 0

    def _keep_validators(self, source: Any, summary: dict[str, Any]) -> None:
        saved = state.load(source.id)
        saved["validators"] = summary.get("validators") or {}
        saved["config"] = state.config_fingerprint(source.config)
        state.save(source.id, saved)

    def queue_changes(
        self,
        harvest_job: HarvestJob,
        records: list[Record],
        options: dict[str, Any],
        summary: dict[str, Any],
    ) -> list[str]:
        """Create harvest objects for new and changed records, and apply the
        removal policy to records that left the source.

        :returns: the ids of the objects to send to the fetch queue
        """
        source_id = harvest_job.source.id
        current = {
            guid: (package_id, content)
            for guid, package_id, content in model.Session.query(
                HarvestObject.guid, HarvestObject.package_id, HarvestObject.content
            )
            .filter(HarvestObject.current == True)  # noqa: E712
            .filter(HarvestObject.harvest_source_id == source_id)
        }
        package_states = _package_states([pid for pid, _c in current.values() if pid])

        ids: list[str] = []
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        for record in records:
            package_id, content = current.get(record.guid, (None, None))
            if record.content is None or (
                package_id
                and content == record.content
                and package_states.get(package_id) in ("active", "deleted")
            ):
                counts["unchanged"] += 1
                continue
            status = "change" if package_id else "new"
            counts["changed" if package_id else "new"] += 1
            ids.append(
                self._new_object(
                    harvest_job,
                    record.guid,
                    status,
                    package_id,
                    record.content,
                    record.modified,
                )
            )

        seen = {record.guid for record in records}
        removed = sorted(guid for guid in current if guid not in seen)
        ids += self._apply_removed_policy(
            harvest_job, removed, current, options, summary
        )
        model.Session.commit()

        summary.update(records=len(records), **counts)
        log.info(
            "Source %s: %d records, %d new, %d changed, %d unchanged, %d removed",
            harvest_job.source.url,
            len(records),
            counts["new"],
            counts["changed"],
            counts["unchanged"],
            len(removed),
        )
        return ids

    def _new_object(
        self,
        harvest_job: HarvestJob,
        guid: str,
        status: str,
        package_id: str | None,
        content: str | None,
        modified: datetime.datetime | None = None,
    ) -> str:
        obj = HarvestObject(
            id=str(uuid.uuid4()),
            guid=guid,
            job=harvest_job,
            package_id=package_id,
            content=content,
            metadata_modified_date=modified,
            extras=[HarvestObjectExtra(key=EXTRA_STATUS, value=status)],
        )
        model.Session.add(obj)
        return obj.id

    def _apply_removed_policy(
        self,
        harvest_job: HarvestJob,
        removed: list[str],
        current: dict[str, tuple[str | None, str | None]],
        options: dict[str, Any],
        summary: dict[str, Any],
    ) -> list[str]:
        policy = self.removed_policy(options)
        titles = _package_titles(
            [current[guid][0] for guid in removed if current[guid][0]]
        )
        summary["removed"] = {
            "policy": policy,
            "count": len(removed),
            "datasets": [
                {
                    "guid": guid,
                    "id": current[guid][0],
                    "title": titles.get(current[guid][0] or "", ""),
                }
                for guid in removed[:MAX_LISTED]
            ],
        }
        if policy == "keep" or not removed:
            return []

        ids = []
        for guid in removed:
            package_id = current[guid][0]
            ids.append(self._new_object(harvest_job, guid, "delete", package_id, None))
            model.Session.query(HarvestObject).filter(
                HarvestObject.guid == guid,
                HarvestObject.harvest_source_id == harvest_job.source.id,
                HarvestObject.harvest_job_id != harvest_job.id,
            ).update({"current": False}, synchronize_session=False)
        return ids

    # Fetch --------------------------------------------------------------

    def fetch_stage(self, harvest_object: HarvestObject) -> bool:
        return True

    # Import -------------------------------------------------------------

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        if not harvest_object:
            log.error("No harvest object received")
            return False

        if harvest_object.import_finished is not None:
            return self._delivered_again(harvest_object)

        status = self._object_extra(harvest_object, EXTRA_STATUS)
        if status == "delete":
            return self._withdraw(harvest_object)
        if harvest_object.content is None:
            self._save_object_error(
                f"Empty content for object {harvest_object.id}",
                harvest_object,
                "Import",
            )
            return False

        created: list[str] = []
        line = None
        try:
            options = self.source_options(harvest_object.source)
            mapped = self.map_object(harvest_object, options)
            line = mapped.line
            return self._import(harvest_object, mapped, options, created)
        except tk.ValidationError as err:
            message = self.validation_message(harvest_object, err.error_dict)
        except (RecordError, organizations.OrganizationError) as err:
            message = str(err)
            line = getattr(err, "line", None) or line
        except Exception as err:  # noqa: BLE001 - reported on the object
            log.exception("Importing harvest object %s failed", harvest_object.id)
            trace = traceback.format_exc()
            message = f"Unexpected error importing the record: {err!r}\n{trace}"

        model.Session.rollback()
        organizations.purge(created, self._get_user_name())
        HarvestObjectError.create(message, harvest_object, "Import", line)
        return False

    def _delivered_again(self, harvest_object: HarvestObject) -> bool | str:
        """Repeat the outcome of an object that was already imported.

        ``harvest_jobs_run`` of ckanext-harvest 1.6.3 (run by ``ckan
        harvester run``) puts every WAITING object that is not in the Redis
        list back on the fetch queue, including objects whose job is still
        gathering, so an object can arrive twice. Importing it again would
        create a second dataset.
        """
        log.info("Harvest object %s was already imported; skipped", harvest_object.id)
        if harvest_object.report_status == "errored":
            return False
        if harvest_object.report_status == "not modified":
            return "unchanged"
        return True

    def _withdraw(self, harvest_object: HarvestObject) -> bool:
        context = {"user": self._get_user_name(), "ignore_auth": True}
        try:
            tk.get_action("package_delete")(context, {"id": harvest_object.package_id})
        except tk.ObjectNotFound:
            log.info("Dataset %s was already gone", harvest_object.package_id)
        log.info(
            "Withdrew dataset %s: record %s left the source",
            harvest_object.package_id,
            harvest_object.guid,
        )
        return True

    def _object_extra(self, harvest_object: HarvestObject, key: str) -> str | None:
        for extra in harvest_object.extras:
            if extra.key == key:
                return extra.value
        return None

    def _import(
        self,
        harvest_object: HarvestObject,
        mapped: MappedDataset,
        options: dict[str, Any],
        created: list[str],
    ) -> bool | str:
        if mapped.problems:
            raise RecordError(self.problem_message(harvest_object, mapped), mapped.line)

        previous = self._previous_object(harvest_object)
        if previous is not None:
            previous.current = False
            previous.add()
        if self._same_as_previous(harvest_object, previous):
            return self._keep_as_is(harvest_object, previous.package_id, previous)

        source_dict = self._resolve_references(harvest_object, mapped, options, created)
        existing = self._existing_package(harvest_object, previous)
        self._record_extras(harvest_object, mapped, created, source_dict)
        if existing is None:
            self._create(harvest_object, source_dict)
            return True
        return self._update(harvest_object, source_dict, existing, previous)

    def _previous_object(self, harvest_object: HarvestObject) -> HarvestObject | None:
        return (
            model.Session.query(HarvestObject)
            .filter(HarvestObject.guid == harvest_object.guid)
            .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id)
            .filter(HarvestObject.current == True)  # noqa: E712
            .filter(HarvestObject.id != harvest_object.id)
            .first()
        )

    def _same_as_previous(
        self, harvest_object: HarvestObject, previous: HarvestObject | None
    ) -> bool:
        if previous is None or not previous.package_id:
            return False
        if previous.content != harvest_object.content:
            return False
        package = model.Package.get(previous.package_id)
        return package is not None and package.state == "active"

    def _keep_as_is(
        self,
        harvest_object: HarvestObject,
        package_id: str,
        previous: HarvestObject | None,
    ) -> str:
        snapshot = self._object_extra(previous, EXTRA_SNAPSHOT) if previous else None
        if snapshot:
            harvest_object.extras.append(
                HarvestObjectExtra(key=EXTRA_SNAPSHOT, value=snapshot)
            )
        harvest_object.package_id = package_id
        harvest_object.current = True
        harvest_object.add()
        model.Session.commit()
        return "unchanged"

    def _resolve_references(
        self,
        harvest_object: HarvestObject,
        mapped: MappedDataset,
        options: dict[str, Any],
        created: list[str],
    ) -> dict[str, Any]:
        """Return the dataset fields with organization ids for OrgRefs."""
        aliases = options.get("organization_aliases") or {}
        user = self._get_user_name()
        package = copy.deepcopy(mapped.package)

        if package.get("owner_org") is None:
            raise RecordError(
                f"Record {self.record_label(harvest_object)} was not imported: "
                "owner_org: the record names no owning SKPD.",
                mapped.line,
            )
        _resolve_organizations(package, aliases, created, user)
        for entry in package.get("lineage") or []:
            if isinstance(entry, dict) and entry.get("upstream"):
                entry["upstream"] = self.resolve_upstream(
                    harvest_object, entry["upstream"], mapped
                )

        extras = [e for e in package.get("extras", []) if e["key"] != EXTRA_GUID]
        extras.append({"key": EXTRA_GUID, "value": harvest_object.guid})
        if mapped.identifier and mapped.identifier != harvest_object.guid:
            extras.append({"key": EXTRA_REMOTE_ID, "value": mapped.identifier})
        extras.append({"key": EXTRA_SOURCE_URL, "value": harvest_object.source.url})
        package["extras"] = extras
        return package

    def _existing_package(
        self, harvest_object: HarvestObject, previous: HarvestObject | None
    ) -> dict[str, Any] | None:
        """Return the dataset this record was imported into before, if any.

        A dataset withdrawn when its record left the source is found again
        by its guid, so a record that comes back revives it with its local
        enrichment.
        """
        package_id = harvest_object.package_id or (previous and previous.package_id)
        if not package_id:
            package_id = (
                model.Session.query(HarvestObject.package_id)
                .filter(HarvestObject.guid == harvest_object.guid)
                .filter(
                    HarvestObject.harvest_source_id == harvest_object.harvest_source_id
                )
                .filter(HarvestObject.package_id != None)  # noqa: E711
                .order_by(HarvestObject.gathered.desc())
                .limit(1)
                .scalar()
            )
        if not package_id:
            return None
        try:
            return tk.get_action("package_show")(
                {"ignore_auth": True, "use_cache": False, "for_update": True},
                {"id": package_id},
            )
        except tk.ObjectNotFound:
            return None

    def _record_extras(
        self,
        harvest_object: HarvestObject,
        mapped: MappedDataset,
        created: list[str],
        source_dict: dict[str, Any],
    ) -> None:
        extras = harvest_object.extras
        extras.append(
            HarvestObjectExtra(
                key=EXTRA_SNAPSHOT, value=json.dumps(source_dict, ensure_ascii=False)
            )
        )
        if mapped.unmapped:
            extras.append(
                HarvestObjectExtra(
                    key=EXTRA_UNMAPPED,
                    value=json.dumps(mapped.unmapped, ensure_ascii=False),
                )
            )
        if created:
            names = [model.Group.get(org_id).name for org_id in created]
            extras.append(
                HarvestObjectExtra(key=EXTRA_CREATED_ORGS, value=json.dumps(names))
            )

    def _context(self) -> dict[str, Any]:
        return {
            "user": self._get_user_name(),
            "ignore_auth": True,
            "return_id_only": True,
        }

    def _create(self, harvest_object: HarvestObject, package: dict[str, Any]) -> None:
        package["id"] = str(uuid.uuid4())
        package["name"] = self._gen_new_name(
            package.get("title") or harvest_object.guid
        )
        harvest_object.package_id = package["id"]
        harvest_object.current = True
        harvest_object.add()
        # The harvest plugin indexes the dataset with its harvest object,
        # so the object must point at the dataset before it exists.
        model.Session.execute(
            sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED")
        )
        model.Session.flush()
        tk.get_action("package_create")(self._context(), package)
        log.info("Created dataset %s (guid %s)", package["name"], harvest_object.guid)

    def _update(
        self,
        harvest_object: HarvestObject,
        source_dict: dict[str, Any],
        existing: dict[str, Any],
        previous: HarvestObject | None,
    ) -> bool | str:
        old = None
        snapshot = self._object_extra(previous, EXTRA_SNAPSHOT) if previous else None
        if snapshot:
            old = json.loads(snapshot)
        current = {k: v for k, v in existing.items()}
        current["extras"] = [
            e for e in existing.get("extras") or [] if e["key"] not in _INDEX_EXTRAS
        ]
        merged = merge.merge(old, source_dict, current)
        merged["extras"] = _merge_extras(
            (old or {}).get("extras"), source_dict.get("extras"), current["extras"]
        )
        merged["id"], merged["name"] = existing["id"], existing["name"]
        _copy_resource_ids(existing, merged)

        harvest_object.package_id = existing["id"]
        harvest_object.current = True
        harvest_object.add()
        if existing.get("state") != "active" and previous is not None:
            # Deleted in the catalogue while its record stayed in the source:
            # a local decision the harvest respects.
            model.Session.commit()
            log.info("Dataset %s was deleted locally; left alone", existing["name"])
            return "unchanged"
        revived = existing.get("state") != "active"
        if (
            not revived
            and not merge.differs(current, merged)
            and not _extras_differ(current["extras"], merged["extras"])
        ):
            model.Session.commit()
            log.info("Dataset %s unchanged after merge", existing["name"])
            return "unchanged"
        if revived:
            merged["state"] = "active"
        tk.get_action("package_update")(self._context(), merged)
        log.info(
            "%s dataset %s (guid %s)",
            "Revived" if revived else "Updated",
            existing["name"],
            harvest_object.guid,
        )
        return True

    # Messages -----------------------------------------------------------

    def validation_message(
        self, harvest_object: HarvestObject, errors: dict[str, Any]
    ) -> str:
        """Return the object error for a dataset the schema rejected."""
        label, fields = self.record_label(harvest_object), flatten_errors(errors)
        return f"Dataset {label} was not imported. Invalid fields: {fields}"

    def problem_message(
        self, harvest_object: HarvestObject, mapped: MappedDataset
    ) -> str:
        """Return the object error for a record that could not be mapped."""
        return "Record {} was not imported: {}".format(
            self.record_label(harvest_object), " ".join(mapped.problems)
        )


# Helpers ---------------------------------------------------------------------


def _resolve_organizations(
    package: dict[str, Any], aliases: dict[str, str], created: list[str], user: str
) -> None:
    """Replace the OrgRefs of a dataset dict by organization ids."""

    def resolve(value: Any) -> Any:
        if isinstance(value, organizations.OrgRef):
            return organizations.resolve(value, aliases, created, user)
        return value

    for field_name in ORG_FIELDS:
        if field_name in package:
            package[field_name] = resolve(package[field_name])
    for field_name in ("producer", "custodian"):
        if package.get(field_name) == package["owner_org"]:
            package.pop(field_name)
    for field_name, subfield in ORG_SUBFIELDS:
        for entry in package.get(field_name) or []:
            if isinstance(entry, dict) and subfield in entry:
                entry[subfield] = resolve(entry[subfield])


def _check_common_options(options: dict[str, Any]) -> None:
    policy = options.get("removed_policy")
    if policy is not None and policy not in harvest_config.REMOVED_POLICIES:
        raise ValueError(
            'removed_policy must be "withdraw" (delete datasets whose record '
            'left the source) or "keep"'
        )
    for key in ("timeout", "max_bytes"):
        value = options.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
        ):
            raise ValueError(f"{key} must be a positive number")
    aliases = options.get("organization_aliases")
    if aliases is not None:
        if not isinstance(aliases, dict):
            raise ValueError(
                "organization_aliases must be an object mapping an SKPD name or "
                "code as the source writes it to a local organization name"
            )
        bad = [k for k, v in aliases.items() if not isinstance(v, str) or not v]
        if bad:
            raise ValueError(
                "organization_aliases: the value for {} must be the name of a "
                "local organization".format(", ".join(repr(k) for k in bad))
            )


def _package_states(package_ids: list[str]) -> dict[str, str]:
    if not package_ids:
        return {}
    rows = model.Session.query(model.Package.id, model.Package.state).filter(
        model.Package.id.in_(package_ids)
    )
    return dict(rows.all())


def _package_titles(package_ids: list[str]) -> dict[str, str]:
    if not package_ids:
        return {}
    rows = model.Session.query(model.Package.id, model.Package.title).filter(
        model.Package.id.in_(package_ids)
    )
    return dict(rows.all())


def _extras_dict(extras: Any) -> dict[str, str]:
    return {
        e["key"]: e["value"] for e in extras or [] if isinstance(e, dict) and "key" in e
    }


def _merge_extras(old: Any, new: Any, current: Any) -> list[dict[str, str]]:
    old_d, new_d, result = _extras_dict(old), _extras_dict(new), _extras_dict(current)
    for key in set(old_d) - set(new_d):
        if result.get(key) == old_d[key]:
            result.pop(key)
    result.update(new_d)
    return [{"key": key, "value": value} for key, value in sorted(result.items())]


def _extras_differ(before: Any, after: Any) -> bool:
    return _extras_dict(before) != _extras_dict(after)


def _copy_resource_ids(existing: dict[str, Any], package: dict[str, Any]) -> None:
    """Give harvested resources the id of the existing resource with their URL."""
    by_url: dict[str, str] = {}
    for resource in existing.get("resources") or []:
        by_url.setdefault(resource.get("url") or "", resource["id"])
    used: set[str] = set()
    for resource in package.get("resources") or []:
        if resource.get("id"):
            used.add(resource["id"])
    for resource in package.get("resources") or []:
        if resource.get("id"):
            continue
        found = by_url.get(resource.get("url") or "")
        if found and found not in used:
            resource["id"] = found
            used.add(found)
