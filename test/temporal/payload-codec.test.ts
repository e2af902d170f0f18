import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  encryptedEncoding,
  keyIdMetadata,
  PayloadDecryptionError,
} from '../../src/temporal/payload-codec.ts';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const text = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const spec = {
  function: 'payments',
  description: 'v2.3.1 (abc123)',
  health: { hooks: { beforeTraffic: { http: 'https://hooks.example.com/check?token=s3cr3t-hook-token' } } },
};

function codec(activeKeyId: string, keys: Record<string, Buffer>) {
  return new AesGcmPayloadCodec({ activeKeyId, keys: new Map(Object.entries(keys)) });
}

describe('the AES-256-GCM payload codec', () => {
  test('seals a payload so none of its plaintext shows, labels it with the key id, and opens it again', async () => {
    const plain = defaultPayloadConverter.toPayload(spec);
    const [sealed] = await codec('k1', { k1: oldKey }).encode([plain]);
    assert.ok(sealed);
    assert.equal(text(sealed.metadata?.encoding), encryptedEncoding);
    assert.equal(text(sealed.metadata?.[keyIdMetadata]), 'k1');
    const raw = text(sealed.data);
    for (const secret of ['s3cr3t-hook-token', 'hooks.example.com', 'v2.3.1', 'json/plain']) {
      assert.ok(!raw.includes(secret), `ciphertext does not hold ${secret}`);
    }
    const [opened] = await codec('k1', { k1: oldKey }).decode([sealed]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened as Payload), spec);
    assert.equal(text(opened?.metadata?.encoding), 'json/plain');
  });

  test('uses a fresh IV for every payload: the same value never seals to the same bytes', async () => {
    const plain = defaultPayloadConverter.toPayload(spec);
    const [first, second] = await codec('k1', { k1: oldKey }).encode([plain, plain]);
    assert.notDeepEqual(Buffer.from(first?.data ?? []), Buffer.from(second?.data ?? []));
  });

  test('rotation: after a new key becomes active, payloads sealed with the old one still open, and new ones use the new key', async () => {
    const before = codec('k1', { k1: oldKey });
    const after = codec('k2', { k1: oldKey, k2: newKey });
    const [sealedBefore] = await before.encode([defaultPayloadConverter.toPayload('recorded before')]);
    const [sealedAfter] = await after.encode([defaultPayloadConverter.toPayload('recorded after')]);
    assert.equal(text(sealedAfter?.metadata?.[keyIdMetadata]), 'k2');
    const opened = await after.decode([sealedBefore as Payload, sealedAfter as Payload]);
    assert.deepEqual(
      opened.map((payload) => defaultPayloadConverter.fromPayload(payload)),
      ['recorded before', 'recorded after'],
    );
  });

  test('a payload sealed with a key id this process does not hold fails, naming the id and RAMP_PAYLOAD_KEYS', async () => {
    const [sealed] = await codec('k2', { k2: newKey }).encode([defaultPayloadConverter.toPayload(spec)]);
    await assert.rejects(
      codec('k1', { k1: oldKey }).decode([sealed as Payload]),
      (error: unknown) =>
        error instanceof PayloadDecryptionError &&
        /key id "k2"/.test(error.message) &&
        /RAMP_PAYLOAD_KEYS/.test(error.message),
    );
  });

  test('tampered ciphertext, a swapped key id or a wrong key with the right id fails authentication', async () => {
    const sealer = codec('k1', { k1: oldKey, k2: newKey });
    const [sealed] = await sealer.encode([defaultPayloadConverter.toPayload(spec)]);
    assert.ok(sealed?.data);
    const flipped = Buffer.from(sealed.data);
    flipped[20] = (flipped[20] ?? 0) ^ 0x01;
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [keyIdMetadata]: Buffer.from('k2') } };
    for (const [what, payload, opener] of [
      ['a flipped bit', { ...sealed, data: flipped }, sealer],
      ['a relabelled key id', relabelled, sealer],
      ['another key under the same id', sealed, codec('k1', { k1: newKey })],
    ] as const) {
      await assert.rejects(
        opener.decode([payload]),
        (error: unknown) =>
          error instanceof PayloadDecryptionError && /failed authentication/.test(error.message),
        what,
      );
    }
    await assert.rejects(sealer.decode([{ ...sealed, data: flipped.subarray(0, 10) }]), /truncated/);
  });

  test('payloads recorded before encryption was turned on are read as they are', async () => {
    const plain = defaultPayloadConverter.toPayload(spec);
    const [opened] = await codec('k1', { k1: oldKey }).decode([plain]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened as Payload), spec);
  });
});
