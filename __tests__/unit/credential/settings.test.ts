import {
  credentialArgs,
  credentialExecUser,
  parseCredentialArgs,
  resolveCredentialIdentity,
} from '../../../src/settings/credential.js';
import type { IdentitySettings } from '../../../src/settings/types.js';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const TENANT = '99999999-8888-7777-6666-555555555555';
const BASE = [
  '--cache',
  '/tmp/run/token-cache.json',
  '--client-id',
  CLIENT,
  '--tenant-id',
  TENANT,
  '--authority-host',
  'https://login.microsoftonline.com',
  '--audience',
  'api://AzureADTokenExchange',
  '--scope',
  '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
  '--ci',
  'github',
];

function withArg(flag: string, value: string | undefined, args: string[] = BASE): string[] {
  const out = [...args];
  const i = out.indexOf(flag);
  if (value === undefined) out.splice(i, 2);
  else out[i + 1] = value;
  return out;
}

describe('parseCredentialArgs', () => {
  it('parses the full set', () => {
    expect(parseCredentialArgs(BASE)).toEqual({
      cachePath: '/tmp/run/token-cache.json',
      clientId: CLIENT,
      tenantId: TENANT,
      authorityHost: 'https://login.microsoftonline.com',
      audience: 'api://AzureADTokenExchange',
      scope: '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
      ciKind: 'github',
      serviceConnectionId: undefined,
      tokenEnv: undefined,
      tokenFile: undefined,
    });
  });

  it('accepts --flag=value and trims a trailing slash from the authority', () => {
    const args = [...withArg('--authority-host', undefined), '--authority-host=https://login.microsoftonline.us/'];
    expect(parseCredentialArgs(args).authorityHost).toBe('https://login.microsoftonline.us');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(parseCredentialArgs(BASE))).toBe(true);
  });

  const table: Array<{ name: string; args: string[]; code: string; mentions: string }> = [
    { name: 'missing --cache', args: withArg('--cache', undefined), code: 'ERR_SETTINGS_MISSING', mentions: '--cache' },
    {
      name: 'relative cache',
      args: withArg('--cache', 'cache.json'),
      code: 'ERR_SETTINGS_INVALID',
      mentions: 'cache.json',
    },
    {
      name: 'missing --client-id',
      args: withArg('--client-id', undefined),
      code: 'ERR_SETTINGS_MISSING',
      mentions: '--client-id',
    },
    {
      name: 'client id not a GUID',
      args: withArg('--client-id', 'my-app'),
      code: 'ERR_SETTINGS_INVALID',
      mentions: 'my-app',
    },
    {
      name: 'tenant garbage',
      args: withArg('--tenant-id', 'not a tenant'),
      code: 'ERR_SETTINGS_INVALID',
      mentions: 'not a tenant',
    },
    {
      name: 'http authority',
      args: withArg('--authority-host', 'http://login.example'),
      code: 'ERR_SETTINGS_INVALID',
      mentions: 'https',
    },
    {
      name: 'authority with path',
      args: withArg('--authority-host', 'https://login.example/tenant'),
      code: 'ERR_SETTINGS_INVALID',
      mentions: 'path',
    },
    {
      name: 'two scopes',
      args: withArg('--scope', 'a/.default b/.default'),
      code: 'ERR_SETTINGS_INVALID',
      mentions: 'one scope',
    },
    { name: 'empty audience', args: withArg('--audience', ''), code: 'ERR_SETTINGS_MISSING', mentions: '--audience' },
    { name: 'unknown ci', args: withArg('--ci', 'jenkins'), code: 'ERR_SETTINGS_INVALID', mentions: 'jenkins' },
    { name: 'unknown flag', args: [...BASE, '--verbose'], code: 'ERR_SETTINGS_INVALID', mentions: '--verbose' },
    { name: 'positional', args: [...BASE, 'extra'], code: 'ERR_SETTINGS_INVALID', mentions: 'extra' },
    {
      name: 'flag without value',
      args: [...withArg('--scope', undefined), '--scope'],
      code: 'ERR_SETTINGS_MISSING',
      mentions: '--scope',
    },
    {
      name: 'flag followed by flag',
      args: ['--cache', '--ci', 'github'],
      code: 'ERR_SETTINGS_MISSING',
      mentions: '--cache',
    },
    { name: 'duplicate', args: [...BASE, '--ci', 'gitlab'], code: 'ERR_SETTINGS_CONFLICT', mentions: '--ci' },
    {
      name: 'azure-devops without connection',
      args: withArg('--ci', 'azure-devops'),
      code: 'ERR_SETTINGS_MISSING',
      mentions: '--service-connection-id',
    },
    {
      name: 'gitlab without token env',
      args: withArg('--ci', 'gitlab'),
      code: 'ERR_SETTINGS_MISSING',
      mentions: '--token-env',
    },
    {
      name: 'service connection on github',
      args: [...BASE, '--service-connection-id', 'x'],
      code: 'ERR_SETTINGS_CONFLICT',
      mentions: 'github',
    },
    {
      name: 'token file on gitlab',
      args: [...withArg('--ci', 'gitlab'), '--token-env', 'ID', '--token-file', '/t'],
      code: 'ERR_SETTINGS_CONFLICT',
      mentions: '--token-file',
    },
    {
      name: 'bad env name',
      args: [...withArg('--ci', 'gitlab'), '--token-env', 'A-B'],
      code: 'ERR_SETTINGS_INVALID',
      mentions: 'A-B',
    },
    {
      name: 'relative token file',
      args: [...withArg('--ci', 'token-file'), '--token-file', 'tok'],
      code: 'ERR_SETTINGS_INVALID',
      mentions: 'tok',
    },
  ];
  it.each(table)('$name -> $code', ({ args, code, mentions }) => {
    let caught: unknown;
    try {
      parseCredentialArgs(args);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code, exitCode: 2 });
    expect((caught as Error).message).toContain(mentions);
    expect((caught as { hint?: string }).hint).toBeTruthy();
  });
});

describe('resolveCredentialIdentity (refresh path)', () => {
  const parse = (extra: string[], ci: string): ReturnType<typeof parseCredentialArgs> =>
    parseCredentialArgs([...withArg('--ci', ci), ...extra]);

  const ok: Array<{ name: string; args: string[]; ci: string; env: Record<string, string>; source: unknown }> = [
    {
      name: 'github',
      args: [],
      ci: 'github',
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'rt' },
      source: { kind: 'github', requestUrl: 'https://x/?api-version=2.0', requestToken: 'rt' },
    },
    {
      name: 'azure-devops',
      args: ['--service-connection-id', 'sc-1'],
      ci: 'azure-devops',
      env: { SYSTEM_OIDCREQUESTURI: 'https://dev.azure.com/o/_apis/oidc', SYSTEM_ACCESSTOKEN: 'at' },
      source: {
        kind: 'azure-devops',
        oidcRequestUri: 'https://dev.azure.com/o/_apis/oidc',
        accessToken: 'at',
        serviceConnectionId: 'sc-1',
      },
    },
    {
      name: 'gitlab',
      args: ['--token-env', 'AZ_ID'],
      ci: 'gitlab',
      env: { AZ_ID: 'jwt' },
      source: { kind: 'gitlab', variableName: 'AZ_ID', token: 'jwt' },
    },
    {
      name: 'token-file from env',
      args: [],
      ci: 'token-file',
      env: { AZURE_FEDERATED_TOKEN_FILE: '/var/run/t' },
      source: { kind: 'token-file', path: '/var/run/t' },
    },
    {
      name: 'token-file from arg',
      args: ['--token-file', '/f'],
      ci: 'token-file',
      env: {},
      source: { kind: 'token-file', path: '/f' },
    },
    {
      name: 'explicit default env',
      args: [],
      ci: 'explicit',
      env: { ARGO_ENTRA_ID_TOKEN: 'jwt' },
      source: { kind: 'explicit', token: 'jwt' },
    },
  ];
  it.each(ok)('$name', ({ args, ci, env, source }) => {
    const identity = resolveCredentialIdentity(parse(args, ci), env);
    expect(identity.ciSource).toEqual(source);
    expect(identity.clientId).toBe(CLIENT);
  });

  const missing: Array<{ name: string; args: string[]; ci: string; env: Record<string, string>; mentions: string }> = [
    {
      name: 'github without id-token permission',
      args: [],
      ci: 'github',
      env: {},
      mentions: 'ACTIONS_ID_TOKEN_REQUEST_URL',
    },
    {
      name: 'github without request token',
      args: [],
      ci: 'github',
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'u' },
      mentions: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    },
    {
      name: 'azure-devops without mapped token',
      args: ['--service-connection-id', 'sc'],
      ci: 'azure-devops',
      env: { SYSTEM_OIDCREQUESTURI: 'u' },
      mentions: 'SYSTEM_ACCESSTOKEN',
    },
    { name: 'gitlab variable missing', args: ['--token-env', 'AZ_ID'], ci: 'gitlab', env: {}, mentions: 'AZ_ID' },
    { name: 'token file env missing', args: [], ci: 'token-file', env: {}, mentions: 'AZURE_FEDERATED_TOKEN_FILE' },
  ];
  it.each(missing)('$name -> ERR_CI_TOKEN_NOT_FOUND', ({ args, ci, env, mentions }) => {
    expect(() => resolveCredentialIdentity(parse(args, ci), env)).toThrow(
      expect.objectContaining({ code: 'ERR_CI_TOKEN_NOT_FOUND', message: expect.stringContaining(mentions) }),
    );
  });
});

describe('credentialArgs / credentialExecUser', () => {
  const identity = (ciSource: IdentitySettings['ciSource']): IdentitySettings => ({
    clientId: CLIENT,
    tenantId: TENANT,
    authorityHost: 'https://login.microsoftonline.com',
    audience: 'api://AzureADTokenExchange',
    scope: '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
    ciSource,
  });
  const sources: Array<IdentitySettings['ciSource']> = [
    { kind: 'github', requestUrl: 'https://secret-url', requestToken: 'SECRET-1' },
    {
      kind: 'azure-devops',
      oidcRequestUri: 'https://secret-uri',
      accessToken: 'SECRET-2',
      serviceConnectionId: 'sc-1',
    },
    { kind: 'gitlab', variableName: 'AZ_ID', token: 'SECRET-3' },
    { kind: 'token-file', path: '/var/run/secrets/azure/tokens/azure-identity-token' },
    { kind: 'explicit', token: 'SECRET-4' },
  ];
  it.each(sources)('round-trips $kind and carries no secret', (source) => {
    const args = credentialArgs(identity(source), '/tmp/run/token-cache.json');
    expect(args.join(' ')).not.toMatch(/SECRET|secret-url|secret-uri/);
    const parsed = parseCredentialArgs(args);
    expect(parsed.ciKind).toBe(source.kind);
    expect(parsed.cachePath).toBe('/tmp/run/token-cache.json');
    expect(parsed.scope).toBe('6dae42f8-4368-4678-94ff-3960e28e3630/.default');
  });

  it('exec user = node + script + args, empty env', () => {
    const user = credentialExecUser(identity(sources[0]!), {
      command: '/usr/bin/node',
      script: '/a/dist/credential/index.js',
      cachePath: '/c.json',
    });
    expect(user).toEqual({
      mode: 'exec',
      command: '/usr/bin/node',
      args: ['/a/dist/credential/index.js', ...credentialArgs(identity(sources[0]!), '/c.json')],
      env: {},
    });
  });
});
