"""The tracked tree holds no AWS access key id and no lock file records where packages download from."""

from __future__ import annotations

import subprocess

from orchestrator.quality import hygiene

# Built at run time so this file itself holds no key-shaped string.
FAKE_KEY = "AKIA" + "Z7Q2" * 4
FAKE_TEMP_KEY = "ASIA" + "0" * 16


def test_an_access_key_id_is_found_and_not_echoed_whole():
    (finding,) = hygiene.scan_text("src/app.py", f'key = "{FAKE_KEY}"\n')
    assert (finding.path, finding.line, finding.rule) == ("src/app.py", 1, "aws-access-key-id")
    assert FAKE_KEY not in str(finding)


def test_temporary_keys_count_and_longer_tokens_do_not():
    assert [f.line for f in hygiene.scan_text("a.md", f"x\n{FAKE_TEMP_KEY}\n")] == [2]
    assert hygiene.scan_text("a.md", FAKE_KEY + "X") == []
    assert hygiene.scan_text("a.md", "AKIA-not-a-key testing") == []


def test_lock_files_may_not_record_download_urls():
    text = "boto3==1.44.0 \\\n    --hash=sha256:ab\n--index-url https://mirror.example/simple\n"
    assert [f.rule for f in hygiene.scan_text("requirements/dev.lock", text)] == ["lock-download-url"]
    npm = '{\n  "resolved": "https://registry.example/x/-/x-1.0.0.tgz",\n  "funding": {"url": "https://x.example"}\n}'
    assert [f.line for f in hygiene.scan_text("widget/package-lock.json", npm)] == [2]
    assert hygiene.scan_text("docs/README.md", "see https://example.com") == []


def test_the_scan_reads_git_tracked_files_of_a_real_repository(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "clean.txt").write_text("nothing here\n")
    (tmp_path / "leak.env").write_text(f"AWS_ACCESS_KEY_ID={FAKE_KEY}\n")
    (tmp_path / "untracked.env").write_text(f"AWS_ACCESS_KEY_ID={FAKE_KEY}\n")
    (tmp_path / "package-lock.json").write_text('{"resolved": "https://r.example/a.tgz"}\n')
    subprocess.run(["git", "add", "clean.txt", "leak.env", "package-lock.json"], cwd=tmp_path, check=True)
    findings = hygiene.scan_tree(tmp_path)
    assert sorted((f.path, f.rule) for f in findings) == [
        ("leak.env", "aws-access-key-id"),
        ("package-lock.json", "lock-download-url"),
    ]


def test_this_repository_is_clean():
    assert [str(f) for f in hygiene.scan_tree()] == []


def test_audit_reports_are_parsed_from_the_tools_json():
    pip = {
        "dependencies": [
            {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-1", "fix_versions": ["3.1.3"]}]},
            {"name": "rich", "version": "13.0", "vulns": []},
        ]
    }
    assert hygiene.parse_pip_audit(pip) == ["jinja2 3.1.2: GHSA-1 (fix: 3.1.3)"]
    npm = {"vulnerabilities": {"nanoid": {"severity": "moderate", "via": [{"title": "Predictable results"}]}}}
    assert hygiene.parse_npm_audit(npm) == ["nanoid moderate: Predictable results"]
    text = hygiene.render_audit(
        [
            hygiene.AuditReport("pip-audit", True, ["jinja2 3.1.2: GHSA-1 (fix: 3.1.3)"]),
            hygiene.AuditReport("npm audit", False, [], "405 Method Not Allowed"),
        ]
    )
    assert "1 known vulnerabilities" in text and "did not run (405 Method Not Allowed)" in text
