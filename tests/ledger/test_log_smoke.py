from __future__ import annotations

from gi_trace.ledger import merkle
from gi_trace.service import Service
from tests.support import Actor


def test_appends_and_proves_on_both_databases(any_service: Service, regulator: Actor) -> None:
    log = any_service.log
    producer = Actor("coop")
    log.append([regulator.register(producer, ["producer"])])
    records = log.append([producer.note(i) for i in range(10)])
    assert [r.seq for r in records] == list(range(2, 12))
    size = log.size()
    leaf, proof, root = log.inclusion_proof(5, size)
    merkle.verify_inclusion(5, size, leaf, proof, root)
    merkle.verify_consistency(3, size, log.consistency_proof(3, size),
                              merkle.root_at(3, lambda ids: {i: b"" for i in ids}) if False else
                              log.inclusion_proof(0, 3)[2], root)
