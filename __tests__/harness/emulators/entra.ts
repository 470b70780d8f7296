/**
 * Microsoft Entra ID emulator for workload identity federation (wire-facts section 2): tenants, app registrations
 * with federated identity credentials, resource apps choosing v1/v2 access tokens, discovery (v2 and v1), JWKS, and
 * `POST /{tid}/oauth2/v2.0/token` with client_credentials + jwt-bearer assertion. It verifies the assertion against
 * the assertion issuer's own discovery + JWKS fetched over HTTPS (trusting the test CA), checks time with its
 * offsettable clock, matches FICs exactly, and answers with the real AADSTS error shapes.
 *
 * For the cluster tests: the v1 discovery document (`discoveryUrlFor(tid, 1)`) names the issuer literally
 * `https://sts.windows.net/{tid}/` while its jwks_uri points here, so kube-apiserver's structured authentication
 * (`issuer.url` + separate `discoveryURL`) accepts tokens shaped exactly like AKS's.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import {
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { aadstsReply, type AadstsArgs, entraTime } from './entra-errors.js';
import { type FederatedIdentityCredential, matchFederatedCredential } from './entra-fic.js';
import { createSigningKey, type SigningKey } from './oidc-issuer.js';
import {
  EmulatorServer,
  type EmulatorReply,
  type EmulatorServerOptions,
  type RecordedRequest,
  repeatFault,
} from './server.js';

export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
export const ARM_APP_ID = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type TokenVersion = 1 | 2;

export interface ResourceApp {
  appId: string;
  identifierUris: string[];
  requestedAccessTokenVersion: TokenVersion;
  displayName: string;
}

export interface AppRegistration {
  clientId: string;
  /** application object id (what `az ad app federated-credential` addresses with --id too) */
  objectId: string;
  /** service principal object id: the `oid`/`sub` of app-only access tokens */
  servicePrincipalId: string;
  displayName: string;
  federatedCredentials: FederatedIdentityCredential[];
  groups: string[];
  roles: string[];
  clientSecret: string | undefined;
}

export interface AppSpec {
  clientId?: string;
  objectId?: string;
  servicePrincipalId?: string;
  displayName?: string;
  federatedCredentials?: Array<Omit<FederatedIdentityCredential, 'name' | 'activeFromMs'> & { name?: string }>;
  groups?: string[];
  roles?: string[];
  clientSecret?: string;
}

interface Tenant {
  id: string;
  apps: Map<string, AppRegistration>;
  resources: ResourceApp[];
}

export interface MintAccessTokenOptions {
  tenantId: string;
  /** the client app; need not be registered (then oid is random unless given) */
  clientId: string;
  /** resource app id or identifier URI (default: AKS server app) */
  resource?: string;
  /** default: the resource's requestedAccessTokenVersion (AKS: 1) */
  version?: TokenVersion;
  /** override aud, e.g. a wrong audience */
  audience?: string;
  lifetimeS?: number;
  /** shift iat/nbf/exp, seconds (negative with a short lifetime = expired) */
  clockOffsetS?: number;
  oid?: string;
  groups?: string[];
  roles?: string[];
  /** extra or overriding claims */
  claims?: Record<string, unknown>;
  /** sign with a key not in the JWKS */
  unpublishedKey?: boolean;
}

export interface EntraEmulatorOptions extends EmulatorServerOptions {
  /** expires_in of issued access tokens, seconds (Entra: 3599; use 60 for refresh tests) */
  accessTokenLifetimeS?: number;
  /** tolerance on assertion nbf/exp, seconds */
  assertionClockSkewS?: number;
}

/** GET JSON over HTTPS trusting the system roots plus the test CA, as Entra trusts public issuers. */
function fetchJson(url: string, caPem: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: [...tls.rootCertificates, caPem], timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) {
          reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

export class EntraEmulator {
  readonly server: EmulatorServer;
  readonly tenants = new Map<string, Tenant>();
  /** every access token issued or minted, for scanning outputs */
  readonly issued: string[] = [];
  accessTokenLifetimeS: number;
  assertionClockSkewS: number;
  /** 'generic' answers every FIC mismatch with 70021 (older tenants); 'specific' with 700211/700212/700213/7002138 */
  ficMismatchStyle: 'specific' | 'generic' = 'specific';
  private key: SigningKey | undefined;

  constructor(options: EntraEmulatorOptions = {}) {
    this.server = new EmulatorServer(options);
    this.accessTokenLifetimeS = options.accessTokenLifetimeS ?? 3599;
    this.assertionClockSkewS = options.assertionClockSkewS ?? 300;
    const tid = '([^/]+)';
    this.server.route('GET', new RegExp(`^/${tid}/v2\\.0/\\.well-known/openid-configuration$`), (_r, [t]) =>
      this.discovery(t ?? '', 2),
    );
    this.server.route('GET', new RegExp(`^/${tid}/\\.well-known/openid-configuration$`), (_r, [t]) =>
      this.discovery(t ?? '', 1),
    );
    this.server.route('GET', new RegExp(`^/${tid}/discovery(?:/v2\\.0)?/keys$`), (_r, [t]) => this.keys(t ?? ''));
    this.server.route('POST', new RegExp(`^/${tid}/oauth2/v2\\.0/token$`), (r, [t]) => this.token(r, t ?? ''));
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  get tokenRequests(): RecordedRequest[] {
    return this.server.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
  }

  get caPem(): string {
    return this.server.caPem;
  }

  /** What to pass as authorityHost (https, no trailing slash). */
  get authorityHost(): string {
    return this.server.url;
  }

  get clock(): EmulatorServer['clock'] {
    return this.server.clock;
  }

  setClockOffsetMs(ms: number): void {
    this.server.setClockOffsetMs(ms);
  }

  async start(): Promise<this> {
    this.key ??= await createSigningKey();
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  // ---- directory -------------------------------------------------------------------------------------------

  addTenant(tenantId: string = randomUUID()): string {
    if (!this.tenants.has(tenantId)) {
      this.tenants.set(tenantId, {
        id: tenantId,
        apps: new Map(),
        resources: [
          {
            appId: AKS_SERVER_APP_ID,
            identifierUris: [],
            requestedAccessTokenVersion: 1,
            displayName: 'Azure Kubernetes Service AAD Server',
          },
          {
            appId: ARM_APP_ID,
            identifierUris: ['https://management.azure.com', 'https://management.core.windows.net'],
            requestedAccessTokenVersion: 1,
            displayName: 'Windows Azure Service Management API',
          },
        ],
      });
    }
    return tenantId;
  }

  addResource(
    tenantId: string,
    resource: Partial<ResourceApp> & { requestedAccessTokenVersion: TokenVersion },
  ): ResourceApp {
    const app: ResourceApp = {
      appId: resource.appId ?? randomUUID(),
      identifierUris: resource.identifierUris ?? [],
      requestedAccessTokenVersion: resource.requestedAccessTokenVersion,
      displayName: resource.displayName ?? 'resource',
    };
    this.tenant(tenantId).resources.push(app);
    return app;
  }

  addApp(tenantId: string, spec: AppSpec = {}): AppRegistration {
    const app: AppRegistration = {
      clientId: spec.clientId ?? randomUUID(),
      objectId: spec.objectId ?? randomUUID(),
      servicePrincipalId: spec.servicePrincipalId ?? randomUUID(),
      displayName: spec.displayName ?? 'argo-entra-ci',
      federatedCredentials: [],
      groups: spec.groups ?? [],
      roles: spec.roles ?? [],
      clientSecret: spec.clientSecret,
    };
    this.tenant(tenantId).apps.set(app.clientId, app);
    for (const fic of spec.federatedCredentials ?? []) this.addFederatedCredential(tenantId, app.clientId, fic);
    return app;
  }

  /** Adds a FIC; with propagationDelayMs it stays invisible (70021) until the emulator clock passes it. */
  addFederatedCredential(
    tenantId: string,
    clientId: string,
    fic: Omit<FederatedIdentityCredential, 'name' | 'activeFromMs'> & { name?: string },
    options: { propagationDelayMs?: number } = {},
  ): FederatedIdentityCredential {
    const app = this.app(tenantId, clientId);
    if (app.federatedCredentials.length >= 20)
      throw new Error('Entra allows at most 20 federated identity credentials per app');
    if ((fic.subject === undefined) === (fic.claimsMatchingExpression === undefined)) {
      throw new Error('a federated identity credential has exactly one of subject or claimsMatchingExpression');
    }
    if (
      app.federatedCredentials.some(
        (c) => c.issuer === fic.issuer && fic.subject !== undefined && c.subject === fic.subject,
      )
    ) {
      throw new Error('issuer and subject combination already exists for this application');
    }
    const credential: FederatedIdentityCredential = {
      ...fic,
      name: fic.name ?? `fic-${app.federatedCredentials.length + 1}`,
      ...(options.propagationDelayMs === undefined
        ? {}
        : { activeFromMs: this.clock.now() + options.propagationDelayMs }),
    };
    app.federatedCredentials.push(credential);
    return credential;
  }

  setGroups(tenantId: string, clientId: string, groups: string[]): void {
    this.app(tenantId, clientId).groups = groups;
  }

  private tenant(tenantId: string): Tenant {
    const t = this.tenants.get(tenantId);
    if (t === undefined) throw new Error(`unknown tenant ${tenantId}: call addTenant first`);
    return t;
  }

  private app(tenantId: string, clientId: string): AppRegistration {
    const app = this.tenant(tenantId).apps.get(clientId);
    if (app === undefined) throw new Error(`unknown app ${clientId} in tenant ${tenantId}`);
    return app;
  }

  // ---- URLs the cluster tests need ---------------------------------------------------------------------------

  issuerFor(tenantId: string, version: TokenVersion): string {
    return version === 1 ? `https://sts.windows.net/${tenantId}/` : `${this.server.url}/${tenantId}/v2.0`;
  }

  discoveryUrlFor(tenantId: string, version: TokenVersion): string {
    return version === 1
      ? `${this.server.url}/${tenantId}/.well-known/openid-configuration`
      : `${this.server.url}/${tenantId}/v2.0/.well-known/openid-configuration`;
  }

  jwksUrlFor(tenantId: string, version: TokenVersion = 2): string {
    return version === 1
      ? `${this.server.url}/${tenantId}/discovery/keys`
      : `${this.server.url}/${tenantId}/discovery/v2.0/keys`;
  }

  // ---- fault knobs (token endpoint) ---------------------------------------------------------------------------

  failNext(n: number, status = 503): void {
    this.server.injectFaults(/\/oauth2\/v2\.0\/token$/, repeatFault(n, { kind: 'status', status }));
  }

  throttleNext(n: number, retryAfterS: number): void {
    this.server.injectFaults(/\/oauth2\/v2\.0\/token$/, repeatFault(n, { kind: 'status', status: 429, retryAfterS }));
  }

  resetNext(n: number): void {
    this.server.injectFaults(/\/oauth2\/v2\.0\/token$/, repeatFault(n, { kind: 'reset' }));
  }

  // ---- access tokens -------------------------------------------------------------------------------------------

  private resolveResource(tenant: Tenant | undefined, resource: string): ResourceApp | undefined {
    const trimmed = resource.replace(/\/+$/, '');
    const all = tenant?.resources ?? [];
    return all.find((r) => r.appId === trimmed || r.identifierUris.some((u) => u.replace(/\/+$/, '') === trimmed));
  }

  /** Sign an access token directly (cluster tests: wrong audience, expired, extra groups). */
  async mintAccessToken(o: MintAccessTokenOptions): Promise<string> {
    const tenant = this.tenants.get(o.tenantId);
    const requested = o.resource ?? AKS_SERVER_APP_ID;
    const resource = this.resolveResource(tenant, requested);
    const app = tenant?.apps.get(o.clientId);
    const version = o.version ?? resource?.requestedAccessTokenVersion ?? 1;
    // v1 tokens carry the resource as requested (GUID or identifier URI); v2 always the resource app id.
    const aud = o.audience ?? (version === 2 ? (resource?.appId ?? requested) : requested);
    const now = Math.floor(this.clock.now() / 1000) + (o.clockOffsetS ?? 0);
    const lifetime = o.lifetimeS ?? this.accessTokenLifetimeS;
    const oid = o.oid ?? app?.servicePrincipalId ?? randomUUID();
    const groups = o.groups ?? app?.groups ?? [];
    const roles = o.roles ?? app?.roles ?? [];
    const claims: JWTPayload & Record<string, unknown> = {
      aud,
      iss: this.issuerFor(o.tenantId, version),
      iat: now,
      nbf: now,
      exp: now + lifetime,
      aio: randomUUID().replace(/-/g, ''),
      idtyp: 'app',
      oid,
      rh: `0.${randomUUID().replace(/-/g, '')}.`,
      sub: oid,
      tid: o.tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: version === 1 ? '1.0' : '2.0',
      ...(version === 1
        ? { appid: o.clientId, appidacr: '2', idp: `https://sts.windows.net/${o.tenantId}/` }
        : { azp: o.clientId, azpacr: '2' }),
      ...(roles.length > 0 ? { roles } : {}),
    };
    if (groups.length > 200) {
      // Group overage: a pointer to Graph instead of the list, as Entra does past 200 groups in a JWT.
      claims['_claim_names'] = { groups: 'src1' };
      claims['_claim_sources'] = {
        src1: { endpoint: `https://graph.windows.net/${o.tenantId}/servicePrincipals/${oid}/getMemberObjects` },
      };
    } else if (groups.length > 0) {
      claims['groups'] = groups;
    }
    Object.assign(claims, o.claims);
    const key = o.unpublishedKey === true ? await createSigningKey('unpublished') : await this.signingKey();
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.x5t })
      .sign(key.privateKey);
    this.issued.push(jwt);
    return jwt;
  }

  private async signingKey(): Promise<SigningKey> {
    this.key ??= await createSigningKey();
    return this.key;
  }

  // ---- routes ----------------------------------------------------------------------------------------------------

  private async discovery(tenantId: string, version: TokenVersion): Promise<EmulatorReply> {
    if (!this.tenants.has(tenantId)) return aadstsReply(90002, { tenantId }, this.clock.now());
    const base = `${this.server.url}/${tenantId}`;
    const oauth = version === 2 ? 'oauth2/v2.0' : 'oauth2';
    return {
      status: 200,
      json: {
        token_endpoint: `${base}/${oauth}/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: this.jwksUrlFor(tenantId, version),
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: this.issuerFor(tenantId, version),
        request_uri_parameter_supported: false,
        userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
        authorization_endpoint: `${base}/${oauth}/authorize`,
        device_authorization_endpoint: `${base}/${oauth}/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/${oauth}/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'tid', 'ver', 'oid'],
        tenant_region_scope: 'WW',
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      },
    };
  }

  private async keys(tenantId: string): Promise<EmulatorReply> {
    if (!this.tenants.has(tenantId)) return aadstsReply(90002, { tenantId }, this.clock.now());
    const key = await this.signingKey();
    return { status: 200, json: { keys: [{ ...key.publicJwk, issuer: this.issuerFor(tenantId, 2) }] } };
  }

  private async token(req: RecordedRequest, tenantId: string): Promise<EmulatorReply> {
    const now = this.clock.now();
    const form = new URLSearchParams(req.body);
    const correlationId = req.query['client-request-id'] ?? form.get('client-request-id') ?? undefined;
    const fail = (code: number, args: AadstsArgs = {}): EmulatorReply => aadstsReply(code, args, now, correlationId);

    const tenant = this.tenants.get(tenantId);
    if (tenant === undefined) return fail(90002, { tenantId });
    if (form.get('grant_type') !== 'client_credentials') return fail(70003);
    const clientId = form.get('client_id') ?? '';
    const app = tenant.apps.get(clientId);
    if (app === undefined) return fail(700016, { clientId, tenantId });

    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (app.clientSecret === undefined || secret !== app.clientSecret) return fail(7000215, { clientId });
    } else {
      if (assertion === null || form.get('client_assertion_type') !== JWT_BEARER) return fail(7000218);
      const problem = await this.checkAssertion(tenant, app, assertion, now);
      if (problem !== undefined) return fail(problem.code, problem.args);
    }

    const scope = form.get('scope') ?? '';
    const scopes = scope.split(' ').filter((s) => s !== '');
    const only = scopes.find((s) => s.endsWith('/.default'));
    if (scopes.length === 0 || only === undefined) {
      return fail(70011, {
        detail: `The scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      });
    }
    const resourceId = only.slice(0, -'/.default'.length);
    const resource = this.resolveResource(tenant, resourceId);
    if (resource === undefined) return fail(500011, { resource: resourceId, tenantId });

    const lifetime = this.accessTokenLifetimeS;
    const accessToken = await this.mintAccessToken({ tenantId, clientId, resource: resourceId, lifetimeS: lifetime });
    return {
      status: 200,
      json: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken },
    };
  }

  private async checkAssertion(
    tenant: Tenant,
    app: AppRegistration,
    assertion: string,
    now: number,
  ): Promise<{ code: number; args: AadstsArgs } | undefined> {
    let payload: JWTPayload;
    let alg: string | undefined;
    try {
      payload = decodeJwt(assertion);
      alg = decodeProtectedHeader(assertion).alg;
    } catch {
      return { code: 50013, args: { detail: 'The assertion is not a well-formed JWT' } };
    }
    if (alg !== 'RS256')
      return { code: 50013, args: { detail: `Unsupported signing algorithm '${alg}'; only RS256 is accepted` } };
    const iss = typeof payload.iss === 'string' ? payload.iss : '';
    const sub = typeof payload.sub === 'string' ? payload.sub : '';
    const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    if (iss === this.issuerFor(tenant.id, 1) || iss === this.issuerFor(tenant.id, 2)) {
      return {
        code: 50013,
        args: { detail: 'A token issued by Microsoft Entra ID cannot be used as a client assertion' },
      };
    }
    const nowS = now / 1000;
    const skew = this.assertionClockSkewS;
    if (
      typeof payload.exp !== 'number' ||
      nowS > payload.exp + skew ||
      (typeof payload.nbf === 'number' && nowS < payload.nbf - skew)
    ) {
      return {
        code: 700024,
        args: {
          currentTime: entraTime(now),
          validFrom: entraTime(((payload.nbf ?? payload.iat ?? 0) as number) * 1000),
          expiry: entraTime(((payload.exp ?? 0) as number) * 1000),
        },
      };
    }
    if (app.federatedCredentials.length === 0) return { code: 70025, args: { clientId: app.clientId } };

    const fics = { iss, sub, aud: aud.join(', ') };
    const visible = app.federatedCredentials.filter((c) => c.activeFromMs === undefined || c.activeFromMs <= now);
    const presented = { iss, sub, aud, claims: payload as Record<string, unknown> };
    const outcome = matchFederatedCredential(visible, presented);
    // The issuer's keys are only trusted once some credential names the issuer.
    if (outcome.kind !== 'no-credentials' && outcome.kind !== 'issuer') {
      const sig = await this.verifySignature(iss, assertion);
      if (sig !== undefined) return sig;
    }
    if (outcome.kind === 'match') return undefined;
    const wouldMatchLater = matchFederatedCredential(app.federatedCredentials, presented).kind === 'match';
    if (this.ficMismatchStyle === 'generic' || wouldMatchLater || outcome.kind === 'no-credentials') {
      return { code: 70021, args: { issuer: fics.iss, subject: fics.sub, audience: fics.aud } };
    }
    const code = { issuer: 700211, audience: 700212, subject: 700213, 'subject-case': 7002138 }[outcome.kind];
    return { code, args: { issuer: fics.iss, subject: fics.sub, audience: fics.aud } };
  }

  private async verifySignature(
    iss: string,
    assertion: string,
  ): Promise<{ code: number; args: AadstsArgs } | undefined> {
    let jwks: JSONWebKeySet;
    try {
      const discovery = (await fetchJson(`${iss.replace(/\/$/, '')}/.well-known/openid-configuration`, this.caPem)) as {
        issuer?: unknown;
        jwks_uri?: unknown;
      };
      if (discovery.issuer !== iss) {
        return {
          code: 50013,
          args: { detail: `The issuer '${iss}' does not match the issuer in its OpenID configuration` },
        };
      }
      if (typeof discovery.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
      const raw = (await fetchJson(discovery.jwks_uri, this.caPem)) as { keys?: unknown };
      if (!Array.isArray(raw.keys)) throw new Error('JWKS has no keys');
      // Entra reads only the first 100 keys.
      jwks = { keys: raw.keys.slice(0, 100) as JSONWebKeySet['keys'] };
    } catch (err) {
      return {
        code: 50013,
        args: { detail: `Unable to retrieve the signing keys of issuer '${iss}': ${(err as Error).message}` },
      };
    }
    try {
      await compactVerify(assertion, createLocalJWKSet(jwks), { algorithms: ['RS256'] });
      return undefined;
    } catch (err) {
      const name = (err as { code?: string }).code ?? '';
      const detail = name === 'ERR_JWKS_NO_MATCHING_KEY' ? 'The key was not found.' : 'The signature is invalid.';
      return { code: 700027, args: { detail } };
    }
  }
}
