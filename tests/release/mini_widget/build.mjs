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
