// Feedback on long actions, on every page (issue 15):
//   - a form with a file (enctype="multipart/form-data") is sent with XMLHttpRequest, so a
//     <progress> bar next to its submit button shows how much has gone up; the page the server
//     answers with (its redirect, or the form again with errors) then replaces this one;
//   - a form marked data-busy, and a link marked data-busy-download (a PDF made on request),
//     show a busy state until the answer arrives: button disabled, aria-busy="true", an
//     indeterminate <progress> (the browser animates it: no style, nothing the CSP refuses).
// A form that a page script handles itself (it calls preventDefault) is left alone, and so is
// one marked data-no-progress.
(function () {
  "use strict";
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate ||
    ((text, values) => text.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name])));

  // The bar (or spinner) sits right after the button that was pressed.
  function indicator(form, submitter) {
    let box = form.querySelector(".upload-progress");
    if (!box) {
      box = Object.assign(document.createElement("span"), { className: "upload-progress" });
      box.setAttribute("role", "status");
      box.append(document.createElement("progress"), " ", document.createElement("span"));
      const anchor = submitter || form.querySelector("button[type=submit], button:not([type])");
      if (anchor) anchor.after(" ", box); else form.append(box);
    }
    return { box, bar: box.querySelector("progress"), text: box.querySelector("span") };
  }

  function markBusy(form, submitter, on) {
    for (const b of form.querySelectorAll("button, input[type=submit]")) b.disabled = on;
    if (on) form.setAttribute("aria-busy", "true"); else form.removeAttribute("aria-busy");
    if (submitter && on) submitter.dataset.busy = "true";
  }

  // The server's answer becomes the page: the same as a normal submit would give, flash
  // messages included (they were consumed by the request that followed the redirect).
  function showAnswer(xhr) {
    const type = xhr.getResponseHeader("Content-Type") || "";
    if (!type.startsWith("text/html")) { window.location.assign(xhr.responseURL); return; }
    if (xhr.responseURL && xhr.responseURL !== window.location.href) {
      window.history.pushState(null, "", xhr.responseURL);
    }
    const fresh = new DOMParser().parseFromString(xhr.responseText, "text/html");
    document.title = fresh.title;
    document.body.replaceWith(document.adoptNode(fresh.body));
    // Scripts parsed that way do not run: load the page's own scripts again, in order.
    for (const old of document.body.querySelectorAll("script[src]")) {
      const script = document.createElement("script");
      script.src = old.src;
      script.async = false;
      old.replaceWith(script);
    }
    window.scrollTo(0, 0);
  }

  function upload(form, submitter) {
    const data = new FormData(form, submitter || undefined);
    const { bar, text } = indicator(form, submitter);
    markBusy(form, submitter, true);
    bar.max = 100;
    bar.value = 0;
    text.textContent = gettext("Uploading…");
    const xhr = new XMLHttpRequest();
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      bar.value = Math.floor((event.loaded / event.total) * 100);
      text.textContent = interpolate(gettext("Uploading… %(percent)s of 100"), { percent: bar.value }, true);
    });
    xhr.upload.addEventListener("load", () => {
      bar.removeAttribute("value"); // indeterminate: the server is at work now
      text.textContent = gettext("Processing…");
    });
    xhr.addEventListener("load", () => showAnswer(xhr));
    xhr.addEventListener("error", () => {
      markBusy(form, submitter, false);
      bar.value = 0;
      text.textContent = gettext("The upload was interrupted. Check your connection and send the form again.");
    });
    const action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action") || window.location.href;
    xhr.open("POST", action);
    xhr.send(data);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if (form.method.toLowerCase() !== "post") return;
    if (form.enctype === "multipart/form-data" && !("noProgress" in form.dataset)) {
      event.preventDefault();
      upload(form, event.submitter);
    } else if ("busy" in form.dataset) {
      // A normal submit; the next page ends the busy state.
      const { bar, text } = indicator(form, event.submitter);
      bar.removeAttribute("value");
      text.textContent = gettext("Processing…");
      // Disabled after this event, or the submitter's own name/value would not be sent.
      setTimeout(() => markBusy(form, event.submitter, true), 0);
    }
  });

  // A PDF made on request: fetched here so the page can say it is being made, then saved.
  document.addEventListener("click", async (event) => {
    const link = event.target instanceof Element && event.target.closest("a[data-busy-download]");
    if (!link || link.getAttribute("aria-busy") === "true") return;
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    link.setAttribute("aria-disabled", "true");
    const spinner = Object.assign(document.createElement("progress"), { className: "busy" });
    const note = Object.assign(document.createElement("span"), { textContent: " " + gettext("Processing…") });
    note.setAttribute("role", "status");
    link.after(" ", spinner, note);
    try {
      const r = await fetch(link.href, { credentials: "same-origin" });
      if (!r.ok) throw new Error(String(r.status));
      const name = /filename="?([^";]+)"?/.exec(r.headers.get("Content-Disposition") || "");
      const url = URL.createObjectURL(await r.blob());
      const save = Object.assign(document.createElement("a"), { href: url, download: name ? name[1] : "" });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      note.remove();
    } catch (e) {
      note.textContent = " " + gettext("The document could not be made. Try again in a moment; if it keeps failing, report it to the helpdesk.");
    } finally {
      spinner.remove();
      link.removeAttribute("aria-busy");
      link.removeAttribute("aria-disabled");
    }
  });
})();
