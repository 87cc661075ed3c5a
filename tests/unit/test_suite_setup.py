"""The test suite's own set-up: what ``scripts/test`` relies on to keep machine-wide tests apart."""

from __future__ import annotations

import os

import pytest


@pytest.mark.serial
def test_a_serial_test_is_placed_in_the_serial_group(request: pytest.FixtureRequest) -> None:
    # Under ``-n ... --dist loadgroup`` (how scripts/test runs), pytest-xdist names the group in the test's
    # id, and only tests of one group share a worker. Without the group, X displays and runner fleets of
    # different tests overlap on other workers.
    if os.environ.get("PYTEST_XDIST_WORKER") and getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@serial"), request.node.nodeid
    assert request.node.get_closest_marker("xdist_group") is not None
