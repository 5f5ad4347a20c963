// The company's signing key in this browser. The private key is made here with
// WebCrypto (Ed25519), written once to an export file sealed with an age passphrase, and kept
// in IndexedDB as a *non-extractable* CryptoKey: pages can sign with it, no script can read it
// out. Only the public key is sent to LPSE, where two verifiers bind it to the company.
//
// window.lpseSigningKey is what bid.js uses to find the key and sign; the rest runs on the key
// page (providers/signing_key.html) only.
(function () {
  "use strict";
  const DB_NAME = "lpse-signing-keys";
  const STORE = "keys"; // records {company, fingerprint, publicKey, privateKey, storedAt}
  const EXPORT_FORMAT = "lpse-signing-key-v1"; // lpse.bids.signatures.KEY_EXPORT_FORMAT
  const ED25519 = { name: "Ed25519" };
  const enc = new TextEncoder();

  function toBase64(bytes) {
    let text = "";
    for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
    return btoa(text);
  }
  function fromBase64(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }
  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  async function fingerprintOf(rawPublic) {
    return hex(await crypto.subtle.digest("SHA-256", rawPublic));
  }
  function grouped(fingerprint) {
    return (fingerprint.toUpperCase().match(/.{1,4}/g) || []).join(" ");
  }

  // --- the store: one record per company and key ------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () =>
        request.result.createObjectStore(STORE, { keyPath: ["company", "fingerprint"] });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function withStore(mode, action) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = action(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = tx.onabort = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }
  function find(company, fingerprint) {
    if (!fingerprint) return Promise.resolve(undefined);
    return withStore("readonly", (s) => s.get([String(company), fingerprint]));
  }
  function keysOf(company) {
    const range = IDBKeyRange.bound([String(company), ""], [String(company), "\uffff"]);
    return withStore("readonly", (s) => s.getAll(range));
  }

  // Keep a private key (PKCS #8) for the company, non-extractable, after proving that it is
  // the private half of ``rawPublic``. Returns the key's fingerprint.
  async function store(company, pkcs8, rawPublic) {
    const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, ED25519, false, ["sign"]);
    const publicKey = await crypto.subtle.importKey("raw", rawPublic, ED25519, true, ["verify"]);
    const probe = enc.encode("lpse signing key: the two halves belong together");
    const signature = await crypto.subtle.sign(ED25519, privateKey, probe);
    if (!(await crypto.subtle.verify(ED25519, publicKey, signature, probe))) {
      throw new Error("The private key in the file does not belong to its public key: the file is damaged.");
    }
    const fingerprint = await fingerprintOf(rawPublic);
    await withStore("readwrite", (s) => s.put({
      company: String(company), fingerprint, publicKey: toBase64(rawPublic), privateKey,
      storedAt: new Date().toISOString(),
    }));
    return fingerprint;
  }

  async function sign(record, message) {
    return toBase64(await crypto.subtle.sign(ED25519, record.privateKey, enc.encode(message)));
  }

  Object.defineProperty(window, "lpseSigningKey", {
    value: Object.freeze({ find, keysOf, store, sign, fingerprintOf, grouped, toBase64, fromBase64 }),
    writable: false, configurable: false,
  });

  // --- the key page ------------------------------------------------------------------------
  const status = document.getElementById("key-status");
  if (!status) return;
  const company = status.dataset.company;
  const form = document.getElementById("signing-key-form");
  const message = document.getElementById("key-message");
  const browserKey = document.getElementById("browser-key");
  const age = window.lpseCrypto || window.ageEncryption;

  function say(text, isError) {
    message.textContent = text;
    message.className = isError ? "errorlist" : "";
  }
  function busy(on) {
    for (const b of document.querySelectorAll("#signing-key-form button, #import-key button")) b.disabled = on;
  }

  async function showBrowserKey() {
    const bound = status.dataset.boundFingerprint, open = status.dataset.openFingerprint;
    try {
      if (bound && (await find(company, bound))) {
        browserKey.textContent = "This browser holds the company's bound key: bids sent from here are signed with it.";
        browserKey.dataset.holds = "bound";
      } else if (open && (await find(company, open))) {
        browserKey.textContent = "This browser holds the key in progress; bids can be signed with it once it is bound.";
        browserKey.dataset.holds = "open";
      } else {
        browserKey.textContent = bound
          ? "This browser does not hold the bound key: import it from its export file below."
          : "This browser holds no key of the company.";
        browserKey.dataset.holds = "none";
      }
      browserKey.className = browserKey.dataset.holds === "none" ? "warning" : "";
    } catch (err) {
      browserKey.textContent = "This browser cannot keep a key (" + (err.message || err) + "): use another browser, not in private mode.";
      browserKey.className = "errorlist";
    }
  }

  function download(bytes, name) {
    const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    const link = Object.assign(document.createElement("a"), { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  document.getElementById("make-key").addEventListener("click", async () => {
    const pass = document.getElementById("export-passphrase").value;
    const again = document.getElementById("export-passphrase-again").value;
    if (pass.length < 12) return say("Choose a passphrase of at least 12 characters for the export file (four or five random words are best).", true);
    if (pass !== again) return say("The two passphrases differ: type them again.", true);
    busy(true);
    say("Making the key…");
    try {
      const pair = await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"]);
      const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
      const rawPublic = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
      const npwp = status.dataset.npwp;
      const payload = JSON.stringify({
        format: EXPORT_FORMAT, company: status.dataset.companyName, npwp,
        public_key: toBase64(rawPublic), private_key_pkcs8: toBase64(pkcs8),
      });
      say("Sealing the export file with your passphrase…");
      const encrypter = new age.Encrypter();
      encrypter.setPassphrase(pass);
      const sealed = await encrypter.encrypt(payload);
      const fingerprint = await store(company, pkcs8, rawPublic);
      pkcs8.fill(0); // the only extractable copy: the export file has it now
      download(sealed, `kunci-tanda-tangan-${npwp}-${fingerprint.slice(0, 8)}.age`);
      form.elements.public_key.value = toBase64(rawPublic);
      document.getElementById("export-passphrase").value = "";
      document.getElementById("export-passphrase-again").value = "";
      say(`Key made (fingerprint ${grouped(fingerprint)}) and kept in this browser. Keep the downloaded export file and its passphrase safe, then press “Propose this public key”.`);
      message.dataset.fingerprint = fingerprint;
      await showBrowserKey();
    } catch (err) {
      say("The key could not be made here: " + (err.message || err), true);
    } finally {
      busy(false);
    }
  });

  document.getElementById("import-key-button").addEventListener("click", async () => {
    const file = document.getElementById("import-file").files[0];
    const pass = document.getElementById("import-passphrase").value;
    if (!file) return say("Choose the export file (.age).", true);
    if (!pass) return say("Type the export file's passphrase.", true);
    busy(true);
    say("Opening the export file…");
    try {
      const decrypter = new age.Decrypter();
      decrypter.addPassphrase(pass);
      let text;
      try {
        text = await decrypter.decrypt(new Uint8Array(await file.arrayBuffer()), "text");
      } catch (err) {
        throw new Error("The passphrase is wrong, or this is not a key export file.");
      }
      const data = JSON.parse(text);
      if (data.format !== EXPORT_FORMAT) throw new Error("This file is not an LPSE signing key export file.");
      if (data.npwp && data.npwp !== status.dataset.npwp) {
        throw new Error(`This is the key of another company (NPWP ${data.npwp}).`);
      }
      const pkcs8 = fromBase64(data.private_key_pkcs8);
      const fingerprint = await store(company, pkcs8, fromBase64(data.public_key));
      pkcs8.fill(0);
      document.getElementById("import-passphrase").value = "";
      const bound = status.dataset.boundFingerprint;
      say(`Key imported into this browser (fingerprint ${grouped(fingerprint)})` +
          (bound && bound !== fingerprint ? "; it is not the key bound to the company, whose bids must be signed with the bound one." : "."),
          Boolean(bound && bound !== fingerprint));
      if (!form.elements.public_key.value) form.elements.public_key.value = data.public_key;
      await showBrowserKey();
    } catch (err) {
      say(err.message || String(err), true);
    } finally {
      busy(false);
    }
  });

  showBrowserKey();
})();
