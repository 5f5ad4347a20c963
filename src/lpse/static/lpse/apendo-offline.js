// The offline Apendo (R-7.1, R-9.1, R-9.7; docs/bid-envelope.md): inlined into one HTML file
// (bids/views_apendo.py) that a provider saves and opens from disk. It makes, on that computer
// and without any network, the same age envelope as the bid page (bid.js) and the same
// signature file as `lpse apendo sign`; the bid page's "envelope made offline" form takes both.
// The signing key comes from the company's key export file: the copy kept in the site's
// IndexedDB belongs to the site's origin and cannot be reached from a file:// page.
(function () {
  "use strict";
  const form = document.getElementById("apendo-form");
  const statusEl = document.getElementById("status");
  const button = document.getElementById("make-envelope");
  const result = document.getElementById("result");
  const text = JSON.parse(document.getElementById("apendo-messages").textContent);
  const crypto_ = window.lpseCrypto;
  const ED25519 = { name: "Ed25519" };
  const KEY_EXPORT_FORMAT = "lpse-signing-key-v1"; // lpse.bids.signatures.KEY_EXPORT_FORMAT
  const SIGNATURE_FORMAT = "lpse-bid-signature-v1"; // lpse.bids.signatures.FORMAT
  const enc = new TextEncoder();
  const urls = [];

  function fill(message, values) {
    return message.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name]));
  }
  function say(message, isError) {
    statusEl.textContent = message;
    statusEl.className = isError ? "error" : "";
  }
  function fail(key) { return new Error(text[key]); }
  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function toBase64(bytes) {
    let s = "";
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s);
  }
  function fromBase64(s) { return Uint8Array.from(atob(s), (c) => c.charCodeAt(0)); }
  function grouped(fingerprint) { return (fingerprint.toUpperCase().match(/.{1,4}/g) || []).join(" "); }

  // --- twins of bid.js (tarHeader, safeName, tarBlob, rupiah, the offer): the envelope must be
  // the one the bid page makes; tests/test_apendo_offline.py opens both kinds on the server. ---
  function octal(n, width) { return n.toString(8).padStart(width - 1, "0") + "\0"; }
  function tarHeader(name, size) {
    const h = new Uint8Array(512);
    const put = (s, off) => h.set(enc.encode(s), off);
    put(name, 0); put("0000644\0", 100); put("0000000\0", 108); put("0000000\0", 116);
    put(octal(size, 12), 124); put(octal(Math.floor(Date.now() / 1000), 12), 136);
    put("        ", 148); put("0", 156); put("ustar\0", 257); put("00", 263);
    let sum = 0; for (const b of h) sum += b;
    put(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    return h;
  }
  function safeName(name) {
    const clean = name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(-80);
    return "documents/" + (clean || "dokumen");
  }
  function tarBlob(entries) {
    const parts = [];
    for (const [name, blob] of entries) {
      parts.push(tarHeader(name, blob.size), blob);
      const pad = (512 - (blob.size % 512)) % 512;
      if (pad) parts.push(new Uint8Array(pad));
    }
    parts.push(new Uint8Array(1024));
    return new Blob(parts);
  }
  function rupiah(value) {
    let s = value.replace(/Rp|\s/g, "");
    if (s.includes(",")) s = s.replace(/\./g, "").replace(",", ".");
    else if ((s.match(/\./g) || []).length > 1 || /\.\d{3}$/.test(s)) s = s.replace(/\./g, "");
    if (!/^\d+(\.\d{1,2})?$/.test(s) || Number(s) <= 0) return null;
    return s;
  }
  function documentEntries(files) {
    const entries = [], used = new Set();
    for (const file of files) {
      let name = safeName(file.name), n = 1;
      const dot = name.lastIndexOf(".");
      while (used.has(name)) {
        n += 1;
        name = dot > 10 ? `${name.slice(0, dot).replace(/-\d+$/, "")}-${n}${name.slice(dot)}`
                        : `${name.replace(/-\d+$/, "")}-${n}`;
      }
      used.add(name);
      entries.push([name, file]);
    }
    return entries;
  }

  // --- the signing key, from its export file (signing-key.js makes it) ----------------------
  async function openKey(file, passphrase) {
    if (!window.crypto || !crypto.subtle) throw fail("no_webcrypto");
    say(text.opening_key);
    const decrypter = new crypto_.Decrypter();
    decrypter.addPassphrase(passphrase);
    let data;
    try {
      data = JSON.parse(await decrypter.decrypt(new Uint8Array(await file.arrayBuffer()), "text"));
    } catch (err) {
      throw fail("bad_passphrase");
    }
    if (!data || data.format !== KEY_EXPORT_FORMAT || !/^\d+$/.test(data.npwp || "")) throw fail("not_export");
    let privateKey, publicKey;
    try {
      privateKey = await crypto.subtle.importKey("pkcs8", fromBase64(data.private_key_pkcs8), ED25519, false, ["sign"]);
      publicKey = await crypto.subtle.importKey("raw", fromBase64(data.public_key), ED25519, false, ["verify"]);
    } catch (err) {
      throw err && err.name === "NotSupportedError" ? fail("no_webcrypto") : fail("damaged_key");
    }
    const probe = enc.encode("lpse signing key: the two halves belong together");
    if (!(await crypto.subtle.verify(ED25519, publicKey, await crypto.subtle.sign(ED25519, privateKey, probe), probe))) {
      throw fail("damaged_key");
    }
    const fingerprint = hex(await crypto.subtle.digest("SHA-256", fromBase64(data.public_key)));
    return { privateKey, publicKey: data.public_key, npwp: data.npwp, fingerprint };
  }

  // The canonical message of lpse.bids.signatures.message.
  function signedMessage(tender, npwp, sha256, size) {
    return `${SIGNATURE_FORMAT}\ntender: ${tender}\nprovider-npwp: ${npwp}\n` +
      `envelope-sha256: ${sha256}\nenvelope-size: ${size}\n`;
  }

  // Encrypt the tar as a stream, hashing the ciphertext as it comes; the pieces end in a Blob
  // (which the browser may keep on disk), never in one JavaScript array.
  async function seal(recipient, plain) {
    const encrypter = new crypto_.Encrypter();
    try { encrypter.addRecipient(recipient); } catch (err) { throw fail("bad_recipient"); }
    const reader = (await encrypter.encrypt(plain.stream())).getReader();
    const hasher = crypto_.sha256.create();
    const parts = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hasher.update(value);
      parts.push(value);
      size += value.length;
      say(fill(text.encrypting, { done: (size / 1048576).toFixed(1) }));
    }
    return { blob: new Blob(parts, { type: "application/octet-stream" }), sha256: hex(hasher.digest()), size };
  }

  function offer(form_, price, validity) {
    return { format: "lpse-offer-v1", tender: form_.tender.value.trim(), total_price: price,
      validity_days: validity, declarations: ["integrity"] };
  }

  function link(id, blob, name, label) {
    const url = URL.createObjectURL(blob);
    urls.push(url);
    Object.assign(document.getElementById(id), { href: url, download: name, textContent: `${label} — ${name}` });
  }

  function checked() {
    const recipient = form.recipient.value.trim();
    const tender = form.tender.value.trim();
    const price = rupiah(form.total_price.value);
    const validity = parseInt(form.validity_days.value, 10);
    if (!/^age1[0-9a-z]+$/.test(recipient)) throw fail("recipient");
    if (!/^[A-Za-z0-9._/-]{1,100}$/.test(tender)) throw fail("tender");
    if (!price) throw fail("price");
    if (!(validity > 0)) throw fail("validity");
    if (!form.declaration.checked) throw fail("declaration");
    if (!form.documents.files.length) throw fail("documents");
    if (!form.key_file.files[0]) throw fail("key_file");
    if (!form.passphrase.value) throw fail("passphrase");
    return { recipient, tender, price, validity };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    result.hidden = true;
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      const { recipient, tender, price, validity } = checked();
      const key = await openKey(form.key_file.files[0], form.passphrase.value);
      const entries = [["offer.json", new Blob([JSON.stringify(offer(form, price, validity), null, 2)])],
        ...documentEntries(form.documents.files)];
      const sealed = await seal(recipient, tarBlob(entries));
      const signature = toBase64(await crypto.subtle.sign(ED25519, key.privateKey,
        enc.encode(signedMessage(tender, key.npwp, sealed.sha256, sealed.size))));
      // The signature file of `lpse apendo sign` (lpse.bids.signatures.signature_file).
      const sigText = JSON.stringify({ format: SIGNATURE_FORMAT, tender, provider_npwp: key.npwp,
        sha256: sealed.sha256, size: sealed.size, public_key: key.publicKey, signature }, null, 2) + "\n";
      const sigBytes = enc.encode(sigText);
      const name = `penawaran-${tender.replace(/[^A-Za-z0-9._-]/g, "_")}.age`;
      link("download-envelope", sealed.blob, name, text.download_envelope);
      link("download-signature", new Blob([sigBytes], { type: "application/json" }), name + ".sig", text.download_signature);
      document.getElementById("envelope-sha256").textContent = sealed.sha256;
      document.getElementById("signature-sha256").textContent = hex(crypto_.sha256(sigBytes));
      result.hidden = false;
      form.passphrase.value = "";
      say(fill(text.done, { size: sealed.size, sha256: sealed.sha256,
        fingerprint: grouped(key.fingerprint), npwp: key.npwp }));
    } catch (err) {
      say(fill(text.failed, { error: err.message || String(err) }), true);
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
})();
