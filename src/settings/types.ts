/**
 * The one readonly settings object. Only `settings/` reads inputs and environment; every later stage receives
 * the part of this it needs. Optional values are `T | undefined` (always present as keys) so construction stays
 * explicit under exactOptionalPropertyTypes.
 */

export type Operation =
  'submit' | 'wait' | 'stop' | 'terminate' | 'resume' | 'suspend' | 'retry' | 'resubmit' | 'kubeconfig';

export const OPERATIONS: readonly Operation[] = [
  'submit',
  'wait',
  'stop',
  'terminate',
  'resume',
  'suspend',
  'retry',
  'resubmit',
  'kubeconfig',
];

export type CiSourceKind = 'github' | 'azure-devops' | 'gitlab' | 'token-file' | 'explicit';

/** Where the CI OIDC token comes from. Secrets in here are masked by the entry point as soon as settings exist. */
export type CiSourceConfig =
  | { readonly kind: 'github'; readonly requestUrl: string; readonly requestToken: string }
  | {
      readonly kind: 'azure-devops';
      readonly oidcRequestUri: string;
      readonly accessToken: string;
      readonly serviceConnectionId: string;
    }
  | { readonly kind: 'gitlab'; readonly variableName: string; readonly token: string }
  | { readonly kind: 'token-file'; readonly path: string }
  | { readonly kind: 'explicit'; readonly token: string };

export interface IdentitySettings {
  readonly clientId: string;
  readonly tenantId: string;
  /** https URL without trailing slash, e.g. https://login.microsoftonline.com */
  readonly authorityHost: string;
  /** audience requested for the CI token, e.g. api://AzureADTokenExchange */
  readonly audience: string;
  /** one resource scope, e.g. 6dae42f8-4368-4678-94ff-3960e28e3630/.default */
  readonly scope: string;
  readonly ciSource: CiSourceConfig;
}

export type KubeconfigMode = 'exec' | 'token';

/** `aks-cluster`: find server and CA through ARM's listClusterUserCredential before the kubeconfig is written. */
export interface AksSettings {
  /** the ARM resource id, /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{n} */
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** https URL without trailing slash, e.g. https://management.azure.com; the ARM token scope is `<this>/.default` */
  readonly armEndpoint: string;
}

export interface ClusterSettings {
  /**
   * https URL of the API server. With `aks` set, '' until the run resolves it through ARM (run/aks.ts): every stage
   * after that sees the discovered value.
   */
  readonly server: string;
  /** set when the cluster is given as an AKS resource id instead of server + CA */
  readonly aks: AksSettings | undefined;
  /** base64 of the PEM bundle the server's certificate chains to; undefined = system trust store */
  readonly caData: string | undefined;
  readonly insecureSkipTlsVerify: boolean;
  readonly namespace: string;
  readonly kubeconfigMode: KubeconfigMode;
  readonly exportKubeconfig: boolean;
  /** private parent directory for the kubeconfig and token cache (RUNNER_TEMP or a private temp dir) */
  readonly tempDir: string;
}

export type ShutdownPolicy = 'stop' | 'terminate' | 'leave';
export type DryRun = 'none' | 'client' | 'server';

export type WorkflowSource =
  | { readonly kind: 'manifest'; readonly text: string; readonly origin: string }
  | { readonly kind: 'template'; readonly name: string; readonly clusterScope: boolean };

export interface WorkflowSettings {
  readonly source: WorkflowSource | undefined;
  readonly entrypoint: string | undefined;
  /** ordered name/value pairs, as `-p k=v` gives them */
  readonly parameters: ReadonlyArray<readonly [string, string]>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly name: string | undefined;
  readonly generateName: string | undefined;
  readonly serviceAccount: string | undefined;
  /** the existing workflow an operation (wait, stop, retry...) acts on */
  readonly workflowName: string | undefined;
  readonly wait: boolean;
  readonly timeoutMs: number | undefined;
  readonly onTimeout: ShutdownPolicy;
  readonly onCancel: ShutdownPolicy;
  readonly dryRun: DryRun;
  readonly argoUiUrl: string | undefined;
  /** print the log tails of failed Pod steps when a waited-on workflow fails */
  readonly logs: LogsMode;
}

export type LogsMode = 'failed' | 'none';

export type ReporterKind = 'github' | 'azure-devops' | 'terminal';
export type LeastPrivilegeMode = 'off' | 'warn' | 'enforce';

export interface ReportSettings {
  readonly reporter: ReporterKind;
  readonly json: boolean;
  readonly preflight: boolean;
  readonly diagnoseOnly: boolean;
  readonly leastPrivilege: LeastPrivilegeMode;
  readonly debug: boolean;
}

/** Who and what caused this run: used for the audit stamp, idempotency key and the job summary. */
export interface RunContext {
  readonly ci: 'github' | 'azure-devops' | 'gitlab' | 'local';
  readonly repository: string | undefined;
  readonly runId: string | undefined;
  readonly runAttempt: string | undefined;
  readonly sha: string | undefined;
  readonly ref: string | undefined;
  readonly actor: string | undefined;
  readonly workflowRef: string | undefined;
  readonly runUrl: string | undefined;
  /** identifies the step within the run (GITHUB_ACTION / SYSTEM_TASKINSTANCEID / CI_JOB_ID) */
  readonly stepId: string | undefined;
  readonly jobId: string | undefined;
}

export interface Settings {
  readonly operation: Operation;
  readonly identity: IdentitySettings;
  readonly cluster: ClusterSettings;
  readonly workflow: WorkflowSettings;
  readonly report: ReportSettings;
  readonly run: RunContext;
  /** every secret value found while parsing, for the reporter to mask before anything is logged */
  readonly secrets: readonly string[];
}
