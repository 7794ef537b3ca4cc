// `npm run check:size`: the release gates on widget/build/, run by `./inv test`.
//
//   - gzip -9 budgets (issue 3): loader ≤ 5 KiB, app ≤ 140 KiB, UMD ≤ 145 KiB
//   - no eval / new Function / string timers in any shipped script (strict CSP pages)
//   - the loader carries the SRI digest of the app it sits next to
//   - build-info.json describes exactly the bytes on disk
//   - the app and the UMD build carry the Sentry debug ID that build-info.json records (sentry-cli
//     inject ran); the loader carries none (it never reports, and its budget is 5 KB)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { digests } from './digests.mjs';

const BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');
const KiB = 1024;
export const BUDGETS = {
  'chat-widget.js': 5 * KiB,
  'chat-widget.app.js': 140 * KiB,
  'chat-widget.umd.js': 145 * KiB,
};
const EVAL_PATTERNS = [
  [/\beval\s*\(/, 'eval('],
  [/\bnew\s+Function\s*\(/, 'new Function('],
  [/(?<![.\w$])Function\s*\(\s*["'`]/, 'Function("…")'],
  [/\bset(?:Timeout|Interval)\s*\(\s*["'`]/, 'setTimeout("…")'],
];

export function checkBuild(dir = BUILD) {
  const failures = [];
  const rows = [];
  if (!existsSync(path.join(dir, 'build-info.json'))) {
    return { failures: [`${dir}/build-info.json is missing: run \`npm run build:widget\` first`], rows };
  }
  const info = JSON.parse(readFileSync(path.join(dir, 'build-info.json'), 'utf8'));
  for (const [name, budget] of Object.entries(BUDGETS)) {
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      failures.push(`${name} is missing`);
      continue;
    }
    const bytes = readFileSync(file);
    const d = digests(bytes);
    rows.push({ name, gzip: d.gzip_bytes, budget });
    if (d.gzip_bytes > budget) failures.push(`${name} is ${d.gzip_bytes} B gzip -9, over its budget of ${budget} B`);
    const text = bytes.toString('utf8');
    for (const [pattern, label] of EVAL_PATTERNS) {
      if (pattern.test(text)) failures.push(`${name} contains ${label}: pages with a strict CSP would block it`);
    }
    if (info.files?.[name]?.sha384 !== d.sha384) failures.push(`build-info.json does not describe ${name} as built`);
    const debugId = info.files?.[name]?.debug_id;
    if (name === 'chat-widget.js') {
      if (debugId || text.includes('_sentryDebugIds')) failures.push(`${name} (the loader) carries a Sentry debug ID: it costs its budget and is never used`);
    } else if (!debugId || !text.includes(`//# debugId=${debugId}`) || !text.includes('_sentryDebugIds')) {
      failures.push(`${name} carries no Sentry debug ID: rebuild with \`npm run build:widget\` (it runs sentry-cli sourcemaps inject)`);
    }
  }
  const appDigest = info.files?.['chat-widget.app.js']?.sha384;
  const loaderPath = path.join(dir, 'chat-widget.js');
  if (appDigest && existsSync(loaderPath) && !readFileSync(loaderPath, 'utf8').includes(appDigest)) {
    failures.push('chat-widget.js does not carry the SRI digest of chat-widget.app.js: rebuild with `npm run build:widget`');
  }
  return { failures, rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { failures, rows } = checkBuild();
  for (const r of rows) {
    const pct = ((100 * r.gzip) / r.budget).toFixed(0);
    console.log(`${r.name.padEnd(20)} ${String(r.gzip).padStart(7)} B gzip -9  budget ${String(r.budget).padStart(7)} B  (${pct}%)`);
  }
  if (failures.length) {
    for (const f of failures) console.error(`✗ ${f}`);
    process.exit(1);
  }
  console.log('✓ budgets, no-eval, SRI and build-info all hold');
}
