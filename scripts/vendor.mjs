// Copies the browser assets the web app serves from node_modules (installed from the
// npm registry by `npm ci`) into src/materiel/web/static/vendor/, with a manifest of
// their versions and SHA-256 digests. Run by `make` (the install target) and `npm run vendor`.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src", "materiel", "web", "static", "vendor");
const FILES = [
  ["htmx.org", "dist/htmx.min.js", "htmx.min.js", "LICENSE"],
  ["chart.js", "dist/chart.umd.min.js", "chart.umd.min.js", "LICENSE.md"],
  ["datatables.net", "js/dataTables.min.js", "dataTables.min.js", "License.txt"],
];

mkdirSync(out, { recursive: true });
const manifest = {};
for (const [pkg, from, to, license] of FILES) {
  const dir = join(root, "node_modules", pkg);
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  copyFileSync(join(dir, from), join(out, to));
  copyFileSync(join(dir, license), join(out, `${to}.LICENSE`));
  const digest = createHash("sha256").update(readFileSync(join(out, to))).digest("hex");
  manifest[to] = { package: pkg, version, from, sha256: digest };
}
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`vendor: ${Object.keys(manifest).join(", ")} -> ${out}`);
