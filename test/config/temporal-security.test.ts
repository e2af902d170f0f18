import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { makeCertificates } from '../helpers/tls-certificates.ts';

const certificates = makeCertificates();
after(() => certificates.remove());
const key32 = () => randomBytes(32).toString('base64');

describe('Temporal TLS from files', () => {
  test('off by default; TEMPORAL_TLS=true or an API key turn it on with the system roots', () => {
    assert.equal(loadConfig({}).temporal.tls, false);
    assert.deepEqual(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.tls, {});
    assert.deepEqual(loadConfig({ TEMPORAL_API_KEY: 'key' }).temporal.tls, {});
    assert.equal(loadConfig({}).temporal.connectTimeoutMs, 10_000);
    assert.equal(loadConfig({ TEMPORAL_CONNECT_TIMEOUT: '3s' }).temporal.connectTimeoutMs, 3_000);
  });

  test('the CA, client certificate pair and server name are read at start and turn TLS on', () => {
    const tls = loadConfig({
      TEMPORAL_TLS_CA: certificates.caCert,
      TEMPORAL_TLS_CERT: certificates.clientCert,
      TEMPORAL_TLS_KEY: certificates.clientKey,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.ramp.test',
    }).temporal.tls;
    assert.ok(tls);
    assert.deepEqual(tls.serverRootCACertificate, certificates.read(certificates.caCert));
    assert.deepEqual(tls.clientCertPair?.crt, certificates.read(certificates.clientCert));
    assert.deepEqual(tls.clientCertPair?.key, certificates.read(certificates.clientKey));
    assert.equal(tls.serverNameOverride, 'temporal.ramp.test');
  });

  test('a certificate without its key, or a key without its certificate, names both variables', () => {
    for (const env of [
      { TEMPORAL_TLS_CERT: certificates.clientCert },
      { TEMPORAL_TLS_KEY: certificates.clientKey },
    ]) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          /TEMPORAL_TLS_CERT/.test(error.message) &&
          /TEMPORAL_TLS_KEY/.test(error.message),
      );
    }
  });

  test('an unreadable file, or one that is not PEM, fails at start naming the variable and the path', () => {
    const missing = join(certificates.dir, 'missing.crt');
    assert.throws(
      () => loadConfig({ TEMPORAL_TLS_CA: missing }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes('TEMPORAL_TLS_CA') &&
        error.message.includes(missing) &&
        /cannot read/.test(error.message),
    );
    const notPem = join(certificates.dir, 'not-pem.crt');
    writeFileSync(notPem, 'hello, I am not a certificate\n');
    for (const variable of ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const) {
      const env: Record<string, string> = {
        TEMPORAL_TLS_CERT: certificates.clientCert,
        TEMPORAL_TLS_KEY: certificates.clientKey,
        [variable]: notPem,
      };
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError && error.message.includes(`${variable}: ${notPem} is not a PEM`),
        variable,
      );
    }
    // A certificate where the key should be is PEM, but not a key.
    assert.throws(
      () => loadConfig({ TEMPORAL_TLS_CERT: certificates.clientCert, TEMPORAL_TLS_KEY: certificates.caCert }),
      /TEMPORAL_TLS_KEY: .*ca\.crt is not a PEM PRIVATE KEY/,
    );
  });

  test('a key that does not belong to the certificate is refused', () => {
    assert.throws(
      () =>
        loadConfig({ TEMPORAL_TLS_CERT: certificates.clientCert, TEMPORAL_TLS_KEY: certificates.serverKey }),
      /TEMPORAL_TLS_KEY: .*server\.key is not the private key of the certificate in TEMPORAL_TLS_CERT/,
    );
  });

  test('TEMPORAL_TLS=false beside TLS files is a contradiction, not a silent choice', () => {
    assert.throws(
      () => loadConfig({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: certificates.caCert }),
      /TEMPORAL_TLS: false, but/,
    );
  });
});

describe('payload keys', () => {
  test('no keys: no encryption', () => {
    assert.equal(loadConfig({}).temporal.payloadKeys, undefined);
  });

  test('RAMP_PAYLOAD_KEYS holds id=base64 pairs; RAMP_PAYLOAD_KEY_ID picks the one that encrypts', () => {
    const [a, b] = [key32(), key32()];
    const keys = loadConfig({
      RAMP_PAYLOAD_KEYS: `2025-01=${a}, 2026-01=${b}`,
      RAMP_PAYLOAD_KEY_ID: '2026-01',
    }).temporal.payloadKeys;
    assert.equal(keys?.activeKeyId, '2026-01');
    assert.deepEqual([...(keys?.keys.keys() ?? [])], ['2025-01', '2026-01']);
    assert.deepEqual(keys?.keys.get('2025-01'), Buffer.from(a, 'base64'));
    // One key needs no id.
    assert.equal(loadConfig({ RAMP_PAYLOAD_KEYS: `only=${a}` }).temporal.payloadKeys?.activeKeyId, 'only');
  });

  test('RAMP_PAYLOAD_KEYS_FILE holds the same entries, one a line', () => {
    const file = join(certificates.dir, 'payload-keys');
    const [a, b] = [key32(), key32()];
    writeFileSync(file, `# retired, still decrypts\nold=${a}\nnew=${b}\n`);
    const keys = loadConfig({ RAMP_PAYLOAD_KEYS_FILE: file, RAMP_PAYLOAD_KEY_ID: 'new' }).temporal
      .payloadKeys;
    assert.equal(keys?.activeKeyId, 'new');
    assert.equal(keys?.keys.size, 2);
    assert.throws(
      () => loadConfig({ RAMP_PAYLOAD_KEYS_FILE: join(certificates.dir, 'nope') }),
      /RAMP_PAYLOAD_KEYS_FILE: cannot read .*nope/,
    );
  });

  test('a key that is not 32 bytes of base64 is a config error naming the variable and the key id', () => {
    assert.throws(
      () => loadConfig({ RAMP_PAYLOAD_KEYS: `short=${randomBytes(16).toString('base64')}` }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /RAMP_PAYLOAD_KEYS: key "short" is 16 bytes; AES-256 needs 32 bytes/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ RAMP_PAYLOAD_KEYS: 'bad=not*base64' }),
      /RAMP_PAYLOAD_KEYS: key "bad" is not base64/,
    );
    assert.throws(() => loadConfig({ RAMP_PAYLOAD_KEYS: key32() }), /RAMP_PAYLOAD_KEYS: expected entries/);
    const file = join(certificates.dir, 'short-keys');
    writeFileSync(file, `k=${randomBytes(31).toString('base64')}\n`);
    assert.throws(
      () => loadConfig({ RAMP_PAYLOAD_KEYS_FILE: file }),
      /RAMP_PAYLOAD_KEYS_FILE \(.*short-keys\): key "k" is 31 bytes/,
    );
  });

  test('an unknown or missing active key id is a config error naming RAMP_PAYLOAD_KEY_ID', () => {
    const keys = `a=${key32()},b=${key32()}`;
    assert.throws(
      () => loadConfig({ RAMP_PAYLOAD_KEYS: keys, RAMP_PAYLOAD_KEY_ID: 'c' }),
      /RAMP_PAYLOAD_KEY_ID: "c" is not among the payload keys \(a, b\)/,
    );
    assert.throws(
      () => loadConfig({ RAMP_PAYLOAD_KEYS: keys }),
      /RAMP_PAYLOAD_KEY_ID: unset, and there are 2 keys/,
    );
    assert.throws(() => loadConfig({ RAMP_PAYLOAD_KEY_ID: 'a' }), /RAMP_PAYLOAD_KEY_ID: set, but no keys/);
    assert.throws(
      () => loadConfig({ RAMP_PAYLOAD_KEYS: keys, RAMP_PAYLOAD_KEYS_FILE: '/etc/keys' }),
      /either RAMP_PAYLOAD_KEYS or RAMP_PAYLOAD_KEYS_FILE/,
    );
  });
});
