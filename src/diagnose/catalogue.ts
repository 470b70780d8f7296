import { EXIT_CODES, type ErrorCode } from '../errors.js';
import { AADSTS_CATALOGUE } from './aadsts.js';

/**
 * Every misconfiguration argo-entra knows how to name: one cause, one fix. The README's troubleshooting section
 * is generated from this list (renderTroubleshooting), so the docs and the program cannot drift.
 *
 * AADSTS codes: the ERR_ENTRA_* entries below carry the AADSTS number they stand for, with wording written for the
 * docs. Any code that src/diagnose/aadsts.ts (the runtime catalogue) knows and this list does not is added from
 * aadsts.ts itself, rendered with placeholders, so a new AADSTS mapping shows up in the docs without an edit here.
 */

export interface CatalogueEntry {
  readonly code: ErrorCode;
  /** the Entra error number this entry explains, if any */
  readonly aadsts?: number;
  /** what the user sees */
  readonly symptom: string;
  readonly cause: string;
  readonly fix: string;
}

export const BASE_CATALOGUE: readonly CatalogueEntry[] = [
  {
    code: 'ERR_SETTINGS_MISSING',
    symptom: 'A required input is not set.',
    cause:
      'client-id, tenant-id, server (or aks-cluster) or namespace (or the workflow for submit, the workflow-name for other operations) was not given.',
    fix: 'Set the named input (action `with:`), CLI flag, or ARGO_ENTRA_* variable.',
  },
  {
    code: 'ERR_SETTINGS_INVALID',
    symptom: 'An input has the wrong form.',
    cause: 'A value is not a GUID, https URL, duration, or one of the allowed words.',
    fix: 'Use the form the message names; the inputs table lists each one.',
  },
  {
    code: 'ERR_SETTINGS_CONFLICT',
    symptom: 'Two inputs contradict each other.',
    cause:
      'E.g. both a manifest and a template, both name and generate-name, both CA inputs, or server and aks-cluster.',
    fix: 'Keep one of the two inputs the message names.',
  },
  {
    code: 'ERR_MANIFEST_INVALID',
    symptom: 'The workflow manifest is rejected before submission.',
    cause: 'Not YAML/JSON, not a single argoproj.io/v1alpha1 Workflow, or missing spec.',
    fix: 'Fix the manifest at the path and line the message gives; `argo lint` helps.',
  },
  {
    code: 'ERR_CI_TOKEN_NOT_FOUND',
    symptom: 'Unable to get ACTIONS_ID_TOKEN_REQUEST_URL (or no CI token at all).',
    cause:
      'The job lacks `permissions: id-token: write` (GitHub), System.AccessToken is not mapped (Azure DevOps), or `id_tokens:` is not declared (GitLab).',
    fix: 'Add `permissions: id-token: write` to the job (GitHub); map SYSTEM_ACCESSTOKEN: $(System.AccessToken) (Azure DevOps); declare id_tokens with the audience (GitLab).',
  },
  {
    code: 'ERR_CI_TOKEN_REQUEST',
    symptom: 'The CI platform refused to mint an OIDC token.',
    cause:
      'The request token expired (about 6 h on GitHub), the service connection id is wrong, or the platform is unavailable.',
    fix: 'Re-run the job; check the service connection id; for long jobs use kubeconfig-mode exec early.',
  },
  {
    code: 'ERR_CI_TOKEN_INVALID',
    symptom: 'The CI token is not a usable JWT.',
    cause: 'The variable holds something else (a PAT, an empty string) or the token has expired.',
    fix: 'Pass the OIDC JWT itself; request it right before use.',
  },
  {
    code: 'ERR_CI_TOKEN_FILE',
    symptom: 'The token file cannot be read.',
    cause: 'AZURE_FEDERATED_TOKEN_FILE or token-file points to a missing or unreadable file.',
    fix: 'Check the workload-identity webhook mounted the projected token, or fix the path.',
  },
  {
    code: 'ERR_ENTRA_NO_MATCHING_FIC',
    aadsts: 70021,
    symptom: 'AADSTS70021: No matching federated identity record found.',
    cause:
      "No federated credential on the app matches the token's issuer + subject + audience exactly; new credentials also take minutes to propagate.",
    fix: 'Create a federated credential with the issuer, subject and audience argo-entra prints (az ad app federated-credential create ...), or wait a few minutes after creating one.',
  },
  {
    code: 'ERR_ENTRA_ISSUER_MISMATCH',
    aadsts: 700211,
    symptom: 'AADSTS700211: no matching federated identity record for the assertion issuer.',
    cause: "The credential's issuer differs from the token's iss (enterprise issuer, trailing slash, whitespace).",
    fix: "Set the credential's issuer to the exact iss argo-entra prints.",
  },
  {
    code: 'ERR_ENTRA_AUDIENCE_MISMATCH',
    aadsts: 700212,
    symptom: 'AADSTS700212: no matching federated identity record for the assertion audience.',
    cause: 'The CI token was requested for another audience than the credential lists.',
    fix: 'Use audience api://AzureADTokenExchange on both sides (…USGov / …China in sovereign clouds).',
  },
  {
    code: 'ERR_ENTRA_SUBJECT_MISMATCH',
    aadsts: 700213,
    symptom: 'AADSTS700213: no matching federated identity record for the assertion subject.',
    cause:
      "The token's sub differs: an environment replaces the branch, pull requests use :pull_request, tags use refs/tags, the immutable OWNER@ID/REPO@ID form, or a customised sub.",
    fix: "Create a credential for the exact subject argo-entra prints, or use a flexible credential's claimsMatchingExpression.",
  },
  {
    code: 'ERR_ENTRA_SUBJECT_CASE',
    aadsts: 7002138,
    symptom: 'AADSTS7002138: subject matches only case-insensitively.',
    cause: 'Credential matching is case-sensitive since August 2024 (e.g. Org/Repo vs org/repo).',
    fix: "Recreate the credential with the token's subject, character for character.",
  },
  {
    code: 'ERR_ENTRA_ASSERTION_TIME',
    aadsts: 700024,
    symptom: 'AADSTS700024: client assertion is not within its valid time range.',
    cause: 'The CI token expired (5 min on GitHub) before the exchange, or the runner clock is skewed.',
    fix: 'Exchange right after minting (argo-entra re-mints on refresh); sync the runner clock.',
  },
  {
    code: 'ERR_ENTRA_APP_NOT_FOUND',
    aadsts: 700016,
    symptom: 'AADSTS700016: application not found in the directory.',
    cause: 'client-id is wrong, or it belongs to another tenant, or the app has no service principal in this tenant.',
    fix: "Use the app's Application (client) ID and its tenant; create the service principal (az ad sp create --id <app>).",
  },
  {
    code: 'ERR_ENTRA_TENANT_NOT_FOUND',
    aadsts: 90002,
    symptom: "AADSTS90002: Tenant '…' not found.",
    cause: 'tenant-id is mistyped, or the authority host is for another cloud.',
    fix: 'Use the Directory (tenant) ID from the app registration and the matching authority host.',
  },
  {
    code: 'ERR_ENTRA_INVALID_ASSERTION',
    aadsts: 50013,
    symptom: 'AADSTS50013: invalid assertion.',
    cause: 'The assertion is malformed, expired, or its issuer cannot be validated.',
    fix: 'Pass the CI OIDC token unmodified; check the issuer is publicly reachable for discovery.',
  },
  {
    code: 'ERR_ENTRA_NO_FIC',
    aadsts: 70025,
    symptom: 'AADSTS70025: the client has no configured federated identity credentials.',
    cause: 'The app (or managed identity) has no federated credential at all.',
    fix: 'Add one: az ad app federated-credential create --id <app> --parameters <json with issuer, subject, audiences>.',
  },
  {
    code: 'ERR_ENTRA_SIGNATURE',
    aadsts: 700027,
    symptom: 'AADSTS700027: client assertion failed signature validation.',
    cause: "Entra could not verify the token with the issuer's JWKS (key rotated, custom issuer without public JWKS).",
    fix: "Make the issuer's /.well-known/jwks reachable from Entra; retry after key rotation.",
  },
  {
    code: 'ERR_ENTRA_CLIENT_SECRET',
    aadsts: 7000215,
    symptom: 'AADSTS7000215: invalid client secret.',
    cause: 'A client secret was sent instead of (or as) the federated assertion.',
    fix: 'Remove AZURE_CLIENT_SECRET from the environment; argo-entra uses only the federated assertion.',
  },
  {
    code: 'ERR_ENTRA_EXCHANGE',
    symptom: 'Entra returned an error argo-entra does not recognise.',
    cause: 'See the AADSTS code in the message.',
    fix: 'Look the code up at https://login.microsoftonline.com/error?code=<n>.',
  },
  {
    code: 'ERR_ENTRA_UNREACHABLE',
    symptom: 'Entra could not be reached.',
    cause: 'Network egress blocked, proxy required, or wrong authority host.',
    fix: 'Allow https to the authority host; set HTTPS_PROXY; check authority-host.',
  },
  {
    code: 'ERR_CLOCK_SKEW',
    symptom: 'Tokens are rejected as expired or not yet valid.',
    cause: "The runner's clock differs from Entra's or the API server's by more than 60 s.",
    fix: 'Sync the clock with NTP (timedatectl set-ntp true / chrony).',
  },
  {
    code: 'ERR_KUBE_UNAUTHORIZED',
    symptom: 'The API server answers 401 Unauthorized.',
    cause:
      "The access token's audience is not the cluster app, its issuer (v1 sts.windows.net/{tid}/ vs v2 …/v2.0, set by requestedAccessTokenVersion) is not the cluster's issuer.url, or it expired.",
    fix: 'Use scope <cluster app>/.default (AKS: 6dae42f8-4368-4678-94ff-3960e28e3630/.default); make the cluster issuer.url equal the token iss byte for byte.',
  },
  {
    code: 'ERR_KUBE_FORBIDDEN',
    symptom: 'The API server answers 403: User "…" cannot VERB resource "…".',
    cause: 'No RoleBinding (or, on AKS with Azure RBAC, no Azure role assignment) grants the verb.',
    fix: 'Apply the least-privilege Role and RoleBinding argo-entra prints (argo-entra rbac), or on Azure RBAC: az role assignment create --role "Azure Kubernetes Service RBAC Writer" --assignee <oid> --scope <cluster>/namespaces/<ns>.',
  },
  {
    code: 'ERR_KUBE_TLS',
    symptom: 'TLS verification of the API server fails.',
    cause:
      'ca-data is missing, not base64 of the PEM, from another cluster, or the server name is not in the certificate.',
    fix: "Set ca-data to the cluster's certificate-authority-data unchanged and use the server URL from its kubeconfig.",
  },
  {
    code: 'ERR_KUBE_UNREACHABLE',
    symptom: 'The API server cannot be reached.',
    cause: 'Private cluster, firewall / authorized IP ranges, or wrong server URL.',
    fix: "Run on a runner inside the network or add the runner's egress IP to the authorized ranges.",
  },
  {
    code: 'ERR_KUBE_NAMESPACE_NOT_FOUND',
    symptom: 'namespaces "…" not found.',
    cause: 'The namespace does not exist on this cluster.',
    fix: 'Create it or set namespace to where Argo Workflows runs.',
  },
  {
    code: 'ERR_KUBE_REQUEST',
    symptom: 'The API server returned an unexpected status.',
    cause: 'See the status and reason in the message.',
    fix: 'Re-run with debug on; the Status message names the object.',
  },
  {
    code: 'ERR_KUBECONFIG_WRITE',
    symptom: 'The kubeconfig cannot be written.',
    cause: 'RUNNER_TEMP (or the temp dir) is not writable.',
    fix: 'Check disk space and permissions of the temp directory.',
  },
  {
    code: 'ERR_LEAST_PRIVILEGE',
    symptom: 'Preflight refuses an over-privileged identity (least-privilege: enforce).',
    cause:
      'The identity can do far more than it needs: wildcard verbs, Secrets, RBAC writes, impersonation, all namespaces.',
    fix: 'Bind only the Role argo-entra rbac prints and remove broader bindings, or set least-privilege: warn.',
  },
  {
    code: 'ERR_ARGO_CRD_MISSING',
    symptom: 'workflows.argoproj.io is not served (404).',
    cause: 'Argo Workflows is not installed on this cluster.',
    fix: 'Install Argo Workflows (apply its CRDs server-side) or target the cluster that runs it.',
  },
  {
    code: 'ERR_AKS_DISCOVERY',
    symptom:
      'Azure Resource Manager refuses listClusterUserCredential on the aks-cluster (401/403 AuthorizationFailed).',
    cause:
      'The identity has no "Azure Kubernetes Service Cluster User Role" (or any role with that action) on the cluster.',
    fix: 'az role assignment create --role "Azure Kubernetes Service Cluster User Role" --assignee <client-id> --scope <aks-cluster>.',
  },
  {
    code: 'ERR_AKS_DISCOVERY',
    symptom: 'ARM answers 404 ResourceNotFound / ResourceGroupNotFound for the aks-cluster.',
    cause:
      'The resource id names a cluster, resource group or subscription that does not exist (or is in another cloud).',
    fix: 'Copy the id from az aks show -g RG -n NAME --query id -o tsv; set arm-endpoint for sovereign clouds.',
  },
  {
    code: 'ERR_ARGO_TEMPLATE_NOT_FOUND',
    symptom: 'The referenced WorkflowTemplate does not exist.',
    cause: 'Wrong name, wrong namespace, or cluster-scope set wrongly.',
    fix: 'kubectl get workflowtemplates -n <ns> / clusterworkflowtemplates and fix the name or cluster-scope.',
  },
  {
    code: 'ERR_ARGO_WORKFLOW_NOT_FOUND',
    symptom: 'The workflow to act on does not exist.',
    cause: 'Wrong name or namespace, or it was garbage-collected (ttlStrategy).',
    fix: 'Check the name with kubectl get wf -n <ns>.',
  },
  {
    code: 'ERR_ARGO_REJECTED',
    symptom: 'The API server or an admission webhook rejected the workflow.',
    cause: 'Validation failed, or templateReferencing Strict/Secure forbids the fields set.',
    fix: 'Submit from a template with only allow-listed fields (arguments, entrypoint, ...), or fix what the message names.',
  },
  {
    code: 'ERR_ARGO_OPERATION',
    symptom: 'stop/terminate/retry/resume failed.',
    cause: 'The workflow is in a phase where the operation does not apply.',
    fix: 'Check the workflow phase; retry only applies to Failed/Error workflows.',
  },
  {
    code: 'ERR_ARGO_WORKFLOW_FAILED',
    symptom: 'The workflow ended Failed or Error.',
    cause: 'A step failed; see the node table in the summary.',
    fix: 'Open the workflow in the Argo UI (argo-ui-url) and read the failed node.',
  },
  {
    code: 'ERR_ARGO_TIMEOUT',
    symptom: 'Waiting timed out.',
    cause: 'The workflow ran longer than timeout.',
    fix: 'Raise timeout, or choose on-timeout: stop/terminate/leave.',
  },
  {
    code: 'ERR_CANCELLED',
    symptom: 'The job was cancelled.',
    cause: 'The CI run was cancelled; the workflow was handled per on-cancel.',
    fix: 'Nothing to fix; set on-cancel to choose what happens to the workflow.',
  },
  {
    code: 'ERR_INTERNAL',
    symptom: 'Unexpected error.',
    cause: 'A bug in argo-entra.',
    fix: 'Re-run with ARGO_ENTRA_DEBUG=1 and report the output (it contains no tokens).',
  },
];

type AadstsEntry = (typeof AADSTS_CATALOGUE)[number];

/** Render a runtime AADSTS entry for the docs: placeholders stand where a real run prints the token's values. */
export function catalogueEntryFromAadsts(aadsts: number, entry: AadstsEntry): CatalogueEntry {
  const facts = { issuer: '<issuer>', subject: '<subject>', audience: '<audience>' };
  const ctx = { clientId: '<client-id>', tenantId: '<tenant-id>', authorityHost: 'https://login.microsoftonline.com' };
  const parsed = { codes: [aadsts], primary: aadsts, description: `AADSTS${aadsts}` };
  return {
    code: entry.code,
    aadsts,
    symptom: `AADSTS${aadsts} from Entra.`,
    cause: entry.cause(facts, ctx, parsed),
    fix: entry.fix(facts, ctx, parsed),
  };
}

function withAadsts(base: readonly CatalogueEntry[]): CatalogueEntry[] {
  const known = new Set(base.map((e) => e.aadsts).filter((n) => n !== undefined));
  const extra = Object.entries(AADSTS_CATALOGUE)
    .map(([n, entry]) => [Number(n), entry] as const)
    .filter(([n]) => !known.has(n))
    .sort(([a], [b]) => a - b)
    .map(([n, entry]) => catalogueEntryFromAadsts(n, entry));
  // Keep entries grouped by our code: insert after the last entry with the same code, else before ERR_ENTRA_EXCHANGE.
  const out = [...base];
  for (const e of extra) {
    const last = out.map((x) => x.code).lastIndexOf(e.code);
    const at = last === -1 ? out.findIndex((x) => x.code === 'ERR_ENTRA_EXCHANGE') : last + 1;
    out.splice(at === -1 ? out.length : at, 0, e);
  }
  return out;
}

export const CATALOGUE: readonly CatalogueEntry[] = withAadsts(BASE_CATALOGUE);

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The README troubleshooting table. */
export function renderTroubleshooting(entries: readonly CatalogueEntry[] = CATALOGUE): string {
  const rows = entries.map(
    (e) =>
      `| \`${e.code}\`${e.aadsts === undefined ? '' : ` (AADSTS${e.aadsts})`} | ${EXIT_CODES[e.code]} | ${cell(e.symptom)} | ${cell(e.cause)} | ${cell(e.fix)} |`,
  );
  return ['| Code | Exit | Symptom | Cause | Fix |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}
