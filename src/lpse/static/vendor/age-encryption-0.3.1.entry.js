import { Encrypter, Decrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
window.ageEncryption = { Encrypter, Decrypter, generateX25519Identity, identityToRecipient };
