// Sealed bid submission: pack the offer and documents as a tar
// archive, encrypt it in this browser to the tender's age recipient (streaming), and upload the
// ciphertext in chunks at known offsets, resuming after a broken connection. The server never
// sees the plaintext. The envelope's SHA-256 is computed as the chunks go out; before the last
// chunk the envelope is signed with the company's key from this browser (signing-key.js) — or,
// for an envelope made offline, with the signature file of `lpse apendo sign` — and the
// signature goes with the last byte. Then verify the signed receipt with the LPSE's published key.
(function () {
  "use strict";
  const CHUNK = 4 * 1024 * 1024;
  const form = document.getElementById("bid-form");
  if (!form) return;
  const envelopeForm = document.getElementById("envelope-form");
  const statusEl = document.getElementById("bid-status");
  const progressBox = document.getElementById("progress-box");
  const progress = document.getElementById("progress");
  const progressText = document.getElementById("progress-text");
  // Every message goes through Django's JavaScript catalogue (djangojs domain, /jsi18n/), so it
  // reads in the page's language; without the catalogue the English source is shown.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate ||
    ((text, values) => text.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name])));
  const megabytes = new Intl.NumberFormat(document.documentElement.lang || undefined,
    { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function csrf() {
    // "__Host-csrftoken" when the site runs with LPSE_HTTPS (settings.py), "csrftoken" otherwise.
    const m = document.cookie.match(/(?:^|; )(?:__Host-)?csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function say(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? "errorlist" : "";
  }
  // An error that needs the signing key page: the message, then a link to it.
  function needKey(text) {
    return Object.assign(new Error(text), { keyPage: true });
  }
  function sayError(err) {
    say(err.message || String(err), true);
    if (err.keyPage && form.dataset.keyPage) {
      const link = Object.assign(document.createElement("a"),
        { href: form.dataset.keyPage, textContent: gettext("Open the signing key page") });
      statusEl.append(" ", link);
    }
  }

  // --- a minimal POSIX ustar writer ---------------------------------------------------------
  const enc = new TextEncoder();
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

  function rupiah(text) {
    let s = text.replace(/Rp|\s/g, "");
    if (s.includes(",")) s = s.replace(/\./g, "").replace(",", ".");
    else if ((s.match(/\./g) || []).length > 1 || /\.\d{3}$/.test(s)) s = s.replace(/\./g, "");
    if (!/^\d+(\.\d{1,2})?$/.test(s) || Number(s) <= 0) return null;
    return s;
  }

  // --- the upload protocol ------------------------------------------------------------------
  async function request(method, url, body, headers) {
    return fetch(url, { method, body, credentials: "same-origin",
      headers: Object.assign({ "X-CSRFToken": csrf() }, headers || {}) });
  }
  async function serverOffset(url) {
    const r = await request("GET", url);
    if (!r.ok) throw new Error((await r.json()).error);
    return (await r.json()).offset;
  }
  function show(done, total) {
    progressBox.hidden = false;
    progress.value = total ? Math.floor((done / total) * 100) : 0;
    progressText.textContent = interpolate(gettext("%(done)s of %(total)s MB"),
      { done: megabytes.format(done / 1048576), total: megabytes.format(total / 1048576) }, true);
  }

  // Send one chunk that starts at ``start``; on a broken connection ask the server where it
  // is and send the rest, a few times with a growing pause.
  async function sendChunk(url, start, bytes, total, signature) {
    let offset = start;
    for (let attempt = 0; ; attempt++) {
      const piece = bytes.subarray(offset - start);
      const headers = { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" };
      if (signature) headers["Upload-Signature"] = signature; // the last chunk
      try {
        const r = await request("PATCH", url, piece, headers);
        const data = await r.json();
        if (!r.ok) {
          // Only a wrong offset is worth another try. "finished" means the upload is already
          // accepted (or refused): when the answer to the last chunk was lost, asking again
          // would loop for ever.
          if (data.code === "offset_mismatch" && attempt < 8) { offset = await serverOffset(url); continue; }
          // The file store did not answer: nothing of this part was kept; wait and resume.
          if (data.code === "storage" && attempt < 8) {
            say(interpolate(gettext("The file store is busy; resuming (attempt %(n)s)…"), { n: attempt + 1 }, true), true);
            await new Promise((ok) => setTimeout(ok, Math.min(500 * 2 ** attempt, 8000)));
            offset = await serverOffset(url);
            continue;
          }
          if (data.code === "finished") {
            // The answer to our last chunk was lost, but the bid may be in: the upload says so.
            const state = await (await request("GET", url)).json();
            if (state.state === "accepted" && state.receipt) { show(total, total); return state; }
          }
          const hint = data.code === "finished"
            ? " " + gettext("Reload this page: “My bids” lists every bid received, with its receipt.") : "";
          throw Object.assign(new Error(data.error + hint),
            { fatal: true, keyPage: ["no_signing_key", "unsigned", "bad_signature"].includes(data.code) });
        }
        show(data.offset, total);
        return data;
      } catch (err) {
        if (err.fatal || attempt >= 8) throw err;
        say(interpolate(gettext("Connection interrupted; resuming (attempt %(n)s)…"), { n: attempt + 1 }, true), true);
        await new Promise((ok) => setTimeout(ok, Math.min(500 * 2 ** attempt, 8000)));
        try { offset = await serverOffset(url); } catch (e) { /* still offline: retry */ }
      }
    }
  }

  // ``sign(sha256Hex, size)`` gives the signature sent with the last chunk; the SHA-256 is
  // computed as the chunks go out (one pass, never the whole envelope in memory).
  async function upload(stream, total, sign) {
    const created = await request("POST", form.dataset.createUrl,
      JSON.stringify({ length: total }), { "Content-Type": "application/json" });
    const info = await created.json();
    if (!created.ok) throw Object.assign(new Error(info.error), { keyPage: info.code === "no_signing_key" });
    const hasher = window.lpseCrypto.sha256.create();
    const reader = stream.getReader();
    let buffer = new Uint8Array(0), sent = 0, result = null;
    show(0, total);
    for (;;) {
      const { done, value } = await reader.read();
      if (value) {
        const joined = new Uint8Array(buffer.length + value.length);
        joined.set(buffer); joined.set(value, buffer.length); buffer = joined;
      }
      while (buffer.length >= CHUNK || (done && buffer.length)) {
        const part = buffer.subarray(0, Math.min(CHUNK, buffer.length));
        hasher.update(part);
        const last = sent + part.length === total;
        const signature = last ? await sign(hexOf(hasher.digest()), total) : "";
        result = await sendChunk(info.url, sent, part, total, signature);
        sent += part.length;
        buffer = buffer.slice(part.length);
      }
      if (done) break;
    }
    return result;
  }

  // --- the signature (R-9.7) ----------------------------------------------------------------
  function hexOf(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  // The canonical message of lpse.bids.signatures, as the page gives it, with the envelope in.
  function signedMessage(sha256, size) {
    return form.dataset.signedMessage.replace("{sha256}", sha256).replace("{size}", String(size));
  }
  function boundFingerprint() {
    const fingerprint = form.dataset.keyFingerprint;
    if (!fingerprint) {
      throw needKey(gettext("Your company has no signing key bound by the LPSE verifier, so its bids cannot be accepted. Make a key and bring its fingerprint to the verifier."));
    }
    return fingerprint;
  }
  // The signer of a bid made here: the company's bound key, from this browser's store.
  async function browserSigner() {
    const fingerprint = boundFingerprint();
    const keys = window.lpseSigningKey;
    const record = keys && await keys.find(form.dataset.company, fingerprint);
    if (!record) {
      throw needKey(interpolate(gettext("This browser does not hold your company's signing key (fingerprint %(fingerprint)s). Import it from its export file on the signing key page, or send the bid from the computer that made the key."),
        { fingerprint: keys ? keys.grouped(fingerprint) : fingerprint }, true));
    }
    return (sha256, size) => keys.sign(record, signedMessage(sha256, size));
  }
  // The signer of an envelope made offline: the signature file of `lpse apendo sign`, checked
  // against this tender, company and key before the upload, and against the envelope's hash
  // before its last byte is sent.
  async function fileSigner(sigFile, size) {
    const fingerprint = boundFingerprint();
    let sig;
    try { sig = JSON.parse(await sigFile.text()); } catch (e) { sig = null; }
    if (!sig || sig.format !== "lpse-bid-signature-v1" || !sig.signature) {
      throw new Error(gettext("The signature file is not one made by lpse apendo sign (bid.age.sig)."));
    }
    if (sig.tender !== form.dataset.tender) {
      throw new Error(interpolate(gettext("The signature file is for tender %(theirs)s, not %(ours)s."),
        { theirs: sig.tender, ours: form.dataset.tender }, true));
    }
    if (sig.provider_npwp !== form.dataset.npwp) {
      throw new Error(interpolate(gettext("The signature file is for another company (NPWP %(npwp)s)."),
        { npwp: sig.provider_npwp }, true));
    }
    const keyFingerprint = await window.lpseSigningKey.fingerprintOf(window.lpseSigningKey.fromBase64(sig.public_key || ""));
    if (keyFingerprint !== fingerprint) {
      throw needKey(interpolate(gettext("The signature file was made with a key that is not bound to your company (fingerprint %(fingerprint)s)."),
        { fingerprint: window.lpseSigningKey.grouped(keyFingerprint) }, true));
    }
    if (sig.size !== size) {
      throw new Error(interpolate(gettext("The signature file is for an envelope of %(theirs)s bytes; this one has %(ours)s. Choose the envelope it was made for."),
        { theirs: sig.size, ours: size }, true));
    }
    return async (sha256) => {
      if (sha256 !== sig.sha256) {
        throw new Error(interpolate(gettext("The signature file is for another envelope (SHA-256 %(theirs)s); this one is %(ours)s. Nothing was accepted: sign this envelope with lpse apendo sign."),
          { theirs: sig.sha256, ours: sha256 }, true));
      }
      return sig.signature;
    };
  }

  // --- the receipt --------------------------------------------------------------------------
  function canonical(value) {
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).filter((k) => k !== "signature").sort()
        .map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
    }
    return JSON.stringify(value);
  }
  async function verifyReceipt(receipt) {
    const pem = await (await fetch("/api/v1/receipt-key")).text();
    const der = Uint8Array.from(atob(pem.replace(/-----[^-]+-----|\s/g, "")), (c) => c.charCodeAt(0));
    const key = await crypto.subtle.importKey("spki", der, { name: "Ed25519" }, false, ["verify"]);
    const signature = Uint8Array.from(atob(receipt.signature), (c) => c.charCodeAt(0));
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, enc.encode(canonical(receipt)));
  }

  async function finish(result) {
    const receipt = result.receipt;
    let verified = false;
    try { verified = await verifyReceipt(receipt); } catch (e) { verified = false; }
    // The server sends the time in WITA, spelled out; the receipt's own field stays UTC (signed).
    const at = result.received_at_wita || receipt.received_at;
    say(interpolate(gettext("Bid received on %(at)s. SHA-256 %(sha256)s."), { at, sha256: receipt.sha256 }, true) + " " +
        (verified ? gettext("Receipt signature verified ✓") : gettext("Receipt signature could not be verified here.")),
        !verified);
    statusEl.dataset.verified = verified ? "yes" : "no";
    const links = document.createElement("p");
    links.innerHTML = `<a href="${result.receipt_url}">JSON</a> · <a href="${result.receipt_pdf_url}">PDF</a>`;
    statusEl.after(links);
    await refreshMyBids();
  }

  // "My bids" as the server now lists it (the new bid, and the one it replaced), without a
  // reload: the same page fetched again and only that section swapped in.
  async function refreshMyBids() {
    const current = document.getElementById("my-bids");
    try {
      const r = await fetch(window.location.pathname, { credentials: "same-origin" });
      if (!r.ok) return;
      const fresh = new DOMParser().parseFromString(await r.text(), "text/html").getElementById("my-bids");
      if (current && fresh) current.replaceWith(document.adoptNode(fresh));
    } catch (e) { /* the receipt is shown above; the list catches up on the next visit */ }
  }

  function lock(busy) {
    for (const b of document.querySelectorAll("#bid-form button, #envelope-form button")) b.disabled = busy;
    for (const f of [form, envelopeForm]) {
      if (busy) f.setAttribute("aria-busy", "true"); else f.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const price = rupiah(form.total_price.value);
    const validity = parseInt(form.validity_days.value, 10);
    if (!price) return say(gettext("Write the total price in rupiah, for example 1.250.000.000."), true);
    if (!(validity > 0)) return say(gettext("Give how many days the offer is valid."), true);
    if (!form.declaration.checked) return say(gettext("Tick the declaration."), true);
    lock(true);
    try {
      const sign = await browserSigner(); // before anything is encrypted or sent
      const offer = { format: "lpse-offer-v1", tender: form.dataset.tender, total_price: price,
        validity_days: validity, declarations: ["integrity"] };
      const entries = [["offer.json", new Blob([JSON.stringify(offer, null, 2)])]];
      const used = new Set();
      for (const file of form.documents.files) {
        // Two files whose names clean up alike would collapse into one inside the archive.
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
      const plain = tarBlob(entries);
      say(gettext("Encrypting in this browser and sending…"));
      const encrypter = new window.ageEncryption.Encrypter();
      encrypter.addRecipient(form.dataset.recipient);
      const sealed = await encrypter.encrypt(plain.stream());
      await finish(await upload(sealed, sealed.size(plain.size), sign));
    } catch (err) {
      sayError(err);
    } finally { lock(false); }
  });

  envelopeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("envelope").files[0];
    const sigFile = document.getElementById("envelope-signature").files[0];
    if (!file) return say(gettext("Choose the .age envelope."), true);
    if (!sigFile) return say(gettext("Choose the envelope's signature file (.sig), made with lpse apendo sign."), true);
    lock(true);
    try { await finish(await upload(file.stream(), file.size, await fileSigner(sigFile, file.size))); }
    catch (err) { sayError(err); }
    finally { lock(false); }
  });
})();
