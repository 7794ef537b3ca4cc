// Widget benchmark: how long a build takes and what each shipped file weighs on the wire.
//
//   node benchmarks/widget/bench.mjs [--runs 3] [--no-build]
//
// Prints one JSON object: build wall-clock times (ms) and, per file, raw / gzip -9 / brotli 11
// bytes plus the share of its budget. Numbers for humans and trend lines, never for asserts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const WIDGET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'widget');
const BUDGETS = { 'chat-widget.js': 5120, 'chat-widget.app.js': 143360, 'chat-widget.umd.js': 148480 };

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const build = !args.includes('--no-build');

const buildMs = [];
if (build) {
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    execFileSync('npm', ['run', '--silent', 'build:widget'], { cwd: WIDGET, stdio: 'ignore' });
    buildMs.push(Number((process.hrtime.bigint() - start) / 1000000n));
  }
}

const files = {};
for (const [name, budget] of Object.entries(BUDGETS)) {
  const bytes = readFileSync(path.join(WIDGET, 'build', name));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  files[name] = { bytes: bytes.length, gzip_9: gzip, brotli_11: brotli, budget_gzip: budget, budget_used: +(gzip / budget).toFixed(3) };
}

const sorted = [...buildMs].sort((a, b) => a - b);
console.log(
  JSON.stringify(
    { node: process.version, build_runs: buildMs.length, build_ms: buildMs, build_ms_median: sorted[Math.floor(sorted.length / 2)] ?? null, files },
    null,
    2,
  ),
);
