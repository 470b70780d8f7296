/**
 * GitHub Actions OIDC: the token-request endpoint the runner hands out in ACTIONS_ID_TOKEN_REQUEST_URL
 * (already carrying `?api-version=2.0`; the client appends `&audience=`), and the issuer the tokens name
 * (discovery + JWKS on the same server). Claims and `sub` forms follow wire-facts section 1.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { IssuerCore, type MintOptions } from './oidc-issuer.js';
import { EmulatorServer, type EmulatorServerOptions, repeatFault } from './server.js';

export type GitHubSubjectForm =
  | { kind: 'default' }
  /** repo:OWNER@OWNER_ID/REPO@REPO_ID:... */
  | { kind: 'immutable' }
  /** include_claim_keys customisation, e.g. ['repo', 'context', 'job_workflow_ref'] */
  | { kind: 'custom'; includeClaimKeys: string[] };

export interface GitHubRunContext {
  owner: string;
  ownerId: string;
  repo: string;
  repoId: string;
  /** refs/heads/main, refs/tags/v1, refs/pull/7/merge */
  ref: string;
  eventName: string;
  /** set when the job declares `environment:`; wins over ref in `sub` */
  environment: string | undefined;
  sha: string;
  actor: string;
  actorId: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  workflowFile: string;
  workflowName: string;
  visibility: 'public' | 'private' | 'internal';
  refProtected: boolean;
  headRef: string;
  baseRef: string;
  runnerEnvironment: 'github-hosted' | 'self-hosted';
}

export const DEFAULT_GITHUB_CONTEXT: GitHubRunContext = {
  owner: 'octo-org',
  ownerId: '4242',
  repo: 'octo-repo',
  repoId: '987654',
  ref: 'refs/heads/main',
  eventName: 'push',
  environment: undefined,
  sha: 'a'.repeat(40),
  actor: 'octocat',
  actorId: '583231',
  runId: '7001',
  runNumber: '12',
  runAttempt: '1',
  workflowFile: '.github/workflows/deploy.yml',
  workflowName: 'deploy',
  visibility: 'private',
  refProtected: true,
  headRef: '',
  baseRef: '',
  runnerEnvironment: 'github-hosted',
};

export interface GitHubEmulatorOptions extends EmulatorServerOptions {
  /** GitHub Enterprise Cloud custom issuer: iss = <root>/<slug> */
  enterpriseSlug?: string;
  context?: Partial<GitHubRunContext>;
  subjectForm?: GitHubSubjectForm;
}

const escapeValue = (v: string): string => v.replace(/:/g, '%3A');

export class GitHubOidcEmulator {
  readonly server: EmulatorServer;
  readonly issuerCore: IssuerCore;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN: the runner's bearer for the token request */
  requestToken = `ghs_${randomBytes(18).toString('hex')}`;
  context: GitHubRunContext;
  subjectForm: GitHubSubjectForm;
  /** exp - iat of minted tokens (GitHub: 300) */
  lifetimeS = 300;
  /** shift minted iat/nbf/exp (seconds) to simulate a skewed issuer */
  clockOffsetS = 0;
  /** extra mint options for the next tokens (kid, unpublishedKey...) */
  mintOptions: MintOptions = {};
  private readonly planId = randomUUID();
  private readonly jobId = randomUUID();

  constructor(options: GitHubEmulatorOptions = {}) {
    this.server = new EmulatorServer(options);
    const prefix = options.enterpriseSlug === undefined ? '' : `/${options.enterpriseSlug}`;
    this.issuerCore = new IssuerCore(this.server, { pathPrefix: prefix, defaultNbfBackdateS: 300 });
    this.context = { ...DEFAULT_GITHUB_CONTEXT, ...options.context };
    this.subjectForm = options.subjectForm ?? { kind: 'default' };
    this.server.route('GET', /^\/_apis\/distributedtask\/hubs\/Actions\/plans\/[^/]+\/jobs\/[^/]+\/idtoken$/, (req) =>
      this.issue(req.query, req.headers['authorization']),
    );
  }

  get requests(): EmulatorServer['requests'] {
    return this.server.requests;
  }

  /** Only the token-request calls (not discovery/JWKS fetched by Entra). */
  get tokenRequests(): EmulatorServer['requests'] {
    return this.server.requests.filter((r) => r.path.endsWith('/idtoken'));
  }

  get issuer(): string {
    return this.issuerCore.issuer;
  }

  get caPem(): string {
    return this.server.caPem;
  }

  get requestUrl(): string {
    return `${this.server.url}/_apis/distributedtask/hubs/Actions/plans/${this.planId}/jobs/${this.jobId}/idtoken?api-version=2.0`;
  }

  async start(): Promise<this> {
    await this.issuerCore.init();
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** The next n token requests answer `status` (5xx by default). */
  failNext(n: number, status = 503): void {
    this.server.injectFaults(/\/idtoken$/, repeatFault(n, { kind: 'status', status }));
  }

  throttleNext(n: number, retryAfterS: number): void {
    this.server.injectFaults(/\/idtoken$/, repeatFault(n, { kind: 'status', status: 429, retryAfterS }));
  }

  resetNext(n: number): void {
    this.server.injectFaults(/\/idtoken$/, repeatFault(n, { kind: 'reset' }));
  }

  /** The `sub` this run gets, per the configured form. */
  subject(): string {
    const c = this.context;
    const repoPart =
      this.subjectForm.kind === 'immutable' ? `${c.owner}@${c.ownerId}/${c.repo}@${c.repoId}` : `${c.owner}/${c.repo}`;
    const context = this.contextPart();
    if (this.subjectForm.kind !== 'custom') return `repo:${repoPart}:${context}`;
    const claims = this.claims('unused');
    return this.subjectForm.includeClaimKeys
      .map((key) => {
        if (key === 'repo') return `repo:${escapeValue(`${c.owner}/${c.repo}`)}`;
        if (key === 'context') return context;
        return `${key}:${escapeValue(String(claims[key] ?? ''))}`;
      })
      .join(':');
  }

  private contextPart(): string {
    const c = this.context;
    if (c.environment !== undefined) return `environment:${escapeValue(c.environment)}`;
    if (c.eventName === 'pull_request' || c.eventName === 'pull_request_target') return 'pull_request';
    return `ref:${escapeValue(c.ref)}`;
  }

  /** Every claim as GitHub sends it (all strings), minus the registered time claims. */
  claims(audience: string): Record<string, string> {
    const c = this.context;
    const repository = `${c.owner}/${c.repo}`;
    const refType = c.ref.startsWith('refs/tags/') ? 'tag' : 'branch';
    const workflowRef = `${repository}/${c.workflowFile}@${c.ref}`;
    const claims: Record<string, string> = {
      aud: audience,
      actor: c.actor,
      actor_id: c.actorId,
      base_ref: c.baseRef,
      event_name: c.eventName,
      head_ref: c.headRef,
      job_workflow_ref: workflowRef,
      job_workflow_sha: c.sha,
      ref: c.ref,
      ref_protected: String(c.refProtected),
      ref_type: refType,
      repository,
      repository_id: c.repoId,
      repository_owner: c.owner,
      repository_owner_id: c.ownerId,
      repository_visibility: c.visibility,
      run_attempt: c.runAttempt,
      run_id: c.runId,
      run_number: c.runNumber,
      runner_environment: c.runnerEnvironment,
      sha: c.sha,
      workflow: c.workflowName,
      workflow_ref: workflowRef,
      workflow_sha: c.sha,
      check_run_id: '31337',
    };
    if (c.environment !== undefined) claims['environment'] = c.environment;
    return claims;
  }

  /** Mint directly (what the endpoint would hand out for this audience). */
  mint(audience = 'api://AzureADTokenExchange', options: MintOptions = {}): Promise<string> {
    const claims: Record<string, unknown> = { ...this.claims(audience) };
    claims['sub'] = this.subject();
    return this.issuerCore.mint(claims, {
      lifetimeS: this.lifetimeS,
      clockOffsetS: this.clockOffsetS,
      ...this.mintOptions,
      ...options,
    });
  }

  /** GITHUB_* context and the two OIDC variables, as the runner sets them for a job with id-token: write. */
  env(): Record<string, string> {
    const c = this.context;
    const repository = `${c.owner}/${c.repo}`;
    return {
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: this.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.requestToken,
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_ID: c.repoId,
      GITHUB_REPOSITORY_OWNER: c.owner,
      GITHUB_REPOSITORY_OWNER_ID: c.ownerId,
      GITHUB_REF: c.ref,
      GITHUB_REF_NAME: c.ref.replace(/^refs\/(heads|tags)\//, ''),
      GITHUB_REF_TYPE: c.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      GITHUB_SHA: c.sha,
      GITHUB_EVENT_NAME: c.eventName,
      GITHUB_ACTOR: c.actor,
      GITHUB_ACTOR_ID: c.actorId,
      GITHUB_RUN_ID: c.runId,
      GITHUB_RUN_NUMBER: c.runNumber,
      GITHUB_RUN_ATTEMPT: c.runAttempt,
      GITHUB_WORKFLOW: c.workflowName,
      GITHUB_WORKFLOW_REF: `${repository}/${c.workflowFile}@${c.ref}`,
      GITHUB_WORKFLOW_SHA: c.sha,
      GITHUB_JOB: 'deploy',
      GITHUB_ACTION: '__run_2',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      RUNNER_ENVIRONMENT: c.runnerEnvironment,
      ...(c.headRef === '' ? {} : { GITHUB_HEAD_REF: c.headRef }),
      ...(c.baseRef === '' ? {} : { GITHUB_BASE_REF: c.baseRef }),
    };
  }

  private async issue(
    query: Readonly<Record<string, string>>,
    authorization: string | string[] | undefined,
  ): Promise<{ status: number; json: unknown }> {
    if (authorization !== `Bearer ${this.requestToken}`) {
      return { status: 401, json: { message: 'Unauthorized: the request token is missing, invalid or expired' } };
    }
    if (query['api-version'] === undefined) {
      return { status: 400, json: { message: 'api-version query parameter is required' } };
    }
    // GitHub's default audience is the owner's URL when the client sends none.
    const audience = query['audience'] ?? `https://github.com/${this.context.owner}`;
    return { status: 200, json: { value: await this.mint(audience) } };
  }
}
