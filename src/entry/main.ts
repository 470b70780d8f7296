// GitHub Action main step: wire settings, reporter and the run together; nothing else lives here.
import { createReporter } from '../report/create.js';
import { runMain } from '../run/main.js';
import { cancelSignal, exitCancelled, processIo, runToExit, siblingEntryScript } from '../run/process.js';
import { parseSettings } from '../settings/parse.js';
import { rawFromActionEnv } from '../settings/raw.js';
import { realSleep, systemClock } from '../util/time.js';

const env = process.env;
const reporter = createReporter(
  { reporter: 'github', json: false, debug: env.RUNNER_DEBUG === '1' },
  processIo(env.RUNNER_TEMP ?? ''),
);
const cancel = cancelSignal({ onGraceExpired: () => exitCancelled(reporter) });

await runToExit(
  () => reporter,
  async () => {
    const settings = parseSettings(rawFromActionEnv(env), { env, platform: 'action' });
    return runMain(settings, {
      reporter,
      clock: systemClock,
      sleep: realSleep,
      cancel,
      credentialPlugin: { command: process.execPath, script: siblingEntryScript(import.meta.url, 'credential') },
      keepCredentials: true,
    });
  },
);
