// GitHub Action post step: runs on success, failure and cancel; applies on-cancel if needed and removes the kubeconfig.
import { createReporter } from '../report/create.js';
import { runPost } from '../run/post.js';
import { processIo, runToExit } from '../run/process.js';
import { parsePostSettings } from '../settings/post.js';
import { systemClock } from '../util/time.js';

const reporter = createReporter(
  { reporter: 'github', json: false, debug: process.env.RUNNER_DEBUG === '1' },
  processIo(''),
);
await runToExit(
  () => reporter,
  () => runPost(parsePostSettings(process.env), reporter, systemClock),
);
