"""`.local/endpoints.json`, the one module that reads and writes it (local/endpoints.py)."""

from __future__ import annotations

from orchestrator import paths
from orchestrator.engine import target
from orchestrator.local import endpoints


def test_nothing_running_reads_as_none(tmp_path):
    assert endpoints.read(tmp_path) is None
    assert endpoints.get("cdn", tmp_path) is None
    (tmp_path / "endpoints.json").write_text("{half a fi")  # a torn or foreign file is no local-dev
    assert endpoints.read(tmp_path) is None


def test_what_local_dev_writes_is_what_the_readers_see(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "LOCAL", tmp_path)
    monkeypatch.delenv("BOOKINGCHAT_CDN_URL", raising=False)
    written = endpoints.write({"cdn": "http://127.0.0.1:1234", "tenants": []})
    assert written == tmp_path / "endpoints.json" and not written.with_suffix(".tmp").exists()
    assert target.local_cdn_url() == "http://127.0.0.1:1234"  # the engine reads it through here
    endpoints.remove()
    assert target.local_cdn_url() is None and not written.exists()
