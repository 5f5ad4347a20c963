// Entry of lpse-passphrase.min.js: a passphrase strength meter for the pages where a committee
// member chooses the passphrase that guards an opening-key share. A separate bundle
// because its word lists are most of its size and only those pages need them.
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";
import indonesian from "./passphrase-words-id.js";

// No translations are passed, so zxcvbn reports feedback as keys ("topTen", "useWords"); the
// page can translate those into Indonesian, and the English text rides along as a fallback.
const zxcvbn = new ZxcvbnFactory({
  dictionary: {
    ...common.dictionary,
    ...en.dictionary,
    // The name must contain "passwords" so a match is reported as a common password.
    "passwords-id": indonesian,
  },
  graphs: common.adjacencyGraphs,
  useLevenshteinDistance: true,
});

function english(kind, key) {
  return (key && en.translations[kind][key]) || key;
}

// strength("rahasia123", ["budi", "budi@example.com"]) -> {score: 0..4, guessesLog10, feedback:
// {warning, suggestions} in English, keys: {warning, suggestions} to translate}.
// userInputs are words the page knows about the person (name, e-mail, company, tender code),
// which an attacker would try first.
function strength(passphrase, userInputs) {
  const result = zxcvbn.check(String(passphrase), (userInputs || []).filter(Boolean).map(String));
  const { warning, suggestions } = result.feedback;
  return {
    score: result.score,
    guessesLog10: result.guessesLog10,
    feedback: {
      warning: warning ? english("warnings", warning) : null,
      suggestions: suggestions.map((s) => english("suggestions", s)),
    },
    keys: { warning: warning || null, suggestions: [...suggestions] },
  };
}

if (Object.prototype.hasOwnProperty.call(window, "lpsePassphrase")) {
  throw new Error("window.lpsePassphrase is already defined; load the passphrase bundle once");
}
Object.defineProperty(window, "lpsePassphrase", {
  value: Object.freeze({ strength }), enumerable: true, writable: false, configurable: false,
});
