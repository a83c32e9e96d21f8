"""Views of the interoperability package: the data.json document."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, stream_with_context

from ckanext.skpd.interop import pod

blueprint = Blueprint("skpd_interop", __name__)


def _requesting_user() -> str:
    user = tk.current_user
    return "" if user.is_anonymous else user.name


def datajson() -> Response:
    """Return the catalogue as a Project Open Data 1.1 document, streamed.

    ``?include_private=true`` adds the private datasets the requesting user
    may read; without it only public datasets are listed.
    """
    include_private = tk.asbool(tk.request.args.get("include_private", False))
    context = {"user": _requesting_user()}
    chunks = pod.catalog_chunks(context, include_private=include_private)
    return Response(
        stream_with_context(chunks), mimetype="application/json; charset=utf-8"
    )


blueprint.add_url_rule("/data.json", view_func=datajson, endpoint="datajson")
