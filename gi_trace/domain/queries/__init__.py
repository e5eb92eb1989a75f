"""Reads of the projections, for the API and the client: plain functions on a Connection.

Writes belong to the rules (inside the append transaction); these only read, so
they may run on a read replica. Each returns dataclasses, or None for an unknown
id, and never decides who may see what: that is the caller's policy.
"""
