"""Packaging is deterministic; handlers import without touching AWS; ./inv invoke runs samples."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from backend.functions import FUNCTIONS, RESOLVERS
from backend.graphql_schema import load_schema
from backend.table import TABLE_DEFINITION
from orchestrator.deploy import packaging
from orchestrator.local import invoke as local_invoke


def tiny_deps(root: Path) -> Path:
    deps = root / "deps"
    (deps / "somelib").mkdir(parents=True)
    (deps / "somelib" / "__init__.py").write_text("VALUE = 1\n")
    (deps / "somelib" / "__pycache__").mkdir()
    (deps / "somelib" / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"junk")
    return deps


def test_packaging_twice_gives_identical_bytes(tmp_path):
    deps = tiny_deps(tmp_path)
    first = packaging.package_backend(tmp_path / "a", deps_dir=deps, echo=lambda _: None)
    os.utime(deps / "somelib" / "__init__.py", (0, 0))  # a different mtime must not matter
    second = packaging.package_backend(tmp_path / "b", deps_dir=deps, echo=lambda _: None)
    assert set(first) == set(FUNCTIONS)
    for name in FUNCTIONS:
        assert first[name].path.read_bytes() == second[name].path.read_bytes()
        assert first[name].sha256 == second[name].sha256
        assert (tmp_path / "a" / f"{name}.zip.sha256").read_text().startswith(first[name].sha256)


def test_unchanged_inputs_reuse_the_zips_and_any_change_rebuilds(tmp_path, monkeypatch):
    deps, out = tiny_deps(tmp_path), tmp_path / "out"
    first = packaging.package_backend(out, deps_dir=deps, echo=lambda _: None)
    real_write_zip = packaging.write_zip
    writes: list[Path] = []
    monkeypatch.setattr(
        packaging, "write_zip", lambda entries, o: writes.append(o) or real_write_zip(entries, o)
    )

    again = packaging.package_backend(out, deps_dir=deps, echo=lambda _: None)
    assert writes == [] and again == first  # nothing re-compressed, same digests

    (deps / "somelib" / "__init__.py").write_text("VALUE = 2\n")
    changed = packaging.package_backend(out, deps_dir=deps, echo=lambda _: None)
    assert len(writes) == 1 and changed["chat"].sha256 != first["chat"].sha256

    (out / "admin.zip").write_bytes(b"truncated")  # a damaged zip is never reused
    repaired = packaging.package_backend(out, deps_dir=deps, echo=lambda _: None)
    assert len(writes) == 2 and repaired["admin"].sha256 == changed["admin"].sha256


def test_a_zip_holds_the_backend_and_its_deps_with_fixed_metadata(tmp_path):
    packaged = packaging.package_backend(tmp_path, deps_dir=tiny_deps(tmp_path), echo=lambda _: None)
    with zipfile.ZipFile(packaged["chat"].path) as zf:
        names = zf.namelist()
        infos = zf.infolist()
    assert names == sorted(names)
    assert "backend/chat.py" in names and "somelib/__init__.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} <= {0o100644, 0o100755}


def test_the_deps_cache_key_follows_the_lock_and_the_architecture(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("a==1\n")
    x86, arm = packaging.deps_digest("x86_64", lock), packaging.deps_digest("arm64", lock)
    lock.write_text("a==2\n")
    assert len({x86, arm, packaging.deps_digest("x86_64", lock)}) == 3


def test_importing_the_handlers_creates_no_client_and_reads_no_ssm():
    code = (
        "import sys\n"
        f"for fn in {sorted(FUNCTIONS.values())!r}:\n"
        "    m, a = fn.rsplit('.', 1); __import__(m, fromlist=[a])\n"
        "print(sorted(m for m in ('boto3', 'botocore', 'aws_lambda_powertools', 'dateparser') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_resolver_points_at_a_schema_field_and_a_function():
    schema = load_schema()
    for (parent, field), function in RESOLVERS.items():
        assert field in schema.get_type(parent).fields
        assert function in FUNCTIONS
    widget_and_admin = {(t, f) for t in ("Query", "Mutation") for f in schema.get_type(t).fields}
    assert widget_and_admin == set(RESOLVERS)


def test_the_table_definition_creates_the_table_with_its_index(aws):
    import boto3

    from backend.table import create_table

    client = boto3.client("dynamodb")
    create_table(client, "bookingchat-probe")
    table = client.describe_table(TableName="bookingchat-probe")["Table"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["gsi1"]
    assert TABLE_DEFINITION["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName="bookingchat-probe")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"


@pytest.mark.parametrize("event", sorted(p.name for p in local_invoke.EVENTS.glob("*.json")))
def test_each_sample_event_runs_against_the_embedded_aws(aws, event, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "bookingchat-local")
    monkeypatch.setenv("DISABLE_IA_PARAM", "/bookingchat/local/DISABLE_IA")
    import boto3

    boto3.client("ssm").put_parameter(Name="/bookingchat/local/DISABLE_IA", Value="true", Type="String")
    function = {"test.json": "chat"}.get(event, event.removesuffix(".json"))
    run = local_invoke.invoke(function, event)
    assert run.error is None and run.endpoint == aws.endpoint and not run.throwaway
    json.dumps(run.result)
    if function == "authorizer":
        assert run.result["isAuthorized"] is True
    if function == "chat":
        assert run.result["mode"] == "GUIDED" and run.result["message"]


def test_unknown_functions_and_events_are_refused_with_a_hint():
    with pytest.raises(local_invoke.InvokeRefused, match="unknown function"):
        local_invoke.resolve_function("payments")
    with pytest.raises(local_invoke.InvokeRefused, match="no event file") as info:
        local_invoke.resolve_event("nope.json")
    assert "chat.json" in info.value.hint
    assert local_invoke.resolve_function("ChatAgentFunction") == "chat"
