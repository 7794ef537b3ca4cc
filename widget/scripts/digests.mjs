// Digests shared by the build and the size check, so both measure files the same way.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export function digests(bytes) {
  return {
    bytes: bytes.length,
    gzip_bytes: gzipSync(bytes, { level: 9 }).length,
    sha384: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** sha256 of the operations as canonical JSON (names sorted), so any change to a document shows. */
export function operationsDigest(operations) {
  const canonical = JSON.stringify(Object.keys(operations).sort().map((name) => [name, operations[name]]));
  return `sha256-${createHash('sha256').update(canonical).digest('hex')}`;
}
