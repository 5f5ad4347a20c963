// The key ceremony in the member's browser. Three pages use it:
//   - "My opening key": make an age key here, seal its secret part with the member's passphrase
//     (age scrypt), send only the public key and the sealed file;
//   - "The tender's key": make the tender's key here, split it k-of-n (shamir-secret-sharing),
//     seal each share to a member's opening key, send only the public parts;
//   - "Bid opening": open the member's sealed key and share here, send only this tender's share.
// No passphrase, identity or other member's share ever leaves this page: the forms these fill
// have no field for them. The formats are in docs/tender-keys.md and src/lpse/bids/keys.py.
(function () {
  "use strict";
  const FORMAT = "lpse-tender-key-v2";
  const MIN_SCORE = 3; // zxcvbn 0..4: 3 = "safely unguessable" against an offline attack
  const enc = new TextEncoder();
  // Messages come from Django's JavaScript catalogue (djangojs domain, /jsi18n/); without it
  // the English source is shown.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate ||
    ((text, values) => text.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name])));

  const b64 = (bytes) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
  const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  function ageBytes(stored) {
    // Sealed files are kept as base64 of the binary age file, or as armoured text.
    const text = stored.trim();
    return text.startsWith("-----BEGIN") ? window.lpseCrypto.armor.decode(text) : unb64(text);
  }
  function say(el, text, isError) {
    el.textContent = text;
    el.className = isError ? "errorlist" : "";
  }
  // A long step (sealing, making the key, opening a share: seconds of scrypt): the button is
  // disabled and the form marked busy, so nobody clicks twice or thinks nothing happens.
  function busy(button, box, on) {
    if (button) {
      button.disabled = on;
      // An indeterminate <progress> is the spinner: animated by the browser, no style needed.
      const next = button.nextElementSibling;
      if (on && !(next && next.classList.contains("busy"))) {
        button.after(Object.assign(document.createElement("progress"),
          { className: "busy", title: gettext("Processing…") }));
      } else if (!on && next && next.classList.contains("busy")) next.remove();
    }
    if (!box) return;
    if (on) box.setAttribute("aria-busy", "true"); else box.removeAttribute("aria-busy");
  }

  // --- My opening key -----------------------------------------------------------------------
  async function makeOpeningKey(button, status) {
    const pp = document.getElementById("pp1").value;
    if (pp !== document.getElementById("pp2").value) return say(status, gettext("The two passphrases differ."), true);
    const verdict = window.lpsePassphrase.strength(pp, [button.dataset.user, "lpse", "pokja"]);
    if (verdict.score < MIN_SCORE) {
      const why = [verdict.feedback.warning, ...(verdict.feedback.suggestions || [])].filter(Boolean);
      return say(status, gettext("This passphrase is too easy to guess.") + (why.length ? " " + why.join(" ") : ""), true);
    }
    busy(button, button.parentElement, true);
    say(status, gettext("Making your key and sealing it with your passphrase (a few seconds)…"));
    const c = window.lpseCrypto;
    const identity = await c.generateX25519Identity();
    const sealer = new c.Encrypter();
    sealer.setPassphrase(pp);
    sealer.setScryptWorkFactor(18);
    const sealed = await sealer.encrypt(identity);
    const form = document.getElementById("opening-key-form");
    form.recipient.value = await c.identityToRecipient(identity);
    form.sealed_identity.value = b64(sealed);
    for (const id of ["pp1", "pp2"]) document.getElementById(id).value = "";
    form.submit();
  }

  function showStrength(input, out, user) {
    input.addEventListener("input", () => {
      if (!input.value) { out.textContent = ""; return; }
      const v = window.lpsePassphrase.strength(input.value, [user, "lpse", "pokja"]);
      out.textContent = interpolate(gettext("Strength %(score)s of 4"), { score: v.score }, true) +
        (v.score < MIN_SCORE ? " — " + gettext("too weak") : " ✓");
    });
  }

  // --- The tender's key ---------------------------------------------------------------------
  // Returns the material JSON lpse.bids.keys.TenderKeyMaterial.from_json reads.
  async function makeTenderKey(inputs) {
    const c = window.lpseCrypto, subtle = crypto.subtle;
    const identity = await c.generateX25519Identity();
    const recipient = await c.identityToRecipient(identity);
    const info = enc.encode(`${FORMAT}|${inputs.tender}|${recipient}`);
    const w = crypto.getRandomValues(new Uint8Array(32));
    const hkdf = await subtle.importKey("raw", w, "HKDF", false, ["deriveKey"]);
    const wrapKey = await subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info },
      hkdf, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const wrapped = new Uint8Array(await subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: info }, wrapKey, enc.encode(identity)));
    const n = inputs.members.length, k = inputs.threshold;
    // shamir-secret-sharing needs k >= 2; with k = 1 each member's share is W itself.
    const values = k >= 2 ? await c.shamirSplit(w, n, k) : inputs.members.map(() => w);
    const shares = await Promise.all(inputs.members.map(async (member, i) => {
      const value = values[i];
      const payload = JSON.stringify({ format: FORMAT, tender: inputs.tender, recipient,
        index: member.index, threshold: k, share: b64(value) });
      const sealer = new c.Encrypter();
      sealer.addRecipient(member.recipient);
      const commitment = new Uint8Array(await subtle.digest("SHA-256",
        concat(info, enc.encode(`|${member.index}|`), value)));
      return { index: member.index, member_recipient: member.recipient,
        sealed: b64(await sealer.encrypt(payload)), commitment: hex(commitment) };
    }));
    w.fill(0);
    for (const v of values) v.fill(0);
    return JSON.stringify({ format: FORMAT, tender: inputs.tender, recipient,
      wrapped_identity: b64(concat(nonce, wrapped)), threshold: k, shares });
  }
  window.lpseKeyCeremony = Object.freeze({ makeTenderKey }); // for the bench (bench/keygen_browser.py)

  // --- Bid opening --------------------------------------------------------------------------
  async function openShare(inputs) {
    const c = window.lpseCrypto;
    let identity;
    if (inputs.sealed_identity) {
      const opener = new c.Decrypter();
      opener.addPassphrase(document.getElementById("unlock-passphrase").value);
      try { identity = (await opener.decrypt(ageBytes(inputs.sealed_identity), "text")).trim(); }
      catch (e) { throw new Error(gettext("The passphrase is wrong.")); }
    } else {
      const file = document.getElementById("unlock-identity-file").files[0];
      const text = file ? await file.text() : document.getElementById("unlock-identity").value;
      identity = (text.match(/AGE-SECRET-KEY-1[0-9A-Z]+/) || [""])[0];
      if (!identity) throw new Error(gettext("Give the secret part of your age key (AGE-SECRET-KEY-1…) or its file."));
    }
    const opener = new c.Decrypter();
    opener.addIdentity(identity);
    try { return await opener.decrypt(ageBytes(inputs.sealed_share), "text"); }
    catch (e) { throw new Error(gettext("This key does not open your share: it is another key than the one registered.")); }
  }

  function start() {
    const makeKey = document.getElementById("make-key-btn");
    if (makeKey) {
      document.getElementById("make-key").hidden = false;
      const status = document.getElementById("make-key-status");
      showStrength(document.getElementById("pp1"), document.getElementById("pp-strength"), makeKey.dataset.user);
      makeKey.addEventListener("click", () => makeOpeningKey(makeKey, status).catch((e) => {
        busy(makeKey, makeKey.parentElement, false); say(status, e.message || String(e), true);
      }));
      makeKey.disabled = false; // served disabled: a click before this line would do nothing
    }
    const tenderKey = document.getElementById("make-tender-key");
    if (tenderKey) {
      const status = document.getElementById("tender-key-status");
      const inputs = JSON.parse(document.getElementById("ceremony-inputs").textContent);
      tenderKey.addEventListener("click", async () => {
        const form = document.getElementById("tender-key-form");
        busy(tenderKey, form, true);
        say(status, interpolate(gettext("Making the key and sealing %(n)s shares…"), { n: inputs.members.length }, true));
        try {
          form.material.value = await makeTenderKey(inputs);
          form.submit();
        } catch (e) { busy(tenderKey, form, false); say(status, e.message || String(e), true); }
      });
      tenderKey.disabled = false; // served disabled: a click before this line would do nothing
    }
    const unlock = document.getElementById("unlock-form");
    if (unlock) {
      const status = document.getElementById("unlock-status");
      const inputs = JSON.parse(document.getElementById("unlock-inputs").textContent);
      const button = document.getElementById("unlock-btn");
      unlock.addEventListener("submit", async (event) => {
        // Opening the share here, then the server's check (and, at the k-th share, the opening
        // of every bid) take seconds: busy until the next page replaces this one.
        busy(button, unlock, true);
        if (unlock.share.value.trim()) { // pasted from lpse apendo open-share: send it
          say(status, gettext("Processing… the bids open when enough shares are in."));
          return;
        }
        event.preventDefault();
        say(status, gettext("Opening your share in this browser…"));
        try {
          unlock.share.value = await openShare(inputs);
          for (const id of ["unlock-passphrase", "unlock-identity"]) {
            const el = document.getElementById(id);
            if (el) el.value = "";
          }
          unlock.submit();
        } catch (e) { busy(button, unlock, false); say(status, e.message || String(e), true); }
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
