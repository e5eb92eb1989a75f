"""The witness's rule (cosign only a tree that extends the held one) and its state directory."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from gi_trace.ledger import keys, merkle
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.errors import LedgerError, VerificationError
from gi_trace.ledger.merkle import NodeId
from gi_trace.ledger.note import NoteSigner
from gi_trace.ledger.witness import WitnessState, check_extends

ORIGIN = "test.gi-trace/log"


class Tree:
    """An in-memory log: its checkpoints and honest consistency proofs."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = list(leaves)
        frontier = merkle.Frontier()
        self.nodes: dict[NodeId, bytes] = {}
        for leaf in self.leaves:
            self.nodes.update(frontier.append(merkle.leaf_hash(leaf)))

    def read(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        return {nid: self.nodes[nid] for nid in ids}

    def checkpoint(self, size: int, origin: str = ORIGIN) -> Checkpoint:
        return Checkpoint(origin, size, merkle.root_at(size, self.read))

    def proof(self, first: int, second: int) -> list[bytes]:
        return merkle.consistency_proof(first, second, self.read)


LOG = Tree([b"entry %d" % i for i in range(20)])
FORK = Tree([b"entry %d" % i for i in range(6)] + [b"forged %d" % i for i in range(14)])


@pytest.mark.parametrize(("held", "new"), [(None, 7), (7, 7), (7, 8), (1, 20), (8, 16)],
                         ids=lambda v: str(v))
def test_the_same_or_a_grown_tree_is_accepted(held: int | None, new: int) -> None:
    check_extends(None if held is None else LOG.checkpoint(held), LOG.checkpoint(new), LOG.proof)


@pytest.mark.parametrize(("held", "new", "code"), [
    (LOG.checkpoint(9), FORK.checkpoint(9), "fork"),
    (LOG.checkpoint(9), LOG.checkpoint(8), "rollback"),
    (LOG.checkpoint(9), FORK.checkpoint(12), "inconsistent"),
    (LOG.checkpoint(5), FORK.checkpoint(12), None),  # the fork starts after 6 entries
    (LOG.checkpoint(9), LOG.checkpoint(12, "another/log"), "wrong-origin"),
], ids=["same size, other root", "smaller tree", "rewritten history", "shared prefix",
        "other log"])
def test_a_tree_that_does_not_extend_the_held_one_is_refused(held: Checkpoint, new: Checkpoint,
                                                             code: str | None) -> None:
    proofs = FORK if new.root_hash == FORK.checkpoint(new.size).root_hash else LOG
    if code is None:
        check_extends(held, new, proofs.proof)
        return
    with pytest.raises(VerificationError) as raised:
        check_extends(held, new, proofs.proof)
    assert raised.value.code == code


def test_a_lying_proof_is_refused() -> None:
    with pytest.raises(VerificationError, match="does not extend the tree of 9") as raised:
        check_extends(LOG.checkpoint(9), LOG.checkpoint(12), lambda a, b: [bytes(32)] * 3)
    assert raised.value.code == "inconsistent"


@pytest.fixture
def operator() -> NoteSigner:
    return NoteSigner(ORIGIN, keys.generate())


@pytest.fixture
def state(tmp_path: Path, operator: NoteSigner) -> WitnessState:
    key = tmp_path / "witness.pem"
    keys.save_private_key(keys.generate(), key)
    return WitnessState.create(tmp_path / "state", "witness.example.org/w1", key,
                               operator.verifier())


def test_state_keeps_name_key_and_pinned_log_key(state: WitnessState, operator: NoteSigner
                                                 ) -> None:
    again = WitnessState(state.directory)
    assert again.cosigner().name == "witness.example.org/w1"
    assert again.cosigner().vkey() == state.cosigner().vkey()
    assert again.log_key == operator.verifier()
    assert again.held() is None


def test_state_holds_the_checkpoint_atomically(state: WitnessState, operator: NoteSigner) -> None:
    state.hold(LOG.checkpoint(9).sign(operator))
    state.hold(LOG.checkpoint(12).sign(operator))
    assert state.held() == LOG.checkpoint(12)
    assert sorted(p.name for p in state.directory.iterdir()) == ["checkpoint", "witness.json"]


def test_a_held_checkpoint_not_signed_by_the_pinned_key_is_refused(
        state: WitnessState) -> None:
    state.hold(LOG.checkpoint(9).sign(NoteSigner(ORIGIN, keys.generate())))
    with pytest.raises(VerificationError, match="not signed by any known key"):
        state.held()


def test_pinning_a_log_key_later(tmp_path: Path, operator: NoteSigner) -> None:
    key = tmp_path / "w.pem"
    keys.save_private_key(keys.generate(), key)
    state = WitnessState.create(tmp_path / "s", "w.example/w1", key)
    assert state.log_key is None
    state.pin_log_key(operator.verifier())
    assert WitnessState(state.directory).log_key == operator.verifier()
    assert json.loads((state.directory / "witness.json").read_text())["name"] == "w.example/w1"


def test_one_run_at_a_time(state: WitnessState) -> None:
    with state.locked(), pytest.raises(LedgerError, match="another run") as raised, \
            WitnessState(state.directory).locked():
        pass
    assert raised.value.code == "witness-busy"
    with state.locked():
        pass


def test_state_is_never_overwritten_and_must_exist(state: WitnessState, tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="already holds a witness"):
        WitnessState.create(state.directory, "w.example/w2", tmp_path / "witness.pem")
    with pytest.raises(LedgerError, match="gi-trace witness init") as raised:
        WitnessState(tmp_path / "elsewhere")
    assert raised.value.code == "no-witness-state"


def test_leaves_differ_so_the_fork_is_real() -> None:
    assert LOG.checkpoint(6) == FORK.checkpoint(6)
    assert LOG.checkpoint(7).root_hash != FORK.checkpoint(7).root_hash
