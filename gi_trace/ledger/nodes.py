"""Reading stored complete Merkle subtrees, in one query per root, proof or frontier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, select, tuple_

from . import schema
from .merkle import NodeId, NodeReader


def read_nodes(conn: Connection, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
    """The hashes of the given nodes; KeyError names the first one the store lacks."""
    wanted = set(ids)
    if not wanted:
        return {}
    n = schema.nodes.c
    rows = conn.execute(select(n.level, n.idx, n.hash).where(tuple_(n.level, n.idx).in_(wanted)))
    found = {(row.level, row.idx): bytes(row.hash) for row in rows}
    return {node: found[node] for node in ids}


def node_reader(conn: Connection) -> NodeReader:
    def read(ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        return read_nodes(conn, ids)
    return read
