/**
 * Every input the action and the CLI accept: the one list that action.yml, the CLI flags and the README table are
 * checked against (a unit test fails when action.yml drifts from it).
 */
export interface InputDefinition {
  readonly name: string;
  readonly description: string;
  readonly default?: string;
  /** CLI-only short flag */
  readonly short?: string;
  /** may be given several times on the CLI (collected as lines) */
  readonly multiple?: boolean;
  /** extra environment variables read when the input is not given (after ARGO_ENTRA_<NAME>) */
  readonly env?: readonly string[];
  /** never echoed back in errors */
  readonly secret?: boolean;
}

export const INPUTS: readonly InputDefinition[] = [
  {
    name: 'client-id',
    description:
      'Application (client) ID of the Entra app registration or user-assigned managed identity that holds the federated credential (GUID).',
    env: ['AZURE_CLIENT_ID'],
  },
  { name: 'tenant-id', description: 'Directory (tenant) ID (GUID).', env: ['AZURE_TENANT_ID'] },
  {
    name: 'authority-host',
    description: 'Entra authority host (https URL).',
    default: 'https://login.microsoftonline.com',
    env: ['AZURE_AUTHORITY_HOST'],
  },
  {
    name: 'audience',
    description: "Audience of the CI OIDC token; must equal the federated credential's audience.",
    default: 'api://AzureADTokenExchange',
  },
  {
    name: 'scope',
    description: 'Scope requested from Entra: one resource ending in /.default. Default is the AKS server application.',
    default: '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
  },
  {
    name: 'ci-token-source',
    description:
      'Where the CI OIDC token comes from: auto, github, azure-devops, gitlab, token-file or explicit. auto takes the first present of: ci-token, token-file (or AZURE_FEDERATED_TOKEN_FILE), GitHub, Azure DevOps, GitLab.',
    default: 'auto',
  },
  {
    name: 'ci-token',
    description: 'A CI OIDC token given directly (masked). Prefer the automatic sources.',
    secret: true,
  },
  {
    name: 'token-file',
    description:
      'Path of a file holding the CI OIDC token (re-read on every use), e.g. a Kubernetes workload-identity token.',
    env: ['AZURE_FEDERATED_TOKEN_FILE'],
  },
  {
    name: 'gitlab-token-variable',
    description: 'GitLab: name of the environment variable that id_tokens fills.',
    default: 'ARGO_ENTRA_ID_TOKEN',
  },
  {
    name: 'azure-devops-service-connection',
    description: 'Azure DevOps: the service connection ID (GUID) whose federated identity is used.',
    env: ['AZURESUBSCRIPTION_SERVICE_CONNECTION_ID'],
  },
  { name: 'server', description: 'Kubernetes API server URL (https). Give this or aks-cluster.' },
  {
    name: 'aks-cluster',
    description:
      'AKS only, instead of server and certificate-authority-data: the cluster\'s ARM resource id (/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}). Server and CA are read through ARM listClusterUserCredential with the same federated identity, which needs the "Azure Kubernetes Service Cluster User Role" on the cluster.',
  },
  {
    name: 'arm-endpoint',
    description:
      'Azure Resource Manager endpoint (https URL) used with aks-cluster; the ARM token scope is <arm-endpoint>/.default.',
    default: 'https://management.azure.com',
  },
  {
    name: 'certificate-authority-data',
    description: "Base64 of the PEM CA bundle the API server's certificate chains to.",
  },
  {
    name: 'certificate-authority',
    description: 'Path of a PEM CA bundle file (instead of certificate-authority-data).',
  },
  {
    name: 'insecure-skip-tls-verify',
    description: 'Turn off TLS verification of the API server (never in production; prints a warning).',
    default: 'false',
  },
  {
    name: 'namespace',
    description: 'The one namespace the kubeconfig is scoped to and workflows run in (DNS-1123 label).',
    short: 'n',
  },
  {
    name: 'kubeconfig-mode',
    description:
      'exec: the kubeconfig runs argo-entra as a kubectl credential plugin that refreshes the token; token: the kubeconfig holds the access token itself.',
    default: 'exec',
  },
  {
    name: 'export-kubeconfig',
    description: 'Export KUBECONFIG for later steps (the file is removed by the post step).',
    default: 'true',
  },
  {
    name: 'operation',
    description: 'submit, wait, stop, terminate, suspend, resume, retry, resubmit, or kubeconfig (credentials only).',
    default: 'submit',
  },
  {
    name: 'workflow',
    description: 'Workflow manifest: a file path or inline YAML/JSON (exactly one argoproj.io/v1alpha1 Workflow).',
  },
  { name: 'workflow-template', description: 'Submit from this WorkflowTemplate (in the namespace).' },
  { name: 'cluster-workflow-template', description: 'Submit from this ClusterWorkflowTemplate.' },
  { name: 'entrypoint', description: 'Override the entrypoint template.', short: 'e' },
  {
    name: 'parameters',
    description: 'Workflow parameters: lines of name=value, or a YAML map.',
    short: 'p',
    multiple: true,
  },
  { name: 'parameter-file', description: 'Path of a YAML or JSON file of parameters (a map of name to value).' },
  {
    name: 'labels',
    description: 'Extra labels: name=value, separated by commas or new lines.',
    short: 'l',
    multiple: true,
  },
  { name: 'annotations', description: 'Extra annotations: name=value, one per line.', multiple: true },
  { name: 'name', description: 'Exact workflow name (instead of a generated one).' },
  { name: 'generate-name', description: 'Prefix for a generated workflow name.' },
  {
    name: 'service-account',
    description: 'Service account the workflow pods run as (not allowed with strict template referencing).',
  },
  {
    name: 'workflow-name',
    description: 'The existing workflow that wait, stop, terminate, suspend, resume, retry and resubmit act on.',
  },
  { name: 'wait', description: 'Wait for the workflow to finish and report its phase.', default: 'true' },
  {
    name: 'timeout',
    description: 'Longest wait, e.g. 90s, 30m, 1h30m (0 = no limit). On expiry exit code 5 and on-timeout applies.',
    default: '0',
  },
  // No action.yml default: the runner would always pass it, and the default depends on the operation.
  {
    name: 'on-timeout',
    description:
      'What to do with the workflow when the wait times out: stop, terminate or leave. Default: stop, except leave for operation wait (a workflow this job did not start).',
  },
  {
    name: 'on-cancel',
    description: 'What to do with the workflow this job created when the job is cancelled: stop, terminate or leave.',
    default: 'stop',
  },
  {
    name: 'dry-run',
    description: 'none, client (build and validate locally) or server (API server dry run, nothing stored).',
    default: 'none',
  },
  {
    name: 'logs',
    description:
      'failed: when a waited-on workflow ends Failed or Error, print the last 50 log lines of up to 5 failed steps (needs pods/log get; see argo-entra rbac --logs). none: print no logs.',
    default: 'failed',
  },
  { name: 'argo-ui-url', description: 'Base URL of the Argo UI, for links in outputs and the job summary.' },
  {
    name: 'preflight',
    description: 'Before acting, check who the cluster thinks we are and that every needed permission is granted.',
    default: 'true',
  },
  {
    name: 'diagnose-only',
    description: 'Run every check, print a report, submit nothing; exit non-zero if anything would fail.',
    default: 'false',
  },
  {
    name: 'least-privilege',
    description: 'off, warn (default) or enforce: flag identities that can do far more than the operation needs.',
    default: 'warn',
  },
];

export const OUTPUTS: ReadonlyArray<{ readonly name: string; readonly description: string }> = [
  { name: 'kubeconfig', description: 'Path of the ephemeral kubeconfig (removed by the post step).' },
  { name: 'workflow-name', description: 'Name of the workflow submitted or operated on.' },
  { name: 'workflow-uid', description: 'UID of that workflow.' },
  { name: 'namespace', description: 'Namespace of the workflow.' },
  { name: 'phase', description: 'Last observed phase: Pending, Running, Succeeded, Failed or Error.' },
  { name: 'message', description: "The workflow's status message, if any." },
  { name: 'started-at', description: 'RFC 3339 start time.' },
  { name: 'finished-at', description: 'RFC 3339 finish time.' },
  { name: 'duration', description: 'Duration in seconds.' },
  { name: 'outputs', description: 'JSON of status.outputs.parameters.' },
  { name: 'url', description: 'Link to the workflow in the Argo UI (when argo-ui-url is set).' },
  {
    name: 'error-code',
    description: 'The argo-entra error code when the step failed, e.g. ERR_ENTRA_SUBJECT_MISMATCH.',
  },
];

export function inputDefinition(name: string): InputDefinition {
  const found = INPUTS.find((input) => input.name === name);
  if (!found) throw new Error(`unknown input ${name}`);
  return found;
}
