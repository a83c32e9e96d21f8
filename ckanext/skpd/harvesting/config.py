"""Typed access to the settings of the SKPD harvesters."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

TIMEOUT = "ckanext.skpd.harvest.timeout"
MAX_BYTES = "ckanext.skpd.harvest.max_bytes"
REMOVED_POLICY = "ckanext.skpd.harvest.removed_policy"
USER_AGENT = "ckanext.skpd.harvest.user_agent"

REMOVED_POLICIES = ("withdraw", "keep")


def timeout() -> int:
    return tk.config[TIMEOUT]


def max_bytes() -> int:
    return tk.config[MAX_BYTES]


def removed_policy() -> str:
    policy = tk.config[REMOVED_POLICY]
    if policy not in REMOVED_POLICIES:
        raise tk.CkanConfigurationException(
            f"{REMOVED_POLICY} must be one of {', '.join(REMOVED_POLICIES)}, "
            f"not {policy!r}"
        )
    return policy


def user_agent() -> str:
    return tk.config[USER_AGENT]
