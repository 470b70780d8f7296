import { generateKeyPair, SignJWT } from 'jose';
import { audiences, looksLikeJwt, redactJwtLike, summarizeClaims, tryDecodeClaims } from '../../../src/identity/jwt.js';

async function sign(claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'k1' }).sign(privateKey);
}

describe('jwt summary', () => {
  it('decodes the diagnostic claims of an Entra v1 token without verifying', async () => {
    const token = await sign({
      iss: 'https://sts.windows.net/t/',
      sub: 'o',
      aud: 'a',
      exp: 2,
      nbf: 1,
      iat: 1,
      oid: 'o',
      tid: 't',
      appid: 'c',
      ver: '1.0',
      idtyp: 'app',
      groups: ['g'],
      roles: ['r'],
      secret_ish: 'x',
    });
    expect(tryDecodeClaims(token)).toEqual({
      iss: 'https://sts.windows.net/t/',
      sub: 'o',
      aud: 'a',
      exp: 2,
      nbf: 1,
      iat: 1,
      oid: 'o',
      tid: 't',
      appid: 'c',
      ver: '1.0',
      idtyp: 'app',
      groups: ['g'],
      roles: ['r'],
      alg: 'RS256',
      kid: 'k1',
      typ: 'JWT',
    });
  });

  it('keeps GitHub context claims and flags group overage', async () => {
    const s = summarizeClaims(
      await sign({
        sub: 'repo:o/r:environment:prod',
        environment: 'prod',
        ref: 'refs/heads/main',
        aud: ['x', 'y'],
        _claim_names: { groups: 'src1' },
      }),
    );
    expect(s).toMatchObject({ environment: 'prod', ref: 'refs/heads/main', groupsOverage: true });
    expect(audiences(s)).toEqual(['x', 'y']);
  });

  it.each([['not a jwt'], ['a.b'], [''], ['eyJhbGciOiJub25lIn0.bm90LWpzb24.']])('%j is not decodable', (value) => {
    expect(tryDecodeClaims(value)).toBeUndefined();
    expect(summarizeClaims(value)).toEqual({});
  });

  it.each([
    ['aaa.bbb.ccc', true],
    ['aaa.bbb.', true],
    ['aaa.bbb', false],
    ['aaa.bbb.ccc\n', false],
    ['a a.b.c', false],
  ])('looksLikeJwt(%j) = %s', (value, expected) => {
    expect(looksLikeJwt(value)).toBe(expected);
  });

  it('redacts JWT-shaped text', async () => {
    const token = await sign({ sub: 's' });
    expect(redactJwtLike(`bad token ${token} here`)).toBe('bad token [redacted-jwt] here');
  });
});
