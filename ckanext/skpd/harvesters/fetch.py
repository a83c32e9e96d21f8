"""HTTP downloads of the SKPD harvesters: limits and conditional requests.

Every download has a time limit for the whole request (connection, headers
and body) and a size limit that stops reading as soon as the body is
larger. When the validators of an earlier download are given, the request
is conditional (``If-None-Match``, ``If-Modified-Since``), and a ``304 Not
Modified`` answer costs the source and the network almost nothing.

Problems become :class:`FetchError` with a message for the harvest job
report that names the URL, what happened and the setting to change.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import requests

log = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
# The connection itself gets at most this many seconds of the time limit.
CONNECT_TIMEOUT = 10.0


class FetchError(Exception):
    """A download that failed, with a message for the job report."""


@dataclass(frozen=True)
class Limits:
    """The limits of one download: seconds in all, and bytes of body."""

    timeout: float
    max_bytes: int
    user_agent: str = "ckanext-skpd-harvester"


@dataclass(frozen=True)
class Validators:
    """HTTP cache validators of a document, for the next conditional request."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def as_dict(self) -> dict[str, str | None]:
        return {"etag": self.etag, "last_modified": self.last_modified}

    @classmethod
    def from_dict(cls, data: Any) -> Validators | None:
        if not isinstance(data, dict):
            return None
        found = cls(data.get("etag") or None, data.get("last_modified") or None)
        return found if found.etag or found.last_modified else None


@dataclass
class Download:
    """The outcome of a download.

    :ivar not_modified: the source responded ``304 Not Modified``; ``body``
        is empty
    :ivar size: bytes of body read
    """

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    validators: Validators | None = None
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def size(self) -> int:
        return len(self.body)

    def text(self) -> str:
        """Return the body as text, from the declared charset or UTF-8.

        :raises FetchError: when the body is not text in that encoding
        """
        charset = "utf-8-sig"
        for part in self.content_type.split(";")[1:]:
            key, _sep, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset)
        except (LookupError, UnicodeDecodeError) as err:
            raise FetchError(
                f"{self.url} is not readable text in the {charset} encoding "
                f"({err}). Publish the document in UTF-8."
            ) from err

    def looks_like_html(self) -> bool:
        """Tell whether the source responded with a web page."""
        media_type = self.content_type.split(";")[0].strip().lower()
        if media_type in ("text/html", "application/xhtml+xml"):
            return True
        start = self.body[:512].lstrip().lower()
        return start.startswith((b"<!doctype html", b"<html"))


def _size_problem(url: str, limits: Limits, what: str) -> FetchError:
    return FetchError(
        f"{url} responded with {what} larger than the limit of "
        f"{limits.max_bytes:,} bytes; the download "
        'was stopped and nothing was imported. Raise "max_bytes" in the '
        "harvest source configuration or ckanext.skpd.harvest.max_bytes if the "
        "document is really that large."
    )


def _timeout_problem(url: str, limits: Limits) -> FetchError:
    return FetchError(
        f"{url} timed out: no complete response within {limits.timeout:g} "
        "seconds; nothing was "
        'imported. Check that the server works, or raise "timeout" in the '
        "harvest source configuration or ckanext.skpd.harvest.timeout."
    )


def _read_body(
    response: requests.Response, url: str, limits: Limits, deadline: float
) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise _size_problem(url, limits, f"a body of {int(declared):,} bytes")

    # read1 returns what one read of the socket brings, so the deadline is
    # checked as data arrives: a server that sends a byte now and then is
    # stopped at most one socket time-out after the deadline.
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.raw.read1(CHUNK_SIZE, decode_content=True)
        if not chunk:
            break
        size += len(chunk)
        if size > limits.max_bytes:
            raise _size_problem(url, limits, "a body")
        if time.monotonic() > deadline:
            raise _timeout_problem(url, limits)
        chunks.append(chunk)
    return b"".join(chunks)


def _status_problem(response: requests.Response, url: str) -> FetchError:
    return FetchError(
        "{} responded with HTTP {} {}; nothing was imported. Check the URL of the "
        "harvest source, or ask the SKPD to repair its server.".format(
            url, response.status_code, response.reason or ""
        ).replace("  ", " ")
    )


def fetch(
    url: str,
    limits: Limits,
    validators: Validators | None = None,
    accept: str | None = None,
    session: requests.Session | None = None,
) -> Download:
    """Download ``url`` within ``limits``.

    :param validators: the validators of the last download of the same
        document, to make the request conditional
    :raises FetchError: on a connection error, a time-out, an HTTP error
        status or a body over the size limit
    """
    headers = {"User-Agent": limits.user_agent}
    if accept:
        headers["Accept"] = accept
    if validators is not None:
        headers.update(validators.headers())

    started = time.monotonic()
    deadline = started + limits.timeout
    http = session or requests.Session()
    try:
        with http.get(
            url,
            headers=headers,
            stream=True,
            timeout=(min(CONNECT_TIMEOUT, limits.timeout), limits.timeout),
            allow_redirects=True,
        ) as response:
            if response.status_code == 304:
                body = b""
            elif response.status_code >= 400:
                raise _status_problem(response, url)
            else:
                body = _read_body(response, url, limits, deadline)
            received = Validators(
                response.headers.get("ETag"), response.headers.get("Last-Modified")
            )
            download = Download(
                url=url,
                status=response.status_code,
                body=body,
                content_type=response.headers.get("Content-Type", ""),
                validators=received
                if received.etag or received.last_modified
                else None,
                seconds=time.monotonic() - started,
                headers=dict(response.headers),
            )
    except requests.exceptions.Timeout as err:
        raise _timeout_problem(url, limits) from err
    except requests.exceptions.ConnectionError as err:
        if time.monotonic() > deadline:
            raise _timeout_problem(url, limits) from err
        raise FetchError(
            f"Could not connect to {url} ({err.__class__.__name__}); nothing "
            "was imported. Check the URL "
            "of the harvest source and that the server is up."
        ) from err
    except requests.exceptions.RequestException as err:
        raise FetchError(
            f"Could not download {url} ({err}); nothing was imported."
        ) from err
    finally:
        if session is None:
            http.close()

    log.info(
        "Fetched %s: HTTP %s, %d bytes in %.2f s",
        url,
        download.status,
        download.size,
        download.seconds,
    )
    return download
