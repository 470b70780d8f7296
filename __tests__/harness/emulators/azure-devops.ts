/**
 * Azure DevOps pipeline OIDC: `POST {SYSTEM_OIDCREQUESTURI}?api-version=7.1&serviceConnectionId=<guid>` with the
 * job's System.AccessToken, answering `{"oidcToken": jwt}`. Issuer in the older `vstoken` shape
 * (`https://<emulator>/{orgGuid}`), `sub = sc://ORG/PROJECT/CONNECTION`, `aud = api://AzureADTokenExchange`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { IssuerCore, type MintOptions } from './oidc-issuer.js';
import { EmulatorServer, type EmulatorServerOptions, repeatFault } from './server.js';

export interface ServiceConnection {
  id: string;
  name: string;
}

export interface AzureDevOpsEmulatorOptions extends EmulatorServerOptions {
  organization?: string;
  project?: string;
  orgGuid?: string;
  serviceConnections?: ServiceConnection[];
}

export class AzureDevOpsOidcEmulator {
  readonly server: EmulatorServer;
  readonly issuerCore: IssuerCore;
  readonly organization: string;
  readonly project: string;
  readonly projectId = randomUUID();
  readonly orgGuid: string;
  readonly serviceConnections: ServiceConnection[];
  /** System.AccessToken */
  accessToken = randomBytes(32).toString('base64url');
  lifetimeS = 300;
  clockOffsetS = 0;
  mintOptions: MintOptions = {};
  private readonly planId = randomUUID();
  private readonly jobId = randomUUID();

  constructor(options: AzureDevOpsEmulatorOptions = {}) {
    this.server = new EmulatorServer(options);
    this.organization = options.organization ?? 'contoso';
    this.project = options.project ?? 'platform';
    this.orgGuid = options.orgGuid ?? randomUUID();
    this.serviceConnections = options.serviceConnections ?? [{ id: randomUUID(), name: 'aks-prod' }];
    this.issuerCore = new IssuerCore(this.server, { pathPrefix: `/${this.orgGuid}` });
    this.server.route('POST', /\/_apis\/distributedtask\/hubs\/build\/plans\/[^/]+\/jobs\/[^/]+\/oidctoken$/, (req) =>
      this.issue(req.query, req.headers),
    );
  }

  get requests(): EmulatorServer['requests'] {
    return this.server.requests;
  }

  get tokenRequests(): EmulatorServer['requests'] {
    return this.server.requests.filter((r) => r.path.endsWith('/oidctoken'));
  }

  get issuer(): string {
    return this.issuerCore.issuer;
  }

  get caPem(): string {
    return this.server.caPem;
  }

  get oidcRequestUri(): string {
    return `${this.server.url}/${this.organization}/${this.projectId}/_apis/distributedtask/hubs/build/plans/${this.planId}/jobs/${this.jobId}/oidctoken`;
  }

  get defaultServiceConnectionId(): string {
    const first = this.serviceConnections[0];
    if (first === undefined) throw new Error('no service connection configured');
    return first.id;
  }

  subjectFor(connection: ServiceConnection): string {
    return `sc://${this.organization}/${this.project}/${connection.name}`;
  }

  async start(): Promise<this> {
    await this.issuerCore.init();
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  failNext(n: number, status = 503): void {
    this.server.injectFaults(/\/oidctoken$/, repeatFault(n, { kind: 'status', status }));
  }

  throttleNext(n: number, retryAfterS: number): void {
    this.server.injectFaults(/\/oidctoken$/, repeatFault(n, { kind: 'status', status: 429, retryAfterS }));
  }

  mint(connection: ServiceConnection, options: MintOptions = {}): Promise<string> {
    return this.issuerCore.mint(
      { sub: this.subjectFor(connection), aud: 'api://AzureADTokenExchange' },
      { lifetimeS: this.lifetimeS, clockOffsetS: this.clockOffsetS, ...this.mintOptions, ...options },
    );
  }

  /** Predefined variables of a pipeline job that maps System.AccessToken into the env. */
  env(): Record<string, string> {
    return {
      TF_BUILD: 'True',
      SYSTEM_OIDCREQUESTURI: this.oidcRequestUri,
      SYSTEM_ACCESSTOKEN: this.accessToken,
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: `https://dev.azure.com/${this.organization}/`,
      SYSTEM_COLLECTIONID: this.orgGuid,
      SYSTEM_TEAMPROJECT: this.project,
      SYSTEM_TEAMPROJECTID: this.projectId,
      SYSTEM_PLANID: this.planId,
      SYSTEM_JOBID: this.jobId,
      SYSTEM_TASKINSTANCEID: randomUUID(),
      SYSTEM_DEFINITIONID: '17',
      BUILD_BUILDID: '4711',
      BUILD_BUILDNUMBER: '20261129.3',
      BUILD_REPOSITORY_NAME: 'platform-deploy',
      BUILD_REPOSITORY_PROVIDER: 'TfsGit',
      BUILD_SOURCEBRANCH: 'refs/heads/main',
      BUILD_SOURCEVERSION: 'b'.repeat(40),
      BUILD_REQUESTEDFOR: 'Ada Lovelace',
      AGENT_TEMPDIRECTORY: '/home/vsts/work/_temp',
    };
  }

  private async issue(
    query: Readonly<Record<string, string>>,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): Promise<{ status: number; json: unknown }> {
    if (headers['authorization'] !== `Bearer ${this.accessToken}`) {
      return { status: 401, json: adoError('TF400813: The user is not authorized to access this resource.') };
    }
    const contentType = String(headers['content-type'] ?? '');
    if (!contentType.startsWith('application/json')) {
      return { status: 415, json: adoError('The request content type must be application/json.') };
    }
    if (query['api-version'] === undefined) {
      return { status: 400, json: adoError('The api-version query parameter is required.') };
    }
    const id = query['serviceConnectionId'];
    const connection = this.serviceConnections.find((c) => c.id === id);
    if (connection === undefined) {
      return {
        status: 400,
        json: adoError(`Service connection '${id ?? ''}' was not found or the pipeline is not authorized to use it.`),
      };
    }
    return { status: 200, json: { oidcToken: await this.mint(connection) } };
  }
}

function adoError(message: string): unknown {
  return {
    $id: '1',
    innerException: null,
    message,
    typeName: 'Microsoft.TeamFoundation.DistributedTask.WebApi.TaskOrchestrationPlanSecurityException',
    typeKey: 'TaskOrchestrationPlanSecurityException',
    errorCode: 0,
    eventId: 3000,
  };
}
