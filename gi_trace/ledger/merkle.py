"""RFC 6962 / RFC 9162 Merkle trees over SHA-256, as pure functions on bytes.

The log stores the hash of every *complete* subtree, named by ``(level, index)``.
Any RFC subtree, root or proof element is then a right-to-left fold of a few of
those stored nodes, so generating a root or proof costs O(log N) node reads in a
single batched call, never a walk over the leaves. Verification follows the
RFC 9162 algorithms plus the stricter transparency-dev conventions (32-byte
hashes, no consistency proofs from the empty tree).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha256

from .errors import MalformedError, VerificationError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "LeafTree",
    "NodeId",
    "NodeReader",
    "consistency_proof",
    "frontier_ids",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "range_nodes",
    "root_at",
    "root_from_inclusion",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()

NodeId = tuple[int, int]
"""(level, index): the perfect subtree over leaves [index << level, (index + 1) << level)."""

NodeReader = Callable[[Sequence[NodeId]], Mapping[NodeId, bytes]]
"""Batched storage read: a hash for every requested id, KeyError when one is missing."""

_Range = tuple[int, int]


def leaf_hash(data: bytes) -> bytes:
    """Domain-separated leaf hash, so a leaf can never pose as an inner node."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Domain-separated inner-node hash."""
    return sha256(b"\x01" + left + right).digest()


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Hash a left-to-right list of subtrees of strictly shrinking size into one tree."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over in-memory leaf hashes; a stack of complete subtrees keeps it iterative."""
    if not leaf_hashes:
        return EMPTY_ROOT
    stack: list[bytes] = []
    for count, h in enumerate(leaf_hashes):
        # Every trailing one bit of the old size is a complete sibling to merge with.
        while count & 1:
            h = node_hash(stack.pop(), h)
            count >>= 1
        stack.append(h)
    return _fold(stack)


@dataclass(frozen=True)
class LeafTree:
    """A small tree kept outside the log (a label.issue's labels), every level built once as
    one bytes string of hashes, so that each leaf's audit path is log2(n) slices. A level
    with an odd count carries its last node up unpaired: exactly the RFC 6962 tree."""

    levels: tuple[bytes, ...]

    @classmethod
    def of(cls, leaf_hashes: Iterable[bytes]) -> LeafTree:
        level = b"".join(leaf_hashes)
        if not level:
            raise ValueError("a tree needs at least one leaf")
        levels = [level]
        while len(level) > HASH_SIZE:
            pair = 2 * HASH_SIZE
            up = [sha256(b"\x01" + level[i:i + pair]).digest()
                  for i in range(0, len(level) - pair + 1, pair)]
            if len(level) % pair:  # an odd node out goes up as it is
                up.append(level[-HASH_SIZE:])
            level = b"".join(up)
            levels.append(level)
        return cls(tuple(levels))

    @property
    def size(self) -> int:
        return len(self.levels[0]) // HASH_SIZE

    @property
    def root(self) -> bytes:
        return self.levels[-1]

    def path(self, index: int) -> list[bytes]:
        """RFC 9162 §2.1.3.1 PATH(index, D[n]), bottom-up."""
        if not 0 <= index < self.size:
            raise IndexError(f"no leaf {index} in a tree of {self.size}")
        found = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling * HASH_SIZE < len(level):
                found.append(level[sibling * HASH_SIZE:(sibling + 1) * HASH_SIZE])
            index >>= 1
        return found


def _check_size(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedError(f"{name} must be a non-negative integer", code="bad-size", field=name)


def range_nodes(begin: int, end: int) -> list[NodeId]:
    """Cover [begin, end) with the fewest aligned complete subtrees, left to right."""
    _check_size(begin, "begin")
    _check_size(end, "end")
    if end <= begin:
        raise MalformedError("range must be non-empty", code="bad-range", field="end")
    ids: list[NodeId] = []
    while begin < end:
        # Largest block that is both aligned at begin and fits before end.
        fit = 1 << ((end - begin).bit_length() - 1)
        size = min(begin & -begin, fit) if begin else fit
        level = size.bit_length() - 1
        ids.append((level, begin >> level))
        begin += size
    return ids


def frontier_ids(size: int) -> list[NodeId]:
    """The compact range of a tree of ``size`` leaves: what an appender must keep."""
    _check_size(size, "size")
    return range_nodes(0, size) if size else []


def _hash_ranges(ranges: Sequence[_Range], read: NodeReader) -> list[bytes]:
    """Hash several RFC subtrees with one storage round trip."""
    per_range = [range_nodes(b, e) for b, e in ranges]
    wanted = list(dict.fromkeys(nid for ids in per_range for nid in ids))
    if not wanted:
        return []
    nodes = read(wanted)
    return [_fold([nodes[nid] for nid in ids]) for ids in per_range]


def root_at(size: int, read: NodeReader) -> bytes:
    """Root of the first ``size`` leaves from stored nodes (one read call, none for 0)."""
    _check_size(size, "size")
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges([(0, size)], read)[0]


def _inclusion_ranges(index: int, size: int) -> list[_Range]:
    """RFC 9162 PATH(m, D[n]) as leaf ranges, bottom-up."""
    out: list[_Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        if index < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    out.reverse()
    return out


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[bytes]:
    """Audit path for leaf ``index`` in the tree of ``size`` leaves (at most one read call)."""
    _check_size(index, "index")
    _check_size(size, "size")
    if index >= size:
        raise MalformedError("leaf index is beyond the tree size", code="bad-index", field="index")
    return _hash_ranges(_inclusion_ranges(index, size), read)


def _consistency_ranges(size1: int, size2: int) -> list[_Range]:
    """RFC 9162 PROOF(m, D[n]) via SUBPROOF, as leaf ranges in output order."""
    out: list[_Range] = []
    lo, hi, m = 0, size2, size1
    whole = True  # SUBPROOF's b: is the old tree still a complete left subtree here?
    while True:
        n = hi - lo
        if m == n:
            if not whole:
                out.append((lo, hi))
            break
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
            m -= k
            whole = False
    out.reverse()
    return out


def consistency_proof(size1: int, size2: int, read: NodeReader) -> list[bytes]:
    """Proof that the tree of ``size1`` leaves is a prefix of the tree of ``size2``."""
    _check_size(size1, "size1")
    _check_size(size2, "size2")
    if size1 == 0:
        raise MalformedError("no consistency proof from the empty tree", code="bad-size",
                             field="size1")
    if size1 > size2:
        raise MalformedError("size1 must not exceed size2", code="bad-size", field="size1")
    if size1 == size2:
        return []
    return _hash_ranges(_consistency_ranges(size1, size2), read)


def _fail(message: str, code: str, fld: str | None = None) -> VerificationError:
    return VerificationError(message, code=code, field=fld)


def _require_hashes(hashes: Iterable[bytes], fld: str) -> None:
    for h in hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise _fail(f"every hash must be {HASH_SIZE} bytes", "bad-hash-length", fld)


def _require_sizes(**sizes: int) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(f"{name} must be a non-negative integer", "bad-size", name)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root implied by an audit path; raises when the path's shape cannot fit the tree."""
    _require_sizes(index=index, size=size)
    if index >= size:
        raise _fail("leaf index is beyond the tree size", "bad-index", "index")
    _require_hashes([leaf], "leaf")
    _require_hashes(proof, "proof")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise _fail("inclusion proof is too long", "bad-proof-length", "proof")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise _fail("inclusion proof is too short", "bad-proof-length", "proof")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Raise unless ``leaf`` sits at ``index`` in the tree of ``size`` leaves with ``root``."""
    _require_hashes([root], "root")
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise _fail("inclusion proof does not match the root", "root-mismatch", "root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes,
                       root2: bytes) -> None:
    """Raise unless the tree (size1, root1) is a prefix of the tree (size2, root2)."""
    _require_sizes(size1=size1, size2=size2)
    if size1 == 0:
        raise _fail("consistency from the empty tree proves nothing", "bad-size", "size1")
    if size1 > size2:
        raise _fail("size1 must not exceed size2", "bad-size", "size1")
    if size1 == size2:
        # transparency-dev: same size means same tree, compared byte for byte.
        if proof:
            raise _fail("proof must be empty for equal sizes", "bad-proof-length", "proof")
        if root1 != root2:
            raise _fail("roots differ for equal sizes", "root-mismatch", "root2")
        return
    _require_hashes([root1], "root1")
    _require_hashes([root2], "root2")
    _require_hashes(proof, "proof")
    if not proof:
        raise _fail("consistency proof is empty", "bad-proof-length", "proof")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        # The old tree is a complete subtree of the new one, so the RFC leaves its root out.
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise _fail("consistency proof is too long", "bad-proof-length", "proof")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise _fail("consistency proof is too short", "bad-proof-length", "proof")
    if fr != root1:
        raise _fail("consistency proof does not match root1", "root-mismatch", "root1")
    if sr != root2:
        raise _fail("consistency proof does not match root2", "root-mismatch", "root2")


@dataclass
class Frontier:
    """The compact range of the log, so appends cost O(log N) without keeping leaves."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        _check_size(self.size, "size")
        if len(self.hashes) != len(frontier_ids(self.size)):
            raise MalformedError("frontier hashes do not match the tree size", code="bad-frontier",
                                 field="hashes")
        for h in self.hashes:
            if len(h) != HASH_SIZE:
                raise MalformedError(f"every hash must be {HASH_SIZE} bytes",
                                     code="bad-hash-length", field="hashes")

    @classmethod
    def load(cls, size: int, read: NodeReader) -> Frontier:
        """Rebuild the appender state from stored nodes after a restart (one read call)."""
        ids = frontier_ids(size)
        nodes = read(ids) if ids else {}
        return cls(size, [nodes[nid] for nid in ids])

    def ids(self) -> list[NodeId]:
        """Node ids of ``hashes``, largest subtree first."""
        return frontier_ids(self.size)

    def append(self, leaf: bytes) -> list[tuple[NodeId, bytes]]:
        """Add one leaf hash; return the new complete nodes the store must now hold."""
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise MalformedError(f"leaf hash must be {HASH_SIZE} bytes", code="bad-hash-length",
                                 field="leaf")
        index, level, h = self.size, 0, leaf
        created: list[tuple[NodeId, bytes]] = [((0, index), h)]
        while index & 1:
            h = node_hash(self.hashes.pop(), h)
            index >>= 1
            level += 1
            created.append(((level, index), h))
        self.hashes.append(h)
        self.size += 1
        return created

    def root(self) -> bytes:
        """Current tree head."""
        return _fold(self.hashes) if self.hashes else EMPTY_ROOT
