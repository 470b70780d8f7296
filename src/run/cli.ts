import { parseArgs } from 'node:util';
import { ArgoEntraError } from '../errors.js';
import { createReporter } from '../report/create.js';
import type { Reporter } from '../report/reporter.js';
import { INPUTS } from '../settings/inputs.js';
import { parseSettings } from '../settings/parse.js';
import { rawFromCli, type Env } from '../settings/raw.js';
import { OPERATIONS, type Operation } from '../settings/types.js';
import { realSleep, systemClock } from '../util/time.js';
import { runMain } from './main.js';
import { cancelSignal, exitCancelled, processIo, runToExit } from './process.js';

export const COMMANDS: Readonly<Record<string, string>> = {
  submit: 'Submit a workflow (--workflow FILE, or --from workflowtemplate/NAME) and wait for it',
  wait: 'Wait for an existing workflow: argo-entra wait NAME',
  stop: 'Stop a workflow (exit handlers run): argo-entra stop NAME',
  terminate: 'Terminate a workflow (no exit handlers): argo-entra terminate NAME',
  suspend: 'Suspend a workflow: argo-entra suspend NAME',
  resume: 'Resume a suspended workflow: argo-entra resume NAME',
  retry: 'Retry a failed workflow: argo-entra retry NAME',
  resubmit: 'Submit a new workflow from an old one: argo-entra resubmit NAME',
  kubeconfig:
    'Only write the kubeconfig (exec plugin or token) for later kubectl/helm/argo commands, and print its path',
  credential: 'kubectl exec credential plugin (written into the kubeconfig; not for direct use)',
  doctor: 'Run every identity and access check, print a report, submit nothing; non-zero exit if anything would fail',
  rbac: 'Print least-privilege Role/RoleBinding YAML: argo-entra rbac --user OBJECT_ID|--group OBJECT_ID -n NS [--operations submit,wait] [--from ...]',
};

export function usage(command?: string): string {
  const lines =
    command && COMMANDS[command]
      ? [`argo-entra ${command}: ${COMMANDS[command]}`]
      : ['argo-entra <command> [flags]', '', 'Commands:'];
  if (!command || !COMMANDS[command])
    for (const [name, text] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(11)} ${text}`);
  lines.push('', 'Flags (each also read from ARGO_ENTRA_<NAME>):');
  for (const input of INPUTS) {
    const flag = `--${input.name}${input.short ? `, -${input.short}` : ''}`;
    lines.push(`  ${flag.padEnd(36)} ${input.description}${input.default ? ` (default: ${input.default})` : ''}`);
  }
  lines.push(
    '  --from KIND/NAME'.padEnd(38) + ' workflowtemplate/NAME or clusterworkflowtemplate/NAME',
    '  --json'.padEnd(38) + ' one JSON document on stdout',
    '',
    'Exit codes: 0 ok, 1 workflow failed, 2 bad input, 3 identity, 4 cluster access, 5 timeout, 6 cancelled.',
  );
  return lines.join('\n') + '\n';
}

/** The CLI: Azure DevOps (reports through ##vso commands), GitLab, any other CI, and local use. */
export async function runCli(argv: readonly string[], env: Env, credentialScript: string): Promise<void> {
  const [command] = argv;
  if (command === 'credential') {
    const { runCredential } = await import('./credential.js');
    process.exitCode = await runCredential(argv.slice(1), process.env);
    return;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage());
    return;
  }
  let reporter: Reporter = createReporter(
    {
      reporter: env.TF_BUILD?.toLowerCase() === 'true' ? 'azure-devops' : 'terminal',
      json: argv.includes('--json'),
      debug: env.ARGO_ENTRA_DEBUG === '1',
    },
    processIo(''),
  );
  await runToExit(
    () => reporter,
    async () => {
      if (command === 'rbac') {
        if (argv.includes('--help') || argv.includes('-h')) {
          process.stdout.write(RBAC_USAGE);
          return 0;
        }
        return printRbac(argv.slice(1));
      }
      const invocation = rawFromCli(argv, env);
      if (invocation.help) {
        process.stdout.write(usage(command));
        return 0;
      }
      const doctor = command === 'doctor';
      if (!doctor && !OPERATIONS.includes(command as Operation)) {
        throw new ArgoEntraError('ERR_SETTINGS_INVALID', `Unknown command "${command}".`, {
          hint: `Commands: ${Object.keys(COMMANDS).join(', ')}.`,
        });
      }
      const raw = new Map(invocation.raw);
      if (doctor) raw.set('diagnose-only', ['true']);
      const hasSource = raw.has('workflow') || raw.has('workflow-template') || raw.has('cluster-workflow-template');
      const operation = doctor ? (raw.get('operation')?.[0] ?? (hasSource ? 'submit' : 'kubeconfig')) : command;
      const settings = parseSettings(raw, {
        env,
        platform: 'cli',
        operation,
        positionalWorkflowName: invocation.positionals[0],
        json: invocation.json,
      });
      reporter = createReporter(settings.report, processIo(settings.cluster.tempDir));
      return runMain(settings, {
        reporter,
        clock: systemClock,
        sleep: realSleep,
        cancel: cancelSignal({ onGraceExpired: () => exitCancelled(reporter) }),
        credentialPlugin: { command: process.execPath, script: credentialScript },
        keepCredentials: settings.operation === 'kubeconfig' && !doctor,
      });
    },
  );
  reporter.close?.(Number(process.exitCode ?? 0));
}

const RBAC_USAGE = `argo-entra rbac: print least-privilege Role/RoleBinding YAML (and ClusterRole/ClusterRoleBinding for
cluster templates) for an Entra principal.

  --user OBJECT_ID | --group OBJECT_ID   the principal: the app's service principal / managed identity object id
                                         (the Kubernetes username on AKS), or an Entra group's object id
  -n, --namespace NS                     the namespace the workflows run in
  --operations LIST                      comma-separated: submit,wait,stop,terminate,suspend,resume,retry,resubmit
                                         (default submit,wait)
  --from KIND/NAME                       a template the principal may submit from (repeatable):
                                         workflowtemplate/NAME or clusterworkflowtemplate/NAME
  --wait true|false                      include what waiting needs (default true)
  --logs                                 include pods and pods/log get, so logs of failed steps can be printed
                                         (the logs input; optional, preflight does not require them)
`;

async function printRbac(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      user: { type: 'string' },
      group: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      operations: { type: 'string', default: 'submit,wait' },
      from: { type: 'string', multiple: true },
      wait: { type: 'string', default: 'true' },
      logs: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const principalName = values.user ?? values.group;
  if (!principalName || (values.user && values.group)) {
    throw new ArgoEntraError(
      'ERR_SETTINGS_MISSING',
      'rbac needs exactly one of --user OBJECT_ID or --group OBJECT_ID.',
      {
        hint: 'On AKS and with structured authentication mapping username to oid, the user is the Entra object id of the app (service principal) or managed identity.',
      },
    );
  }
  if (!values.namespace)
    throw new ArgoEntraError('ERR_SETTINGS_MISSING', 'rbac needs --namespace (-n).', {
      hint: 'Give the namespace the workflows run in.',
    });
  const operations = values.operations.split(',').map((op) => op.trim());
  for (const op of operations) {
    if (!OPERATIONS.includes(op as Operation)) {
      throw new ArgoEntraError('ERR_SETTINGS_INVALID', `--operations: "${op}" is not an operation.`, {
        hint: `Use a comma-separated list of ${OPERATIONS.join(', ')}.`,
      });
    }
  }
  const templates = (values.from ?? []).map((from) => {
    const [kind, name] = from.split('/');
    if (!name || !kind)
      throw new ArgoEntraError('ERR_SETTINGS_INVALID', `--from "${from}" is not KIND/NAME.`, {
        hint: 'Use --from workflowtemplate/NAME or clusterworkflowtemplate/NAME.',
      });
    return { kind: 'template' as const, name, clusterScope: kind.toLowerCase().startsWith('cluster') };
  });
  const { leastPrivilegeRbac, requiredAccessFor } = await import('../diagnose/rbac.js');
  const checks = requiredAccessFor(operations as Operation[], values.namespace, {
    wait: values.wait !== 'false',
    templates,
    logs: values.logs,
  });
  const rbac = leastPrivilegeRbac({
    principal: values.user ? { kind: 'user', name: values.user } : { kind: 'group', name: principalName },
    namespace: values.namespace,
    checks,
  });
  process.stdout.write(rbac.yaml);
  return 0;
}
