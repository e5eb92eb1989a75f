"""A webhook never points the service at its own network (server-side request forgery)."""

from __future__ import annotations

import pytest

from gi_trace.labels.webhook_targets import private_target

REFUSED = {
    "loopback": "http://127.0.0.1:8080/hook",
    "loopback-v6": "http://[::1]/hook",
    "private-10": "https://10.1.2.3/hook",
    "private-192": "https://192.168.0.1/hook",
    "cloud-metadata": "http://169.254.169.254/latest/meta-data",
    "unspecified": "http://0.0.0.0/hook",
    "carrier-nat": "http://100.64.0.1/hook",
    "mapped-v4": "http://[::ffff:127.0.0.1]/hook",
    "no-host": "https:///hook",
    "localhost": "http://localhost/hook",
}


@pytest.mark.parametrize("url", REFUSED.values(), ids=REFUSED.keys())
def test_private_addresses_are_refused(url: str) -> None:
    assert private_target(url) is not None


@pytest.mark.parametrize("url", ["https://8.8.8.8/hook", "http://[2001:4860:4860::8888]:8443/x"])
def test_public_addresses_pass(url: str) -> None:
    assert private_target(url) is None
