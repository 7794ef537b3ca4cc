// Strip `funding` entries from package-lock.json: they are the only URLs npm writes there once
// `omit-lockfile-registry-resolved=true` is set (.npmrc), and the repo rule is "no URLs in lock
// files". npm ci ignores the field. Run after every `npm install` (npm run lock:clean).
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
for (const entry of Object.values(lock.packages ?? {})) delete entry.funding;
const text = `${JSON.stringify(lock, null, 2)}\n`;
if (/https?:\/\//.test(text)) {
  console.error('package-lock.json still holds a URL; look for it with: grep -n http package-lock.json');
  process.exit(1);
}
writeFileSync(path, text);
