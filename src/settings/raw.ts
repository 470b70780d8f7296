import { parseArgs } from 'node:util';
import { ArgoEntraError } from '../errors.js';
import { INPUTS, type InputDefinition } from './inputs.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Input values before validation, keyed by input name; a multi-valued CLI flag keeps every occurrence. */
export type RawInputs = ReadonlyMap<string, readonly string[]>;

function envName(name: string): string {
  return `ARGO_ENTRA_${name.toUpperCase().replace(/-/g, '_')}`;
}

function fromEnvFallback(def: InputDefinition, env: Env): string | undefined {
  for (const key of [envName(def.name), ...(def.env ?? [])]) {
    const value = env[key]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** The runner passes `with:` values as INPUT_<NAME> with the name upper-cased and dashes kept (as @actions/core reads them). */
export function rawFromActionEnv(env: Env): RawInputs {
  const raw = new Map<string, string[]>();
  for (const def of INPUTS) {
    const given = env[`INPUT_${def.name.replace(/ /g, '_').toUpperCase()}`]?.trim();
    const value = given || fromEnvFallback(def, env);
    if (value) raw.set(def.name, [value]);
  }
  return raw;
}

export interface CliInvocation {
  readonly command: string | undefined;
  readonly positionals: readonly string[];
  readonly raw: RawInputs;
  readonly json: boolean;
  readonly help: boolean;
}

const TEMPLATE_KINDS: Readonly<Record<string, 'workflow-template' | 'cluster-workflow-template'>> = {
  workflowtemplate: 'workflow-template',
  workflowtemplates: 'workflow-template',
  wftmpl: 'workflow-template',
  clusterworkflowtemplate: 'cluster-workflow-template',
  clusterworkflowtemplates: 'cluster-workflow-template',
  cwftmpl: 'cluster-workflow-template',
};

/**
 * CLI flags mirror the action inputs (`--client-id`, `-n`, `-p k=v`...), plus argo-CLI habits: `--from
 * workflowtemplate/NAME` and a positional workflow name for operations. Environment fills what flags leave out.
 */
export function rawFromCli(argv: readonly string[], env: Env): CliInvocation {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    from: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const def of INPUTS) {
    options[def.name] = {
      type: 'string',
      ...(def.multiple ? { multiple: true } : {}),
      ...(def.short ? { short: def.short } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ArgoEntraError('ERR_SETTINGS_INVALID', `Command line: ${(error as Error).message}`, {
      cause: error,
      hint: 'Run `argo-entra --help` for the flags each command takes.',
    });
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const raw = new Map<string, string[]>();
  for (const def of INPUTS) {
    const value = values[def.name];
    const list = (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []).map((v) => v.trim());
    const nonEmpty = list.filter((v) => v.length > 0);
    if (nonEmpty.length > 0) raw.set(def.name, nonEmpty);
    else {
      const fallback = fromEnvFallback(def, env);
      if (fallback) raw.set(def.name, [fallback]);
    }
  }
  const from = typeof values.from === 'string' ? values.from.trim() : undefined;
  if (from) {
    const slash = from.indexOf('/');
    const kind = TEMPLATE_KINDS[from.slice(0, slash).toLowerCase()];
    const name = from.slice(slash + 1);
    if (slash < 0 || !kind || !name) {
      throw new ArgoEntraError('ERR_SETTINGS_INVALID', `--from "${from}" is not of the form KIND/NAME`, {
        hint: 'Use --from workflowtemplate/NAME or --from clusterworkflowtemplate/NAME.',
      });
    }
    raw.set(kind, [name]);
  }
  const [command, ...positionals] = parsed.positionals;
  return { command, positionals, raw, json: values.json === true, help: values.help === true };
}
