/**
 * A generic OIDC issuer: RS256 keys made with jose, discovery at `<issuer>/.well-known/openid-configuration`,
 * JWKS at `<issuer>/.well-known/jwks` (GitHub's layout), and `mint()` for any claims. GitLab-style and Kubernetes
 * workload-identity tests use it directly; the GitHub and Azure DevOps emulators mount it on their own server.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { EmulatorServer, type EmulatorServerOptions } from './server.js';

export interface SigningKey {
  kid: string;
  x5t: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function createSigningKey(kid?: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const spki = await exportSPKI(publicKey);
  // Real issuers put the SHA-1 thumbprint of their certificate in x5t; nothing verifies it, so hash the SPKI.
  const x5t = createHash('sha1').update(spki).digest('base64url');
  const jwk = await exportJWK(publicKey);
  const id = kid ?? x5t;
  return { kid: id, x5t, privateKey, publicJwk: { ...jwk, kid: id, x5t, use: 'sig', alg: 'RS256' } };
}

export interface MintOptions {
  /** exp - iat, seconds (default: the issuer's lifetime) */
  lifetimeS?: number;
  /** shift iat/nbf/exp against the issuer clock, seconds (negative = in the past) */
  clockOffsetS?: number;
  /** how far nbf is backdated from iat, seconds */
  nbfBackdateS?: number;
  /** header kid; a kid not in the JWKS makes verifiers fail to find the key */
  kid?: string;
  /** sign with a fresh key that is not published: the signature cannot verify */
  unpublishedKey?: boolean;
  /** extra protected-header fields, e.g. { alg: 'ES256' } is not supported, but { typ: 'at+jwt' } is */
  header?: Record<string, string>;
}

export interface IssuerCoreOptions {
  /** path under the server root where the issuer lives, '' or '/slug' */
  pathPrefix?: string;
  defaultLifetimeS?: number;
  defaultNbfBackdateS?: number;
  /** JWKS path relative to the issuer (GitHub: /.well-known/jwks) */
  jwksPath?: string;
}

/** Issuer routes and minting, mounted on an EmulatorServer. */
export class IssuerCore {
  readonly keys: SigningKey[] = [];
  readonly minted: string[] = [];
  private readonly prefix: string;
  private readonly jwksPath: string;
  defaultLifetimeS: number;
  defaultNbfBackdateS: number;

  constructor(
    private readonly server: EmulatorServer,
    options: IssuerCoreOptions = {},
  ) {
    this.prefix = options.pathPrefix ?? '';
    this.jwksPath = options.jwksPath ?? '/.well-known/jwks';
    this.defaultLifetimeS = options.defaultLifetimeS ?? 300;
    this.defaultNbfBackdateS = options.defaultNbfBackdateS ?? 0;
    const p = escapeRegExp(this.prefix);
    server.route('GET', new RegExp(`^${p}/\\.well-known/openid-configuration$`), () => ({
      status: 200,
      json: {
        issuer: this.issuer,
        jwks_uri: `${this.issuer}${this.jwksPath}`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      },
    }));
    server.route('GET', new RegExp(`^${p}${escapeRegExp(this.jwksPath)}$`), () => ({
      status: 200,
      json: { keys: this.keys.map((k) => k.publicJwk) },
    }));
  }

  get issuer(): string {
    return `${this.server.url}${this.prefix}`;
  }

  async init(): Promise<void> {
    if (this.keys.length === 0) this.keys.push(await createSigningKey());
  }

  /** Publish a new key and sign with it from now on; old keys stay in the JWKS. */
  async rotateKey(): Promise<SigningKey> {
    const key = await createSigningKey();
    this.keys.unshift(key);
    return key;
  }

  async mint(claims: Record<string, unknown>, options: MintOptions = {}): Promise<string> {
    await this.init();
    const signing = options.unpublishedKey === true ? await createSigningKey('unpublished') : this.keys[0];
    if (signing === undefined) throw new Error('issuer has no key');
    const now = Math.floor(this.server.clock.now() / 1000) + (options.clockOffsetS ?? 0);
    const lifetime = options.lifetimeS ?? this.defaultLifetimeS;
    const payload = {
      jti: randomUUID(),
      iss: this.issuer,
      iat: now,
      nbf: now - (options.nbfBackdateS ?? this.defaultNbfBackdateS),
      exp: now + lifetime,
      ...claims,
    };
    const jwt = await new SignJWT(payload)
      .setProtectedHeader({
        typ: 'JWT',
        alg: 'RS256',
        kid: options.kid ?? signing.kid,
        x5t: signing.x5t,
        ...options.header,
      })
      .sign(signing.privateKey);
    this.minted.push(jwt);
    return jwt;
  }
}

/** A standalone issuer on its own HTTPS server (GitLab instance, AKS OIDC issuer, any IdP). */
export class OidcIssuerEmulator {
  readonly server: EmulatorServer;
  readonly core: IssuerCore;

  constructor(options: EmulatorServerOptions & IssuerCoreOptions = {}) {
    this.server = new EmulatorServer(options);
    this.core = new IssuerCore(this.server, options);
  }

  get requests(): EmulatorServer['requests'] {
    return this.server.requests;
  }

  get issuer(): string {
    return this.core.issuer;
  }

  get caPem(): string {
    return this.server.caPem;
  }

  async start(): Promise<this> {
    await this.core.init();
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  mint(claims: Record<string, unknown>, options?: MintOptions): Promise<string> {
    return this.core.mint(claims, options);
  }

  /** A Kubernetes projected service-account token as workload identity writes it to AZURE_FEDERATED_TOKEN_FILE. */
  mintServiceAccountToken(namespace: string, serviceAccount: string, options: MintOptions = {}): Promise<string> {
    return this.core.mint(
      {
        sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
        aud: ['api://AzureADTokenExchange'],
        'kubernetes.io': {
          namespace,
          serviceaccount: { name: serviceAccount, uid: randomUUID() },
        },
      },
      { lifetimeS: 3600, ...options },
    );
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
