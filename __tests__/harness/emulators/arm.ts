/**
 * Azure Resource Manager emulator for AKS cluster discovery (wire-facts section 2, "ARM"): only
 * `POST /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{n}/listClusterUserCredential`.
 *
 * It checks the bearer as ARM does: an Entra-emulator access token (signature against the Entra emulator's JWKS,
 * issuer of the token's tenant, not expired) whose `aud` is the ARM resource (ARM_APP_ID or one of the ARM resource
 * app's identifier URIs in that tenant: a test that points `arm-endpoint` here adds this emulator's URL to them).
 * Then role assignments (object id -> scopes; a scope covers every id under it): none -> 403 AuthorizationFailed;
 * unknown resource group / cluster -> 404; else the registered cluster's kubeconfig, base64, with an exec (kubelogin)
 * user section as AKS returns for `format=exec`.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import { stringify } from 'yaml';
import { AKS_SERVER_APP_ID, ARM_APP_ID, type EntraEmulator } from './entra.js';
import { EmulatorServer, type EmulatorReply, type EmulatorServerOptions, type RecordedRequest } from './server.js';

export const LIST_CREDENTIAL_ACTION = 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action';

export interface ArmCluster {
  /** what the kubeconfig's clusters[0].cluster.server says */
  readonly server: string;
  /** base64 PEM */
  readonly caData: string;
}

const norm = (id: string): string => id.replace(/\/+$/, '').toLowerCase();

/** The base64 kubeconfig AKS returns for `format=exec` (clusterUser, kubelogin exec user). */
export function aksKubeconfig(name: string, resourceGroup: string, cluster: ArmCluster): string {
  const user = `clusterUser_${resourceGroup}_${name}`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { 'certificate-authority-data': cluster.caData, server: cluster.server } }],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
    preferences: {},
    users: [
      {
        name: user,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'kubelogin',
            args: [
              'get-token',
              '--login',
              'devicecode',
              '--server-id',
              AKS_SERVER_APP_ID,
              '--environment',
              'AzurePublicCloud',
            ],
            env: null,
            installHint: 'kubelogin is not installed which is required to connect to AAD enabled cluster.',
            interactiveMode: 'IfPossible',
            provideClusterInfo: false,
          },
        },
      },
    ],
  };
  return Buffer.from(stringify(doc)).toString('base64');
}

export class ArmEmulator {
  readonly server: EmulatorServer;
  private readonly clusters = new Map<string, { name: string; resourceGroup: string; cluster: ArmCluster }>();
  private readonly resourceGroups = new Set<string>();
  /** object id -> scopes (lower case) */
  private readonly assignments = new Map<string, Set<string>>();

  private readonly entra: EntraEmulator;

  constructor(entra: EntraEmulator, options: EmulatorServerOptions = {}) {
    this.entra = entra;
    this.server = new EmulatorServer({ pki: entra.server.pki, ...options });
    this.server.route(
      'POST',
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)\/listClusterUserCredential$/i,
      (req, [s, rg, n]) => this.listClusterUserCredential(req, s ?? '', rg ?? '', n ?? ''),
    );
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  static clusterId(subscriptionId: string, resourceGroup: string, name: string): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
  }

  /** Register a cluster (and its resource group); returns its resource id. */
  addCluster(subscriptionId: string, resourceGroup: string, name: string, cluster: ArmCluster): string {
    const id = ArmEmulator.clusterId(subscriptionId, resourceGroup, name);
    this.clusters.set(norm(id), { name, resourceGroup, cluster });
    this.resourceGroups.add(norm(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`));
    return id;
  }

  /** "Azure Kubernetes Service Cluster User Role" for an object id at a scope (cluster, resource group, subscription). */
  assignClusterUser(objectId: string, scope: string): void {
    const set = this.assignments.get(objectId) ?? new Set<string>();
    set.add(norm(scope));
    this.assignments.set(objectId, set);
  }

  /** Make tokens requested for `<this emulator>/.default` resolve to the ARM resource app in the tenant. */
  registerAsArmResource(tenantId: string): void {
    const arm = this.entra.tenants.get(tenantId)?.resources.find((r) => r.appId === ARM_APP_ID);
    if (arm === undefined) throw new Error(`tenant ${tenantId} has no ARM resource app`);
    if (!arm.identifierUris.includes(this.url)) arm.identifierUris.push(this.url);
  }

  private async listClusterUserCredential(
    req: RecordedRequest,
    subscriptionId: string,
    resourceGroup: string,
    name: string,
  ): Promise<EmulatorReply> {
    const auth = await this.authenticate(req);
    if (!auth.ok) return auth.reply;
    const { claims } = auth;
    if (req.query['api-version'] === undefined) {
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const id = ArmEmulator.clusterId(subscriptionId, resourceGroup, name);
    const oid = typeof claims['oid'] === 'string' ? claims['oid'] : '';
    const scopes = this.assignments.get(oid) ?? new Set<string>();
    const allowed = [...scopes].some((s) => norm(id) === s || norm(id).startsWith(`${s}/`));
    if (!allowed) {
      return armError(
        403,
        'AuthorizationFailed',
        `The client '${oid}' with object id '${oid}' does not have authorization to perform action '${LIST_CREDENTIAL_ACTION}' over scope '${id}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    if (!this.resourceGroups.has(norm(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`))) {
      return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
    }
    const found = this.clusters.get(norm(id));
    if (found === undefined) {
      return armError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.ContainerService/managedClusters/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    return {
      status: 200,
      json: {
        kubeconfigs: [{ name: 'clusterUser', value: aksKubeconfig(found.name, found.resourceGroup, found.cluster) }],
      },
    };
  }

  /** ARM's 401s: no bearer, bad signature/issuer/expiry, or a token for another audience. */
  private async authenticate(
    req: RecordedRequest,
  ): Promise<{ ok: true; claims: JWTPayload } | { ok: false; reply: EmulatorReply }> {
    const header = req.headers['authorization'];
    const m = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header) : null;
    if (m === null) {
      return {
        ok: false,
        reply: armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."),
      };
    }
    const token = m[1] ?? '';
    let claims: JWTPayload;
    try {
      const [, payload] = token.split('.');
      claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as JWTPayload;
      const tid = typeof claims['tid'] === 'string' ? claims['tid'] : '';
      const jwks = (await (await fetch(this.entra.jwksUrlFor(tid, 1))).json()) as JSONWebKeySet;
      await jwtVerify(token, createLocalJWKSet(jwks), {
        algorithms: ['RS256'],
        issuer: [this.entra.issuerFor(tid, 1), this.entra.issuerFor(tid, 2)],
        currentDate: new Date(this.server.clock.now()),
      });
    } catch {
      return { ok: false, reply: armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.') };
    }
    const tid = String(claims['tid']);
    const arm = this.entra.tenants.get(tid)?.resources.find((r) => r.appId === ARM_APP_ID);
    const accepted = new Set([ARM_APP_ID, ...(arm?.identifierUris ?? [])].map((a) => a.replace(/\/+$/, '')));
    const aud = (Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? '']).map((a) => a.replace(/\/+$/, ''));
    if (!aud.some((a) => accepted.has(a))) {
      const reply = armError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${aud.join(',')}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.azure.com/'.`,
      );
      return { ok: false, reply };
    }
    return { ok: true, claims };
  }
}

function armError(status: number, code: string, message: string): EmulatorReply {
  return {
    status,
    json: { error: { code, message } },
    ...(status === 401
      ? {
          headers: {
            'WWW-Authenticate': 'Bearer authorization_uri="https://login.windows.net/", error="invalid_token"',
          },
        }
      : {}),
  };
}
