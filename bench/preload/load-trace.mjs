// Preload (node --import): appends one JSON line per module file Node loads to $BENCH_LOAD_TRACE_FILE,
// {"file": ..., "ms": ms since process start}, and one {"request": ..., "ms"} per outgoing HTTP request (node:http
// and undici/fetch diagnostics channels), (module.registerHooks, Node >= 22.15), written at once so a killed
// child still leaves its trace. Used untimed, to learn which bundle chunks a path loads and when.
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const out = process.env.BENCH_LOAD_TRACE_FILE;
if (out) {
  registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith('file:')) {
        appendFileSync(
          out,
          JSON.stringify({ file: fileURLToPath(url), ms: Number(performance.now().toFixed(1)) }) + '\n',
        );
      }
      return nextLoad(url, context);
    },
  });
  const request = (what) =>
    appendFileSync(out, JSON.stringify({ request: what, ms: Number(performance.now().toFixed(1)) }) + '\n');
  subscribe('http.client.request.start', ({ request: req }) => request(`${req.method} ${req.host ?? ''}${req.path}`));
  subscribe('undici:request:create', ({ request: req }) => request(`${req.method} ${req.origin}${req.path}`));
}
