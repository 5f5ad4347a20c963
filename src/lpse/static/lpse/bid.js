// Sealed bid submission: pack the offer and documents as a tar archive,
// encrypt it in this browser to the tender's age recipient (streaming), and upload the
// ciphertext in chunks at known offsets, resuming after a broken connection. The server never
// sees the plaintext. Then verify the signed receipt with the LPSE's published key.
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

  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function say(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? "errorlist" : "";
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
    progressText.textContent = `${(done / 1048576).toFixed(1)} / ${(total / 1048576).toFixed(1)} MB`;
  }

  // Send one chunk that starts at ``start``; on a broken connection ask the server where it
  // is and send the rest, a few times with a growing pause.
  async function sendChunk(url, start, bytes, total) {
    let offset = start;
    for (let attempt = 0; ; attempt++) {
      const piece = bytes.subarray(offset - start);
      try {
        const r = await request("PATCH", url, piece,
          { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" });
        const data = await r.json();
        if (!r.ok) {
          // Only a wrong offset is worth another try. "finished" means the upload is already
          // accepted (or refused): when the answer to the last chunk was lost, asking again
          // would loop for ever.
          if (data.code === "offset_mismatch" && attempt < 8) { offset = await serverOffset(url); continue; }
          if (data.code === "finished") {
            // The answer to our last chunk was lost, but the bid may be in: the upload says so.
            const state = await (await request("GET", url)).json();
            if (state.state === "accepted" && state.receipt) { show(total, total); return state; }
          }
          const hint = data.code === "finished"
            ? " Reload this page: “My bids” lists every bid received, with its receipt." : "";
          throw Object.assign(new Error(data.error + hint), { fatal: true });
        }
        show(data.offset, total);
        return data;
      } catch (err) {
        if (err.fatal || attempt >= 8) throw err;
        say(`Connection interrupted; resuming (attempt ${attempt + 1})…`, true);
        await new Promise((ok) => setTimeout(ok, Math.min(500 * 2 ** attempt, 8000)));
        try { offset = await serverOffset(url); } catch (e) { /* still offline: retry */ }
      }
    }
  }

  async function upload(stream, total) {
    const created = await request("POST", form.dataset.createUrl,
      JSON.stringify({ length: total }), { "Content-Type": "application/json" });
    const info = await created.json();
    if (!created.ok) throw new Error(info.error);
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
        result = await sendChunk(info.url, sent, part, total);
        sent += part.length;
        buffer = buffer.slice(part.length);
      }
      if (done) break;
    }
    return result;
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
    say(`Bid received at ${receipt.received_at} (server time). SHA-256 ${receipt.sha256}. ` +
        (verified ? "Receipt signature verified ✓" : "Receipt signature could not be verified here."),
        !verified);
    statusEl.dataset.verified = verified ? "yes" : "no";
    const links = document.createElement("p");
    links.innerHTML = `<a href="${result.receipt_url}">JSON</a> · <a href="${result.receipt_pdf_url}">PDF</a>`;
    statusEl.after(links);
  }

  function lock(busy) {
    for (const b of document.querySelectorAll("#bid-form button, #envelope-form button")) b.disabled = busy;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const price = rupiah(form.total_price.value);
    const validity = parseInt(form.validity_days.value, 10);
    if (!price) return say("Write the total price in rupiah, for example 1.250.000.000.", true);
    if (!(validity > 0)) return say("Give how many days the offer is valid.", true);
    if (!form.declaration.checked) return say("Tick the declaration.", true);
    lock(true);
    try {
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
      say("Encrypting in this browser and sending…");
      const encrypter = new window.ageEncryption.Encrypter();
      encrypter.addRecipient(form.dataset.recipient);
      const sealed = await encrypter.encrypt(plain.stream());
      await finish(await upload(sealed, sealed.size(plain.size)));
    } catch (err) {
      say(err.message || String(err), true);
    } finally { lock(false); }
  });

  envelopeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("envelope").files[0];
    if (!file) return say("Choose the .age envelope.", true);
    lock(true);
    try { await finish(await upload(file.stream(), file.size)); }
    catch (err) { say(err.message || String(err), true); }
    finally { lock(false); }
  });
})();
