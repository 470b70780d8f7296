/**
 * `npm run sandbox`: the whole road, locally, with nothing faked on our side.
 *
 * Starts the GitHub OIDC and Entra emulators and a real cluster (etcd + kube-apiserver + Argo workflow-controller)
 * that trusts the Entra emulator as AKS trusts Entra; creates namespace `demo`, a least-privilege Role+RoleBinding
 * produced by `argo-entra rbac`, and a WorkflowTemplate `hello`; then runs the action bundle as the GitHub runner
 * does (node dist/main/index.js with INPUT_*, GITHUB_*, RUNNER_TEMP and file commands), prints its log, outputs and
 * job summary, lists the workflow with kubectl through the action's exec kubeconfig, runs the post bundle, checks
 * the kubeconfig is gone, and tears everything down (also on Ctrl-C or failure).
 *
 *   npm run sandbox                    # run once and tear down; exit code = the action's
 *   npm run sandbox -- --keep          # leave it running and print env exports for kubectl / the CLI / act
 *   npm run sandbox -- --dist DIR      # use bundles from DIR (default dist/; env ARGO_ENTRA_DIST)
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { actBinary } from './sandbox/act.js';
import {
  bad,
  block,
  bold,
  dim,
  heading,
  note,
  ok,
  red,
  renderActionLog,
  secs,
  sinceStart,
  timed,
  yellow,
} from './sandbox/console.js';
import { createRunnerJob, runNode, type RunnerJob } from './sandbox/github-runner.js';
import { REPO_ROOT, type Sandbox, SandboxPrerequisiteError, startSandbox } from './sandbox/world.js';

const USAGE = `usage: npm run sandbox [-- --keep] [-- --dist DIR]

  --keep       leave emulators and cluster running; print env exports to try kubectl, the CLI or act; Ctrl-C ends
  --dist DIR   bundle folder (main/, post/, cli/, credential/); default dist/ or $ARGO_ENTRA_DIST
`;

async function main(): Promise<number> {
  let values: { keep: boolean; dist?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: {
        keep: { type: 'boolean', default: false },
        dist: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  let sandbox: Sandbox | undefined;
  let job: RunnerJob | undefined;
  let stopping: Promise<void> | undefined;
  const teardown = (): Promise<void> =>
    (stopping ??= (async () => {
      job?.cleanup();
      if (sandbox) heading('Tear down');
      if (sandbox) await timed('stopped the controller, kube-apiserver, etcd and the emulators', () => sandbox!.stop());
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stdout.write(`\n${yellow(`received ${sig}`)}\n`);
      void teardown().finally(() => process.exit(130));
    });
  }

  try {
    heading('Start the emulators and the cluster');
    sandbox = await startSandbox({
      ...(values.dist === undefined ? {} : { distDir: values.dist }),
      onPhase: (name, ms) => ok(name, ms),
    });
    const s = sandbox;
    const { github, entra, tenantId, app } = s.identity;
    note(`bundles       ${path.relative(process.cwd(), s.distDir) || '.'}`);
    note(`Entra         ${entra.authorityHost}  tenant ${tenantId}`);
    note(`app           client id ${app.clientId}  object id (oid) ${s.oid}`);
    note(`federated     issuer ${github.issuer}`);
    note(`credential    subject ${github.subject()}  audience api://AzureADTokenExchange`);
    note(
      `cluster       ${s.cluster.server}  (trusts iss https://sts.windows.net/${tenantId}/, aud 6dae42f8-…, username = oid)`,
    );
    block(`argo-entra rbac --user ${s.oid} -n demo --operations submit,wait --from workflowtemplate/hello`, s.rbacYaml);

    heading('Run the action as the GitHub runner does: node dist/main/index.js');
    const c = github.context;
    job = createRunnerJob({
      context: {
        repository: `${c.owner}/${c.repo}`,
        repositoryId: c.repoId,
        owner: c.owner,
        ownerId: c.ownerId,
        ref: c.ref,
        sha: c.sha,
        actor: c.actor,
        actorId: c.actorId,
        runId: c.runId,
        runNumber: c.runNumber,
        runAttempt: c.runAttempt,
        eventName: c.eventName,
        workflowFile: c.workflowFile,
        workflowName: c.workflowName,
        job: 'deploy',
      },
      oidc: { requestUrl: github.requestUrl, requestToken: github.requestToken },
      env: s.trustEnv,
    });
    const withInputs = {
      ...s.actionInputs,
      'workflow-template': s.template,
      parameters: 'seconds=2',
      timeout: '2m',
      'argo-ui-url': 'https://argo.sandbox.invalid',
    };
    block(
      'with:',
      Object.entries(withInputs)
        .map(([k, v]) => `${k}: ${v.length > 70 ? `${v.slice(0, 40)}… (${v.length} chars)` : v}`)
        .join('\n'),
    );
    const mainStep = await job.runAction({
      actionDir: REPO_ROOT,
      distDir: s.distDir,
      with: withInputs,
      stepId: 'argo',
    });
    block(`action log (exit ${mainStep.exitCode}, ${secs(mainStep.ms)})`, renderActionLog(mainStep.log));
    block(
      'outputs (GITHUB_OUTPUT)',
      Object.entries(mainStep.outputs)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') || '(none)',
    );
    block(
      'exported to later steps (GITHUB_ENV)',
      Object.entries(mainStep.exportedEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') || '(none)',
    );
    block('job summary (GITHUB_STEP_SUMMARY, Markdown)', mainStep.summary || '(empty)');
    (mainStep.exitCode === 0 ? ok : bad)(
      `main step exited ${mainStep.exitCode}; phase ${mainStep.outputs['phase'] ?? '(none)'}`,
      mainStep.ms,
    );

    let laterStepOk = false;
    const kubeconfig = mainStep.outputs['kubeconfig'] ?? mainStep.exportedEnv['KUBECONFIG'];
    if (kubeconfig && existsSync(kubeconfig)) {
      heading('A later step: kubectl with the exported kubeconfig (exec credential plugin)');
      const env = { ...job.baseEnv, ...job.exported };
      const r = await runProcess(
        s.cluster.binaries.kubectl,
        ['get', 'wf', '-n', s.namespace, '-L', 'argo-entra.io/run-id'],
        env,
      );
      block(`kubectl get wf -n ${s.namespace} -L argo-entra.io/run-id  (exit ${r.code})`, r.output);
      const denied = await runProcess(s.cluster.binaries.kubectl, ['get', 'secrets', '-n', s.namespace], env);
      block(
        `kubectl get secrets -n ${s.namespace}  (least privilege: expect Forbidden; exit ${denied.code})`,
        denied.output,
      );
      laterStepOk =
        r.code === 0 &&
        r.output.includes(mainStep.outputs['workflow-name'] ?? '(no name)') &&
        /forbidden/i.test(denied.output);
      (laterStepOk ? ok : bad)(
        laterStepOk
          ? 'kubectl lists the workflow as the app; Secrets are Forbidden'
          : 'kubectl through the exec kubeconfig did not behave as expected (see above)',
      );
    } else {
      bad('the main step left no kubeconfig to try kubectl with');
    }

    if (values.keep) {
      return await keepRunning(s, job, mainStep.exitCode, kubeconfig);
    }

    heading('Post step: node dist/post/index.js');
    const postStep = await job.runAction({
      actionDir: REPO_ROOT,
      distDir: s.distDir,
      with: withInputs,
      stepId: 'argo',
      post: true,
      state: mainStep.state,
    });
    block(`post log (exit ${postStep.exitCode}, ${secs(postStep.ms)})`, renderActionLog(postStep.log));
    const gone = kubeconfig === undefined || !existsSync(kubeconfig);
    (gone ? ok : bad)(
      gone ? `the kubeconfig ${kubeconfig ?? ''} is gone` : `the kubeconfig ${kubeconfig} is still there`,
    );
    const code = mainStep.exitCode !== 0 ? mainStep.exitCode : postStep.exitCode !== 0 || !gone || !laterStepOk ? 1 : 0;
    return code;
  } catch (e) {
    if (stopping !== undefined) return 130; // interrupted: what failed is the teardown pulling things away
    if (e instanceof SandboxPrerequisiteError) {
      bad(`sandbox: ${e.message}`);
      return 2;
    }
    bad(red(`sandbox failed: ${e instanceof Error ? e.message : String(e)}`));
    if (sandbox) block('cluster logs (tails)', sandbox.cluster.dumpLogs().slice(-8000));
    return 1;
  } finally {
    await teardown(); // --keep never gets here: it waits for Ctrl-C, whose handler tears down
  }
}

/** --keep: write a fresh kubeconfig with the CLI, print exports, and wait for Ctrl-C. */
async function keepRunning(
  s: Sandbox,
  job: RunnerJob,
  mainExit: number,
  actionKubeconfig: string | undefined,
): Promise<number> {
  heading('Kept running (--keep)');
  const { github } = s.identity;
  const home = mkdtempSync(path.join(tmpdir(), 'argo-entra-sandbox-'));
  const exports: Record<string, string> = {
    ...s.trustEnv,
    ...s.cliEnv,
    ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
  };
  // A kubeconfig of the person's own, made by the CLI (`argo-entra kubeconfig`), in a folder that outlives the job.
  const cli = await runNode(
    path.join(s.distDir, 'cli', 'index.js'),
    { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...exports, RUNNER_TEMP: home },
    REPO_ROOT,
    ['kubeconfig'],
  );
  const printed = /(\/\S+kubeconfig\S*)/.exec(cli.output)?.[1];
  const kubeconfig = printed && existsSync(printed) ? printed : actionKubeconfig;
  if (cli.code !== 0)
    bad(`argo-entra kubeconfig exited ${cli.code}; using the action's kubeconfig instead\n${cli.output}`);
  if (kubeconfig) exports['KUBECONFIG'] = kubeconfig;
  exports['PATH'] = `${path.dirname(s.cluster.binaries.kubectl)}:${path.dirname(process.execPath)}:$PATH`;
  const act = actBinary();
  const envFile = path.join(home, 'sandbox.env');
  const lines = Object.entries(exports).map(([k, v]) => `export ${k}=${k === 'PATH' ? `"${v}"` : `'${v}'`}`);
  writeFileSync(envFile, lines.join('\n') + '\n');
  block(`env exports (also in ${envFile}: source it in another shell)`, lines.join('\n'));
  block(
    'try',
    [
      `kubectl get wf -n ${s.namespace}                 # as the app's oid, through argo-entra's credential plugin`,
      `kubectl auth whoami`,
      `kubectl get pods -n kube-system                 # Forbidden: least privilege`,
      `node ${path.join(s.distDir, 'cli/index.js')} submit --from workflowtemplate/${s.template} -p seconds=1`,
      `node ${path.join(s.distDir, 'cli/index.js')} doctor --from workflowtemplate/${s.template}`,
      `kubectl --kubeconfig ${s.cluster.adminKubeconfigPath} get wf -A   # as admin`,
      act.path
        ? [
            `ACT_DISABLE_VERSION_CHECK=1 ${act.path} workflow_dispatch -P ubuntu-latest=-self-hosted -W examples/github/argo.yml \\`,
            '    --var AZURE_CLIENT_ID=$AZURE_CLIENT_ID --var AZURE_TENANT_ID=$AZURE_TENANT_ID --var AZURE_AUTHORITY_HOST=$AZURE_AUTHORITY_HOST \\',
            '    --var ARGO_SERVER=$ARGO_ENTRA_SERVER --var ARGO_CA_DATA=$ARGO_ENTRA_CERTIFICATE_AUTHORITY_DATA \\',
            '    --env ACTIONS_ID_TOKEN_REQUEST_URL=$ACTIONS_ID_TOKEN_REQUEST_URL --env ACTIONS_ID_TOKEN_REQUEST_TOKEN=$ACTIONS_ID_TOKEN_REQUEST_TOKEN \\',
            '    --env NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS        # act: --env NAME alone sets NAME to ""',
          ].join('\n')
        : `(act is not built: npm run harness:build)`,
    ].join('\n'),
  );
  note(dim(`main step exited ${mainExit}; job dir ${job.runnerTemp}; cluster logs ${s.cluster.logsDir}`));
  note(bold('Press Ctrl-C to tear everything down.'));
  await new Promise<never>(() => undefined);
  return mainExit;
}

function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const all: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => all.push(b));
    child.stderr.on('data', (b: Buffer) => all.push(b));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output: Buffer.concat(all).toString('utf8') }));
  });
}

const code = await main();
process.stdout.write(
  `\n${code === 0 ? bold('sandbox: OK') : red(bold(`sandbox: exit ${code}`))} ${dim(`(wall ${sinceStart()})`)}\n`,
);
process.exit(code);
