// kubectl exec credential plugin entry: see src/run/credential.ts. Only builtins load on the cached path.
import { runCredential } from '../run/credential.js';

process.exitCode = await runCredential(process.argv.slice(2), process.env);
