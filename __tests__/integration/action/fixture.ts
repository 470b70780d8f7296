/**
 * Shared set-up of the action bundle tests: a working federation (GitHub OIDC emulator + Entra emulator) and the
 * `with:` block of a step that only writes a kubeconfig (no cluster needed: operation kubeconfig, preflight off).
 */
import { startIdentityWorld, type IdentityWorld } from '../../harness/emulators/world.js';
import type { BundleRun } from '../../helpers/run-bundle.js';
import { emulatorSecrets, expectNoSecrets, type SecretSource } from '../../helpers/secret-scan.js';

/** Never resolved or contacted in these tests (preflight off); a real-looking AKS URL. */
export const FAKE_SERVER = 'https://myaks-dns-1234.hcp.westeurope.azmk8s.io:443';

export function kubeconfigInputs(world: IdentityWorld, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'client-id': world.app.clientId,
    'tenant-id': world.tenantId,
    'authority-host': world.entra.authorityHost,
    server: FAKE_SERVER,
    'certificate-authority-data': Buffer.from(world.pki.caPem).toString('base64'),
    namespace: 'team-a',
    operation: 'kubeconfig',
    preflight: 'false',
    ...extra,
  };
}

export { startIdentityWorld, type IdentityWorld };

/** Collects every run of a test file and scans them all against everything the emulators minted. */
export class RunLog {
  readonly runs: BundleRun[] = [];

  add<T extends BundleRun>(run: T): T {
    this.runs.push(run);
    return run;
  }

  expectClean(world: IdentityWorld, ...more: Array<SecretSource | string | undefined>): void {
    expectNoSecrets(this.runs, emulatorSecrets(world.entra, world.github, ...more));
  }
}
