// Writes tests/data/shamir_vectors.json: secrets split by the shamir-secret-sharing package that
// the browser bundle uses, so tests/test_shamir_gf256.py can check, without node, that the
// Python port (src/lpse/bids/shamir.py) combines what browsers split.
// Run from the repository root after scripts/build-js:  node js/make-shamir-vectors.mjs
// The shares are random, so each run writes different (equally valid) vectors.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { combine, split } from "shamir-secret-sharing";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, "..", "tests", "data", "shamir_vectors.json");
const version = JSON.parse(
  readFileSync(path.join(HERE, "node_modules", "shamir-secret-sharing", "package.json"), "utf8"),
).version;

const hex = (bytes) => Buffer.from(bytes).toString("hex");
// 32 bytes is the tender key's wrapping key; 74 is an age identity (AGE-SECRET-KEY-1...) as text.
const LENGTHS = [1, 16, 32, 74];
const SHAPES = [[2, 2], [2, 3], [3, 5], [4, 7], [7, 7], [3, 10]]; // [k, n]
const EDGES = [[2, 255, 16], [255, 255, 16]]; // [k, n, secret length]: the package's limits

const cases = [];
async function add(k, n, length) {
  const secret = randomBytes(length);
  const shares = await split(new Uint8Array(secret), n, k);
  // Only vectors the package itself combines back are worth committing.
  if (hex(await combine(shares.slice(0, k))) !== hex(secret)) throw new Error("package self-check");
  cases.push({ k, n, secret: hex(secret), shares: shares.map(hex) });
}
for (const length of LENGTHS) for (const [k, n] of SHAPES) await add(k, n, length);
for (const [k, n, length] of EDGES) await add(k, n, length);

const doc = {
  about: "Shares made by the shamir-secret-sharing JS package; each share is the y bytes then one x byte.",
  generator: "js/make-shamir-vectors.mjs",
  library: `shamir-secret-sharing ${version}`,
  cases,
};
writeFileSync(OUT, JSON.stringify(doc, null, 1) + "\n");
console.log(`wrote ${cases.length} cases to ${path.relative(process.cwd(), OUT)}`);
