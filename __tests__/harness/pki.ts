/**
 * Test PKI for the HTTPS emulators: one CA, and server certificates for 127.0.0.1 / localhost, made with the
 * `openssl` CLI (Node's crypto can read X.509 but cannot issue it). ECDSA P-256 keeps generation in milliseconds.
 *
 * Trust:
 * - in this process: `trustTestCa(caPem)` adds the CA to Node's default trust store, which is what
 *   `@azure/identity` (node:https) and global `fetch` (undici) use when given no `ca` option;
 * - in child processes: set `NODE_EXTRA_CA_CERTS=<caPath>` in their env (Node reads it at start only).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export interface ServerCert {
  certPem: string;
  keyPem: string;
}

export interface TestPki {
  caPem: string;
  /** file holding caPem, for NODE_EXTRA_CA_CERTS or a kube-apiserver certificateAuthority */
  caPath: string;
  dir: string;
  issueServerCert(names?: { dns?: string[]; ips?: string[] }): ServerCert;
  dispose(): void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new Error('the test PKI needs the `openssl` command on PATH (apt-get install openssl)', { cause: err });
    }
    throw new Error(`openssl ${args[0] ?? ''} failed: ${e.stderr?.toString() ?? e.message}`, { cause: err });
  }
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'argo-entra-pki-'));
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=argo-entra test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  const caPath = path.join(dir, 'ca.crt');
  const caPem = readFileSync(caPath, 'utf8');
  let serial = 0;

  return {
    caPem,
    caPath,
    dir,
    issueServerCert(names = {}) {
      serial += 1;
      const dns = names.dns ?? ['localhost'];
      const ips = names.ips ?? ['127.0.0.1'];
      const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',');
      const base = `server${serial}`;
      writeFileSync(
        path.join(dir, `${base}.ext`),
        `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
      );
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${base}.key`], dir);
      openssl(
        ['req', '-new', '-key', `${base}.key`, '-subj', `/CN=${dns[0] ?? ips[0] ?? 'server'}`, '-out', `${base}.csr`],
        dir,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${base}.csr`,
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-set_serial',
          String(1000 + serial),
          '-days',
          '2',
          '-sha256',
          '-extfile',
          `${base}.ext`,
          '-out',
          `${base}.crt`,
        ],
        dir,
      );
      return {
        certPem: readFileSync(path.join(dir, `${base}.crt`), 'utf8'),
        keyPem: readFileSync(path.join(dir, `${base}.key`), 'utf8'),
      };
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let shared: TestPki | undefined;

/** One PKI per process (per jest worker), so every emulator in a test file chains to the same CA. */
export function getTestPki(): TestPki {
  shared ??= createTestPki();
  return shared;
}

const trusted = new Set<string>();

/**
 * Adds the CA to this process's default trust (Node >= 22.19 / 24.5: tls.setDefaultCACertificates). Affects every
 * later TLS connection made without an explicit `ca`, including global fetch and @azure/identity. Idempotent.
 */
export function trustTestCa(caPem: string): void {
  if (trusted.has(caPem)) return;
  if (typeof tls.setDefaultCACertificates !== 'function') {
    throw new Error(
      'this Node has no tls.setDefaultCACertificates (needs Node >= 22.19 or 24.5); run the tests with ' +
        'node_modules/.bin/node, or start the process with NODE_EXTRA_CA_CERTS=<caPath>',
    );
  }
  trusted.add(caPem);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), caPem]);
}
