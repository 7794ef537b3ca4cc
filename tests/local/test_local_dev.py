"""`inv local-dev` refusals and the throwaway release clone (the full start runs in tests/browser)."""

from __future__ import annotations

import socket
import subprocess

import pytest
from gitrepo import Repo

from orchestrator.errors import UserError
from orchestrator.local import dev as local_dev


def test_a_busy_aws_port_is_a_clear_refusal_suggesting_aws_port(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        with pytest.raises(UserError) as err:
            local_dev.check_ports(
                local_dev.Options(aws_port=busy, graphql_port=0, cdn_port=0, local_dir=tmp_path)
            )
    assert str(busy) in err.value.message
    assert "--aws-port" in err.value.hint


def test_the_release_clone_leaves_the_users_tree_and_tags_alone(tmp_path):
    user = Repo(tmp_path / "user")
    (user.path / "file.txt").write_text("hello\n")
    user.git.index.add(["file.txt"])
    user.git.index.commit("feat: something")
    (user.path / "file.txt").write_text("uncommitted\n")  # a dirty tree is fine for local-dev
    clone = local_dev.release_clone(user.path, tmp_path / "local" / "release-repo")
    subprocess.run(["git", "tag", "widget/v9.9.9"], cwd=clone, check=True)
    assert (clone / "file.txt").read_text() == "hello\n"
    assert (
        subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True).stdout
        == ""
    )
    assert "widget/v9.9.9" not in user.git.git.tag().split()
    assert (user.path / "file.txt").read_text() == "uncommitted\n"


def _serve_one_request_then_stop(server, url: str) -> None:
    """A real request the server answers and closes, so the port's connection sits in TIME_WAIT."""
    import contextlib
    import urllib.error
    import urllib.request

    with contextlib.suppress(urllib.error.HTTPError):  # any answer will do: the point is a closed connection
        urllib.request.urlopen(url, timeout=10).read()
    server.stop()


def test_restarting_at_once_on_the_same_ports_works(tmp_path):
    """Stopping local-dev leaves its ports in TIME_WAIT; a restart right away must not be refused."""
    from orchestrator.local import appsync as local_appsync
    from orchestrator.local import cdn as local_cdn
    from orchestrator.local import embedded_aws

    aws = embedded_aws.start()
    api = local_appsync.start(0)
    cdn = local_cdn.start(local_cdn.Site("no-bucket", "http://127.0.0.1:1/graphql", []), 0)
    ports = local_dev.Options(aws_port=aws.port, graphql_port=api.port, cdn_port=cdn.port, local_dir=tmp_path)
    _serve_one_request_then_stop(aws, f"{aws.endpoint}/moto-api/")
    _serve_one_request_then_stop(api, f"http://127.0.0.1:{api.port}/graphql")
    _serve_one_request_then_stop(cdn, f"http://127.0.0.1:{cdn.port}/demo/")

    local_dev.check_ports(ports)  # not refused: nothing listens any more
    again = [
        embedded_aws.start(ports.aws_port),
        local_appsync.start(ports.graphql_port),
        local_cdn.start(local_cdn.Site("no-bucket", "http://127.0.0.1:1/graphql", []), ports.cdn_port),
    ]
    for server in again:
        server.stop()
