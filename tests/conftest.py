"""Shared fixtures: the embedded AWS (moto server over HTTP) once per session."""

from __future__ import annotations

import os

import pytest

from orchestrator.local import embedded_aws


@pytest.fixture(scope="session")
def embedded():
    """One moto server for the whole session, on a free loopback port."""
    server = embedded_aws.start()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def _widget_build_cache(tmp_path_factory):
    """The widget builds of this test session (adapters/build_cache.py), never the user's: the
    first release of some sources really builds them, the others reuse that build — across the
    pytest-xdist workers too (local-dev's and the rehearsal's clones build the same widget)."""
    base = tmp_path_factory.getbasetemp()
    session = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # popen-gwN's parent
    os.environ["BOOKINGCHAT_BUILD_CACHE_DIR"] = str(session / "widget-builds")


@pytest.fixture
def aws(embedded, monkeypatch):
    """A clean embedded AWS for this test; boto3 clients in this process target it."""
    embedded.reset()
    for key, value in embedded.env.items():
        monkeypatch.setenv(key, value)
    return embedded


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch):
    """Tests never reach real AWS: without the `aws` fixture there are no credentials."""
    if "AWS_ENDPOINT_URL" not in os.environ:
        for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(key, raising=False)


# The longest tests first. pytest-xdist hands work out in collection order, so a long test (or
# the browser group, which shares one local-dev) collected last leaves the other worker idle
# while it runs; started first, the short tests fill in around it.
LONGEST_FIRST = ("tests/browser/", "tests/local/test_rehearse.py", "tests/release/test_resume.py")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        for n, prefix in enumerate(LONGEST_FIRST):
            if item.nodeid.startswith(prefix):
                return n
        return len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within each rank stays the collection order
