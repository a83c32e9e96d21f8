"""Mappings of external metadata formats onto the SKPD dataset schema.

The modules here are pure functions over plain dicts: they touch neither the
database nor the network, so they can be tested on whole catalogues quickly.
"""
