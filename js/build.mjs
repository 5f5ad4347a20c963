// Builds LPSE's vendored browser bundles, byte for byte the same on every run and machine.
// Run through scripts/build-js (which first installs js/ exactly as package-lock.json says):
//   node js/build.mjs <output folder>
// writes lpse-crypto.min.js, lpse-passphrase.min.js, a licence file for each and
// lpse-crypto.sha256. docs/browser-crypto.md explains the choices below.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));

const BUNDLES = [
  {
    entry: "crypto-entry.js",
    out: "lpse-crypto.min.js",
    about: "LPSE browser crypto: window.lpseCrypto (age, armor, Shamir, SHA-256), window.ageEncryption",
  },
  {
    entry: "passphrase-entry.js",
    out: "lpse-passphrase.min.js",
    about: "LPSE passphrase meter: window.lpsePassphrase.strength (zxcvbn-ts, Indonesian word list)",
  },
];
const CHECKSUMS = "lpse-crypto.sha256";

// Every option that could vary is fixed here rather than left to esbuild's defaults, so a new
// esbuild default cannot change the output without a visible edit of this file.
const OPTIONS = {
  absWorkingDir: HERE, // paths esbuild records are relative to js/, never /home/someone/...
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser", // picks shamir-secret-sharing's crypto.getRandomValues, not node:crypto
  target: ["es2020"], // what the old age bundle used; BigInt needs at least this
  charset: "ascii", // non-ASCII escaped: the bytes cannot depend on how a file is served
  legalComments: "none", // full licence texts go in <bundle>.LICENSES.txt instead, see below
  sourcemap: false,
  treeShaking: true,
  metafile: true, // which packages ended up in the bundle, for the banner and licence file
  write: false,
  logLevel: "warning",
};

function packageDir(input) {
  // "node_modules/@noble/post-quantum/node_modules/@noble/hashes/sha3.js" -> the innermost package
  const parts = input.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return null; // our own js/*.js
  const depth = parts[at + 1].startsWith("@") ? 2 : 1;
  return parts.slice(0, at + 1 + depth).join("/");
}

function bundledPackages(metafile) {
  const [output] = Object.values(metafile.outputs);
  const dirs = new Set();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const dir = packageDir(input);
    if (dir && bytesInOutput > 0) dirs.add(dir);
  }
  const packages = [...dirs].map((dir) => {
    const meta = JSON.parse(readFileSync(path.join(HERE, dir, "package.json"), "utf8"));
    const licences = readdirSync(path.join(HERE, dir))
      .filter((f) => /^(licen[cs]e|copying|third_party_licen[cs]es)/i.test(f))
      .sort();
    if (!licences.length) throw new Error(`${dir} has no licence file to ship with the bundle`);
    return { dir, name: meta.name, version: meta.version, license: meta.license, licences };
  });
  const key = (p) => `${p.name}@${p.version}`;
  return packages.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function banner(bundle, packages) {
  const lines = [
    `${bundle.out}: ${bundle.about}.`,
    `Built by scripts/build-js from js/${bundle.entry} and js/package-lock.json; do not edit.`,
    `Bundled packages (licence texts in ${licenceFile(bundle)}):`,
    ...packages.map((p) => `  ${p.name} ${p.version} (${p.license})`),
    "  LPSE's own js/*.js (AGPL-3.0-or-later)",
  ];
  return `/*!\n${lines.map((l) => ` * ${l}`).join("\n")}\n */`;
}

function licenceFile(bundle) {
  return bundle.out.replace(/\.min\.js$/, ".LICENSES.txt");
}

function licenceText(bundle, packages) {
  const parts = [`Licences of the packages bundled into ${bundle.out}.\n`];
  for (const p of packages) {
    for (const file of p.licences) {
      const text = readFileSync(path.join(HERE, p.dir, file), "utf8").replace(/\r\n/g, "\n");
      parts.push(`\n===== ${p.name} ${p.version} (${p.license}): ${file} =====\n\n${text.trimEnd()}\n`);
    }
  }
  return parts.join("");
}

async function build(bundle) {
  const options = { ...OPTIONS, entryPoints: [bundle.entry], outfile: bundle.out };
  // Pass 1 learns which packages are in the bundle; pass 2 builds it with their names on top.
  const first = await esbuild.build(options);
  const packages = bundledPackages(first.metafile);
  const result = await esbuild.build({ ...options, banner: { js: banner(bundle, packages) } });
  const code = result.outputFiles[0].text;
  // A path of the machine that built it would make the bytes differ between machines.
  for (const leak of [HERE, path.dirname(HERE), "node_modules/"]) {
    if (code.includes(leak)) throw new Error(`${bundle.out} contains the path ${leak}`);
  }
  return { code, licences: licenceText(bundle, packages) };
}

async function main() {
  const outDir = process.argv[2];
  if (!outDir) throw new Error("usage: node js/build.mjs <output folder>");
  if (!existsSync(path.join(HERE, "node_modules"))) {
    throw new Error("js/node_modules is missing: run scripts/build-js, which installs it first");
  }
  mkdirSync(outDir, { recursive: true });
  const sums = [];
  for (const bundle of BUNDLES) {
    const { code, licences } = await build(bundle);
    writeFileSync(path.join(outDir, bundle.out), code);
    writeFileSync(path.join(outDir, licenceFile(bundle)), licences);
    sums.push(`${createHash("sha256").update(code).digest("hex")}  ${bundle.out}\n`);
  }
  // sha256sum's format, so `cd src/lpse/static/vendor && sha256sum -c lpse-crypto.sha256` works.
  writeFileSync(path.join(outDir, CHECKSUMS), sums.join(""));
}

main().catch((err) => {
  console.error(`js/build.mjs: ${err.message}`);
  process.exit(1);
});
