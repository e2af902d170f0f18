/**
 * Payload encryption (RAMP_PAYLOAD_KEYS, RAMP_PAYLOAD_KEY_ID): a Temporal PayloadCodec that seals every
 * payload with AES-256-GCM before it leaves the process, so release specs, hook and webhook URLs,
 * descriptions and statuses are ciphertext in Temporal's history and visibility. Codecs run outside the
 * workflow sandbox (client and worker data converters), so the workflow bundle does not change.
 * https://docs.temporal.io/payload-codec
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
// A CommonJS module: its namespaces come through the default export under Node's ESM loader.
import proto from '@temporalio/proto';

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

/** The encoding of a sealed payload; its data is IV ‖ ciphertext ‖ GCM tag. */
export const encryptedEncoding = 'binary/encrypted';
/** Metadata naming the key a payload was sealed with, so older keys keep decrypting after a rotation. */
export const keyIdMetadata = 'encryption-key-id';

const cipher = 'aes-256-gcm';
export const keyBytes = 32;
/** 96 bits, GCM's recommended IV size; random per payload (2^32 payloads per key keep collisions negligible). */
const ivBytes = 12;
const tagBytes = 16;

export interface PayloadKeys {
  /** The key new payloads are sealed with. */
  activeKeyId: string;
  /** Every key that may decrypt, by id; the active one among them. 32 bytes each. */
  keys: ReadonlyMap<string, Buffer>;
}

/** A payload this process cannot open: unknown key, wrong key or tampered bytes. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly activeKey: Buffer;

  constructor(private readonly config: PayloadKeys) {
    const key = config.keys.get(config.activeKeyId);
    if (!key) throw new Error(`no key with id ${config.activeKeyId}`);
    this.activeKey = key;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.open(payload));
  }

  private seal(payload: Payload): Payload {
    const keyId = this.config.activeKeyId;
    const iv = randomBytes(ivBytes);
    const gcm = createCipheriv(cipher, this.activeKey, iv);
    // The key id is authenticated too: a payload relabelled with another key id fails to open.
    gcm.setAAD(Buffer.from(keyId, 'utf8'));
    const plaintext = PayloadMessage.encode(payload).finish();
    const sealed = Buffer.concat([iv, gcm.update(plaintext), gcm.final(), gcm.getAuthTag()]);
    return {
      metadata: { encoding: encoder.encode(encryptedEncoding), [keyIdMetadata]: encoder.encode(keyId) },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    // Payloads written before encryption was turned on stay readable as they are.
    if (!encoding || decoder.decode(encoding) !== encryptedEncoding) return payload;
    const keyIdBytes = payload.metadata?.[keyIdMetadata];
    if (!keyIdBytes)
      throw new PayloadDecryptionError(`an encrypted payload carries no ${keyIdMetadata} metadata`);
    const keyId = decoder.decode(keyIdBytes);
    const key = this.config.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `a payload is encrypted with key id "${keyId}", which RAMP_PAYLOAD_KEYS does not hold (known: ${[...this.config.keys.keys()].join(', ')}); keep retired keys there until no history needs them`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < ivBytes + tagBytes)
      throw new PayloadDecryptionError(`an encrypted payload (key id "${keyId}") is truncated`);
    const gcm = createDecipheriv(cipher, key, data.subarray(0, ivBytes));
    gcm.setAAD(Buffer.from(keyId, 'utf8'));
    gcm.setAuthTag(data.subarray(data.length - tagBytes));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([gcm.update(data.subarray(ivBytes, data.length - tagBytes)), gcm.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `an encrypted payload (key id "${keyId}") failed authentication: it was altered, or the key with that id is not the one it was sealed with`,
      );
    }
    return PayloadMessage.decode(plaintext);
  }
}
