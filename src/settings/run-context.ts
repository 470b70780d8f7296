import type { Env } from './raw.js';
import type { RunContext } from './types.js';

/** Who and what caused this run, read from whichever CI system's variables are present. */
export function readRunContext(env: Env): RunContext {
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_RUN_ID) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    const runUrl =
      env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`
        : undefined;
    return {
      ci: 'github',
      repository: env.GITHUB_REPOSITORY,
      runId: env.GITHUB_RUN_ID,
      runAttempt: env.GITHUB_RUN_ATTEMPT,
      sha: env.GITHUB_SHA,
      ref: env.GITHUB_REF,
      actor: env.GITHUB_ACTOR,
      workflowRef: env.GITHUB_WORKFLOW_REF,
      runUrl,
      stepId: env.GITHUB_ACTION,
      jobId: env.GITHUB_JOB,
    };
  }
  if (env.TF_BUILD?.toLowerCase() === 'true') {
    const collection = env.SYSTEM_TEAMFOUNDATIONCOLLECTIONURI;
    const runUrl =
      collection && env.SYSTEM_TEAMPROJECT && env.BUILD_BUILDID
        ? `${collection.replace(/\/?$/, '/')}${encodeURIComponent(env.SYSTEM_TEAMPROJECT)}/_build/results?buildId=${env.BUILD_BUILDID}`
        : undefined;
    return {
      ci: 'azure-devops',
      repository: env.BUILD_REPOSITORY_NAME,
      runId: env.BUILD_BUILDID,
      runAttempt: env.SYSTEM_JOBATTEMPT,
      sha: env.BUILD_SOURCEVERSION,
      ref: env.BUILD_SOURCEBRANCH,
      actor: env.BUILD_REQUESTEDFOR,
      workflowRef: env.BUILD_DEFINITIONNAME,
      runUrl,
      stepId: env.SYSTEM_TASKINSTANCEID ?? env.SYSTEM_STEPID,
      jobId: env.SYSTEM_JOBID,
    };
  }
  if (env.GITLAB_CI === 'true') {
    return {
      ci: 'gitlab',
      repository: env.CI_PROJECT_PATH,
      runId: env.CI_PIPELINE_ID,
      runAttempt: undefined,
      sha: env.CI_COMMIT_SHA,
      ref: env.CI_COMMIT_REF_NAME,
      actor: env.GITLAB_USER_LOGIN,
      workflowRef: env.CI_CONFIG_PATH,
      runUrl: env.CI_JOB_URL ?? env.CI_PIPELINE_URL,
      stepId: env.CI_JOB_NAME,
      jobId: env.CI_JOB_ID,
    };
  }
  return {
    ci: 'local',
    repository: undefined,
    runId: undefined,
    runAttempt: undefined,
    sha: undefined,
    ref: undefined,
    actor: env.USER,
    workflowRef: undefined,
    runUrl: undefined,
    stepId: undefined,
    jobId: undefined,
  };
}
