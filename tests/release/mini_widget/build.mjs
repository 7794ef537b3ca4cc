// Same contract as widget/scripts/build.mjs: build/ with the loader, app, UMD and build-info.json,
// the version from WIDGET_VERSION, byte-identical output for the same source.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const version = process.env.WIDGET_VERSION || "0.0.0-dev";
const source = readFileSync("src/app.js", "utf8");
const files = {
  "chat-widget.app.js": `/* app ${version} */\n${source}`,
  "chat-widget.js": `/* loader ${version} */\nwindow.BookingChatVersion = ${JSON.stringify(version)};\n`,
  "chat-widget.umd.js": `/* umd ${version} */\n${source}`,
};
// MINI_WIDGET_MAPS=1: the app also gets a hidden source map and a debug ID, as
// `sentry-cli sourcemaps inject` leaves them (the Sentry tests upload them as an artifact bundle).
if (process.env.MINI_WIDGET_MAPS === "1") {
  const map = { version: 3, file: "chat-widget.app.js", sources: ["src/app.js"], sourcesContent: [source], names: [], mappings: "" };
  const hex = createHash("sha1").update(JSON.stringify(map)).digest("hex");
  const debugId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  files["chat-widget.app.js"] += `\n//# debugId=${debugId}\n`;
  files["chat-widget.app.js.map"] = JSON.stringify({ ...map, debug_id: debugId, debugId });
}
rmSync("build", { recursive: true, force: true });
mkdirSync("build");
const info = { version, files: {}, graphql: { operations: { TenantConfig: "query TenantConfig { tenantConfig { name } }" }, digest: "" } };
for (const [name, text] of Object.entries(files)) {
  const bytes = Buffer.from(text);
  writeFileSync(`build/${name}`, bytes);
  info.files[name] = {
    bytes: bytes.length,
    gzip_bytes: gzipSync(bytes, { level: 9 }).length,
    sha384: "sha384-" + createHash("sha384").update(bytes).digest("base64"),
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}
info.graphql.digest = "sha256-" + createHash("sha256").update(JSON.stringify(info.graphql.operations)).digest("hex");
writeFileSync("build/build-info.json", JSON.stringify(info, null, 2) + "\n");
