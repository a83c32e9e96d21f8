"""Authorization of the lineage and integration actions.

The graphs and matrices are public views. A caller gets the
datasets they may read and anonymous placeholders or counts for the rest,
so these checks only guard the object a request starts from. A site can
tighten any of them with ``chained_auth_function``.
"""

from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


@tk.auth_allow_anonymous_access
def skpd_lineage_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Allow the lineage of a dataset to any user who may read the dataset."""
    return authz.is_authorized("package_show", context, {"id": data_dict.get("id")})


@tk.auth_allow_anonymous_access
def skpd_flow_graph_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def skpd_exchange_matrix_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def skpd_authority_matrix_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Allow the matrix to any user who may search datasets."""
    return authz.is_authorized("package_search", context, data_dict)


@tk.auth_allow_anonymous_access
def skpd_inventory_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Allow the inventory of an SKPD to any user who may see the organization."""
    return authz.is_authorized(
        "organization_show", context, {"id": data_dict.get("id")}
    )
