// The JS side of tests/test_shamir_gf256.py's live cross-test: reads a JSON list of
// requests on stdin, answers a JSON list on stdout, all bytes as hex.
//   {"split": {"secret": "00ff", "n": 5, "k": 3}}  ->  {"shares": ["..", ..]}
//   {"combine": ["..", ".."]}                      ->  {"secret": ".."}
// It calls the same package functions that crypto-entry.js bundles for the browser.
import { combine, split } from "shamir-secret-sharing";

const fromHex = (text) => new Uint8Array(Buffer.from(text, "hex"));
const toHex = (bytes) => Buffer.from(bytes).toString("hex");

let input = "";
for await (const chunk of process.stdin) input += chunk;
const answers = [];
for (const request of JSON.parse(input)) {
  if (request.split) {
    const { secret, n, k } = request.split;
    answers.push({ shares: (await split(fromHex(secret), n, k)).map(toHex) });
  } else {
    answers.push({ secret: toHex(await combine(request.combine.map(fromHex))) });
  }
}
process.stdout.write(JSON.stringify(answers));
