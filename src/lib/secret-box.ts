import { createHash } from "node:crypto";
import { compactDecrypt, CompactEncrypt } from "jose";

/**
 * Seals secrets that the server must use later but never show again
 * (webhook signing secrets): a JWE (dir + A256GCM) under the master key.
 * `keyId` is the master key's fingerprint, stored beside each sealed value so
 * a replica only opens what its own key sealed.
 */
export type SecretBox = {
  readonly keyId: string;
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
};

export function masterKeyFingerprint(key: Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export function secretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error("the master key must be 32 bytes");
  return {
    keyId: masterKeyFingerprint(key),
    seal: (plain) => new CompactEncrypt(new TextEncoder().encode(plain)).setProtectedHeader({ alg: "dir", enc: "A256GCM" }).encrypt(key),
    open: async (sealed) => new TextDecoder().decode((await compactDecrypt(sealed, key)).plaintext),
  };
}

/**
 * A box whose key is loaded on first use (the CLI: most commands never seal
 * anything, and loading the key may create the key file).
 */
export function lazySecretBox(load: () => Promise<Uint8Array>): SecretBox & { ready(): Promise<SecretBox> } {
  let box: Promise<SecretBox> | undefined;
  const ready = () => (box ??= load().then(secretBox));
  let keyId = "";
  return {
    get keyId() {
      if (!keyId) throw new Error("lazySecretBox: call ready() before reading keyId");
      return keyId;
    },
    ready: async () => {
      const b = await ready();
      keyId = b.keyId;
      return b;
    },
    seal: async (plain) => (await ready()).seal(plain),
    open: async (sealed) => (await ready()).open(sealed),
  };
}
