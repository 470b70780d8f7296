/**
 * Certificates for the harness control plane, made with the `openssl` CLI (Node's crypto cannot issue X.509
 * certificates). ECDSA P-256 keys keep generation fast; the service-account signing key is RSA from Node's crypto.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  saPublicKey: string;
  saPrivateKey: string;
  /** PEM text of the CA certificate. */
  caPem: string;
  adminCertPem: string;
  adminKeyPem: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'the harness needs the `openssl` command to make its test certificates, and it is not on PATH ' +
          '(install it with the OS package manager, e.g. apt-get install openssl)',
        { cause: err },
      );
    }
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
): Promise<{ cert: string; key: string }> {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, extensions.join('\n') + '\n');
  await openssl(['req', ...EC, '-keyout', key, '-out', csr, '-subj', subject], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(Date.now()),
      '-days',
      '7',
      '-sha256',
      '-extfile',
      ext,
      '-out',
      cert,
    ],
    dir,
  );
  return { cert, key };
}

async function makeCa(dir: string, cn: string): Promise<void> {
  await openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '7',
      '-sha256',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ],
    dir,
  );
}

const SERVER_EXT = (sans: string): string[] => [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
  `subjectAltName=${sans}`,
];

/**
 * A separate CA and a TLS server certificate for 127.0.0.1/localhost (PEM text), e.g. for a local OIDC issuer
 * that kube-apiserver must trust (`JwtIssuerConfig.caPem` = caPem). `dir` must exist.
 */
export async function makeServerTls(dir: string): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  await makeCa(dir, 'argo-entra-harness-issuer-ca');
  const { cert, key } = await issue(dir, 'server', '/CN=localhost', SERVER_EXT('IP:127.0.0.1,DNS:localhost'));
  return {
    caPem: readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
    certPem: readFileSync(cert, 'utf8'),
    keyPem: readFileSync(key, 'utf8'),
  };
}

export async function makePki(dir: string): Promise<Pki> {
  await makeCa(dir, 'argo-entra-harness-ca');
  const [serving, admin] = await Promise.all([
    issue(
      dir,
      'serving',
      '/CN=kube-apiserver',
      SERVER_EXT(
        'IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1',
      ),
    ),
    issue(dir, 'admin', '/O=system:masters/CN=argo-entra-harness-admin', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
    ]),
  ]);
  const sa = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const saPublicKey = path.join(dir, 'sa.pub');
  const saPrivateKey = path.join(dir, 'sa.key');
  writeFileSync(saPublicKey, sa.publicKey);
  writeFileSync(saPrivateKey, sa.privateKey, { mode: 0o600 });
  return {
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    servingCert: serving.cert,
    servingKey: serving.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    saPublicKey,
    saPrivateKey,
    caPem: readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
    adminCertPem: readFileSync(admin.cert, 'utf8'),
    adminKeyPem: readFileSync(admin.key, 'utf8'),
  };
}
