// Entry of lpse-crypto.min.js: everything the bid and key-ceremony pages need to encrypt, split
// and hash inside the browser, so no key or plaintext ever has to reach the server.
// Built by scripts/build-js; docs/browser-crypto.md says what is in it and how to update it.
import { armor, Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { combine, split } from "shamir-secret-sharing";
// The same @noble/hashes copy age-encryption itself bundles, so sha256 adds no code.
import { sha256 } from "@noble/hashes/sha2.js";

const age = Object.freeze({ Encrypter, Decrypter, generateX25519Identity, identityToRecipient });

// Defined once, read-only and frozen: a later script on the page cannot swap a function for one
// that leaks the key. If the name is already taken something ran before us that should not have,
// so refuse loudly instead of working alongside it.
function publish(name, value) {
  if (Object.prototype.hasOwnProperty.call(window, name)) {
    throw new Error(`window.${name} is already defined; load the LPSE crypto bundle once, first`);
  }
  Object.defineProperty(window, name, { value, enumerable: true, writable: false, configurable: false });
}

publish("lpseCrypto", Object.freeze({
  ...age,
  // ASCII armor (-----BEGIN AGE ENCRYPTED FILE-----), for shares and keys shown or pasted as text.
  armor: Object.freeze({ encode: armor.encode, decode: armor.decode }),
  // Each share is the y bytes followed by one x byte; src/lpse/bids/shamir.py reads the same
  // layout, and tests/test_shamir_gf256.py holds the two to each other.
  shamirSplit: (secret, n, k) => split(secret, n, k),
  shamirCombine: (shares) => combine(shares),
  // Incremental: sha256.create().update(chunk)....digest(), for files too large to hold twice.
  sha256,
}));
// bid.js was written against the old age-encryption bundle's name.
publish("ageEncryption", age);
