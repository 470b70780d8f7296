export const id = 210;
export const ids = [210];
export const modules = {

/***/ 9210:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  exchangeForAccessToken: () => (/* binding */ exchangeForAccessToken)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/util/time.ts
var time = __webpack_require__(6043);
;// CONCATENATED MODULE: ./src/util/retry.ts
/**
 * Capped, jittered exponential backoff for transient faults (429, 5xx, connection resets). The caller decides what
 * is transient; terminal errors are rethrown at once because retrying a configuration error only delays the message.
 */

/** Full jitter (AWS style): uniform in [0, min(cap, base * 2^(attempt-1))], so many clients spread out. */
function backoffDelayMs(attempt, baseMs, capMs, random) {
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.floor(random() * ceiling);
}
async function retry(fn, options) {
    const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    const baseMs = options.baseMs ?? 250;
    const capMs = options.capMs ?? 8_000;
    const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    const sleep = options.sleep ?? time/* realSleep */.u;
    const random = options.random ?? Math.random;
    for (let attempt = 1;; attempt += 1) {
        options.signal?.throwIfAborted();
        try {
            return await fn(attempt);
        }
        catch (error) {
            if (attempt >= maxAttempts || options.signal?.aborted === true || !options.isTransient(error))
                throw error;
            const requested = options.retryAfterMs?.(error);
            if (requested !== undefined && requested > maxRetryAfterMs)
                throw error;
            const delay = requested !== undefined ? Math.max(0, requested) : backoffDelayMs(attempt, baseMs, capMs, random);
            options.onRetry?.(error, attempt, delay);
            await sleep(delay, options.signal);
        }
    }
}
/**
 * Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable.
 * `nowMs` is the local clock: an HTTP date is compared against it.
 */
function parseRetryAfterHeader(value, nowMs) {
    if (value === null || value === undefined || value.trim() === '')
        return undefined;
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed))
        return Number(trimmed) * 1000;
    const date = Date.parse(trimmed);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/buffer_utils.js
const buffer_utils_encoder = new TextEncoder(), decoder = new TextDecoder(), strictDecoder = new TextDecoder("utf-8", { fatal: !0 }), UINT32_RANGE = (/* unused pure expression or super */ null && (2 ** 32));
function concat(...buffers) {
  const size = buffers.reduce((acc, { length }) => acc + length, 0), buf = new Uint8Array(size);
  let i = 0;
  for (const buffer of buffers)
    buf.set(buffer, i), i += buffer.length;
  return buf;
}
function writeUInt32BE(buf, value, offset) {
  if (value < 0 || value >= UINT32_RANGE)
    throw new RangeError(`value must be >= 0 and <= ${UINT32_RANGE - 1}. Received ${value}`);
  buf.set([value >>> 24, value >>> 16, value >>> 8, value & 255], offset);
}
function uint64be(value) {
  const high = Math.floor(value / UINT32_RANGE), low = value % UINT32_RANGE, buf = new Uint8Array(8);
  return writeUInt32BE(buf, high, 0), writeUInt32BE(buf, low, 4), buf;
}
function uint32be(value) {
  const buf = new Uint8Array(4);
  return writeUInt32BE(buf, value), buf;
}
const NON_ASCII = /[^\x00-\x7f]/;
function buffer_utils_encode(string) {
  if (typeof string == "string" && string.length >= 128) {
    if (NON_ASCII.test(string))
      throw new TypeError("non-ASCII string encountered in encode()");
    return buffer_utils_encoder.encode(string);
  }
  const bytes = new Uint8Array(string.length);
  for (let i = 0; i < string.length; i++) {
    const code = string.charCodeAt(i);
    if (code > 127)
      throw new TypeError("non-ASCII string encountered in encode()");
    bytes[i] = code;
  }
  return bytes;
}
function buffer_utils_encodeBase64(input, url = !1) {
  if (Uint8Array.prototype.toBase64)
    return input.toBase64({ alphabet: url ? "base64url" : "base64", omitPadding: url });
  const CHUNK_SIZE = 32768, arr = [];
  for (let i = 0; i < input.length; i += CHUNK_SIZE)
    arr.push(String.fromCharCode.apply(null, input.subarray(i, i + CHUNK_SIZE)));
  const encoded = btoa(arr.join(""));
  return url ? encoded.replace(/=/g, "").replace(/\+/g, "-").replace(/\//g, "_") : encoded;
}
function decodeBase64(encoded, url = !1) {
  if (Uint8Array.fromBase64)
    return Uint8Array.fromBase64(encoded, { alphabet: url ? "base64url" : "base64" });
  if (url) {
    if (encoded.includes("+") || encoded.includes("/"))
      throw new TypeError("Invalid base64url");
    encoded = encoded.replace(/-/g, "+").replace(/_/g, "/");
  }
  const binary = atob(encoded), bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++)
    bytes[i] = binary.charCodeAt(i);
  return bytes;
}
async function digest(algorithm, data) {
  const subtleDigest = `SHA-${algorithm.slice(-3)}`;
  return new Uint8Array(await crypto.subtle.digest(subtleDigest, data));
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/base64url.js

const invalid = "The input to be decoded is not correctly encoded.";
function base64url_decode(input) {
  try {
    return decodeBase64(typeof input == "string" ? input : decoder.decode(input), !0);
  } catch (cause) {
    throw new TypeError(invalid, { cause });
  }
}
function base64url_encode(input) {
  return encodeBase64(typeof input == "string" ? encoder.encode(input) : input, !0);
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/validate.js



function assertUint8Array(input, label) {
  if (!(input instanceof Uint8Array))
    throw new TypeError(`${label} must be an instance of Uint8Array`);
}
function isObject(input) {
  if (typeof input != "object" || input === null || Object.prototype.toString.call(input) !== "[object Object]")
    return !1;
  const prototype = Object.getPrototypeOf(input);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
function isJwkSet(input) {
  return isObject(input) && Array.isArray(input.keys) && Array.from(input.keys).every(isObject);
}
function isDisjoint(...headers) {
  const parameters = /* @__PURE__ */ new Set();
  for (const header of headers)
    if (header)
      for (const parameter of Object.keys(header)) {
        if (parameters.has(parameter))
          return !1;
        parameters.add(parameter);
      }
  return !0;
}
function assertNotSet(value, name) {
  if (value !== void 0)
    throw new TypeError(`${name} can only be called once`);
}
function decodeBase64url(value, label, ErrorClass) {
  try {
    return decode(value);
  } catch (cause) {
    throw new ErrorClass(`Failed to base64url decode the ${label}`, { cause });
  }
}
function encodeAsciiMember(value, label, ErrorClass) {
  try {
    return encode(value);
  } catch (cause) {
    throw new ErrorClass(`The ${label} is not a valid base64url string`, { cause });
  }
}
function parseJoseHeader(encodedProtectedHeader, ErrorClass, message) {
  let parsed;
  try {
    parsed = JSON.parse(strictDecoder.decode(base64url_decode(encodedProtectedHeader)));
  } catch (cause) {
    throw new ErrorClass(message, { cause });
  }
  if (!isObject(parsed))
    throw new ErrorClass(message);
  return parsed;
}
const JWS_RECOGNIZED = { __proto__: null, b64: !0 }, JWE_RECOGNIZED = { __proto__: null };
function validateAlgorithms(option, algorithms) {
  if (algorithms !== void 0 && (!Array.isArray(algorithms) || algorithms.some((s) => typeof s != "string")))
    throw new TypeError(`"${option}" option must be an array of strings`);
  return algorithms === void 0 ? void 0 : new Set(algorithms);
}
function validateCritDuplicates(Err, protectedHeader) {
  const { crit } = protectedHeader ?? {};
  if (Array.isArray(crit) && new Set(crit).size !== crit.length)
    throw new Err('"crit" (Critical) Header Parameter MUST NOT contain duplicate values');
}
function validateCrit(Err, recognizedDefault, recognizedOption, protectedHeader, joseHeader) {
  if (joseHeader.crit !== void 0 && protectedHeader?.crit === void 0)
    throw new Err('"crit" (Critical) Header Parameter MUST be integrity protected');
  if (!protectedHeader || protectedHeader.crit === void 0)
    return [];
  if (!Array.isArray(protectedHeader.crit) || protectedHeader.crit.length === 0 || protectedHeader.crit.some((input) => typeof input != "string" || input.length === 0))
    throw new Err('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present');
  const recognized = recognizedOption === void 0 ? recognizedDefault : { __proto__: null, ...recognizedOption, ...recognizedDefault };
  for (const parameter of protectedHeader.crit) {
    if (!(parameter in recognized))
      throw new JOSENotSupported(`Extension Header Parameter "${parameter}" is not recognized`);
    if (!Object.hasOwn(joseHeader, parameter) || joseHeader[parameter] === void 0)
      throw new Err(`Extension Header Parameter "${parameter}" is missing`);
    if (recognized[parameter] && (!Object.hasOwn(protectedHeader, parameter) || protectedHeader[parameter] === void 0))
      throw new Err(`Extension Header Parameter "${parameter}" MUST be integrity protected`);
  }
  return protectedHeader.crit;
}
function validateB64(protectedHeader, extensions) {
  if (extensions.includes("b64")) {
    const b64 = protectedHeader.b64;
    if (typeof b64 != "boolean")
      throw new JWSInvalid('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
    return b64;
  }
  return !0;
}
function serializeJoseHeader(Err, header) {
  let serialized, parsed;
  try {
    serialized = JSON.stringify(header), parsed = JSON.parse(serialized);
  } catch (cause) {
    throw new Err("JOSE Header is not valid JSON", { cause });
  }
  if (!isObject(parsed))
    throw new Err("JOSE Header is not a JSON object");
  return [parsed, serialized];
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/errors.js
class JOSEError extends Error {
  static code = "ERR_JOSE_GENERIC";
  code = "ERR_JOSE_GENERIC";
  constructor(message, options) {
    super(message, options), this.name = this.constructor.name, Error.captureStackTrace?.(this, this.constructor);
  }
}
class JWTClaimValidationFailed extends JOSEError {
  static code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
  code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
  claim;
  reason;
  payload;
  constructor(message, payload, claim = "unspecified", reason = "unspecified") {
    super(message, { cause: { claim, reason, payload } }), this.claim = claim, this.reason = reason, this.payload = payload;
  }
}
class JWTExpired extends JOSEError {
  static code = "ERR_JWT_EXPIRED";
  code = "ERR_JWT_EXPIRED";
  claim;
  reason;
  payload;
  constructor(message, payload, claim = "unspecified", reason = "unspecified") {
    super(message, { cause: { claim, reason, payload } }), this.claim = claim, this.reason = reason, this.payload = payload;
  }
}
class JOSEAlgNotAllowed extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JOSE_ALG_NOT_ALLOWED"));
  code = "ERR_JOSE_ALG_NOT_ALLOWED";
}
class errors_JOSENotSupported extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JOSE_NOT_SUPPORTED"));
  code = "ERR_JOSE_NOT_SUPPORTED";
}
class JWEDecryptionFailed extends JOSEError {
  static code = "ERR_JWE_DECRYPTION_FAILED";
  code = "ERR_JWE_DECRYPTION_FAILED";
  constructor(message = "decryption operation failed", options) {
    super(message, options);
  }
}
class JWEInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWE_INVALID"));
  code = "ERR_JWE_INVALID";
}
class errors_JWSInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWS_INVALID"));
  code = "ERR_JWS_INVALID";
}
class JWTInvalid extends JOSEError {
  static code = "ERR_JWT_INVALID";
  code = "ERR_JWT_INVALID";
}
class JWKInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWK_INVALID"));
  code = "ERR_JWK_INVALID";
}
class JWKSInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWKS_INVALID"));
  code = "ERR_JWKS_INVALID";
}
class JWKSNoMatchingKey extends JOSEError {
  static code = "ERR_JWKS_NO_MATCHING_KEY";
  code = "ERR_JWKS_NO_MATCHING_KEY";
  constructor(message = "no applicable key found in the JSON Web Key Set", options) {
    super(message, options);
  }
}
class JWKSMultipleMatchingKeys extends JOSEError {
  [Symbol.asyncIterator] = async function* () {
  };
  static code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  constructor(message = "multiple matching keys found in the JSON Web Key Set", options) {
    super(message, options);
  }
}
class JWKSTimeout extends JOSEError {
  static code = "ERR_JWKS_TIMEOUT";
  code = "ERR_JWKS_TIMEOUT";
  constructor(message = "request timed out", options) {
    super(message, options);
  }
}
class JWSSignatureVerificationFailed extends JOSEError {
  static code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  constructor(message = "signature verification failed", options) {
    super(message, options);
  }
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/decode_jwt.js




function decodeJwt(jwt) {
  if (typeof jwt != "string")
    throw new JWTInvalid("JWTs must use Compact JWS serialization, JWT must be a string");
  const { 1: encodedPayload, length } = jwt.split(".");
  if (length === 5)
    throw new JWTInvalid("Only JWTs using Compact JWS serialization can be decoded");
  if (length !== 3)
    throw new JWTInvalid("Invalid JWT");
  if (!encodedPayload)
    throw new JWTInvalid("JWTs must contain a payload");
  let claimsSetBytes;
  try {
    claimsSetBytes = base64url_decode(encodedPayload);
  } catch (cause) {
    throw new JWTInvalid("Failed to base64url decode the payload", { cause });
  }
  let claimsSet;
  try {
    claimsSet = JSON.parse(strictDecoder.decode(claimsSetBytes));
  } catch (cause) {
    throw new JWTInvalid("Failed to parse the decoded payload as JSON", { cause });
  }
  if (!isObject(claimsSet))
    throw new JWTInvalid("Invalid JWT Claims Set");
  return claimsSet;
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/decode_protected_header.js

function decodeProtectedHeader(token) {
  let encodedProtectedHeader;
  if (typeof token == "string") {
    const parts = token.split(".");
    (parts.length === 3 || parts.length === 5) && ([encodedProtectedHeader] = parts);
  } else if (typeof token == "object" && token)
    if ("protected" in token)
      encodedProtectedHeader = token.protected;
    else
      throw new TypeError("Token does not contain a Protected Header");
  const invalid = "Invalid Token or Protected Header formatting";
  if (typeof encodedProtectedHeader != "string" || !encodedProtectedHeader)
    throw new TypeError(invalid);
  return parseJoseHeader(encodedProtectedHeader, TypeError, invalid);
}


;// CONCATENATED MODULE: ./src/identity/jwt.ts
/**
 * Reads a JWT's claims WITHOUT verifying it, for diagnostics only (what issuer/subject did we present, which app
 * did Entra put in the token). The summary holds names and times, never the token or its signature.
 */

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Three base64url segments; cheap check before a token is used or sent anywhere. */
function looksLikeJwt(value) {
    return JWT_SHAPE.test(value);
}
const str = (v) => (typeof v === 'string' ? v : undefined);
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strs = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
/** The claims of `token`, or undefined if it is not a decodable JWT. */
function tryDecodeClaims(token) {
    let claims;
    let header;
    try {
        claims = decodeJwt(token);
        header = decodeProtectedHeader(token);
    }
    catch {
        return undefined;
    }
    const entries = [
        ['iss', str(claims['iss'])],
        ['sub', str(claims['sub'])],
        ['aud', str(claims['aud']) ?? strs(claims['aud'])],
        ['exp', num(claims['exp'])],
        ['nbf', num(claims['nbf'])],
        ['iat', num(claims['iat'])],
        ['oid', str(claims['oid'])],
        ['tid', str(claims['tid'])],
        ['appid', str(claims['appid'])],
        ['azp', str(claims['azp'])],
        ['ver', str(claims['ver'])],
        ['idtyp', str(claims['idtyp'])],
        ['roles', strs(claims['roles'])],
        ['groups', strs(claims['groups'])],
        ['groupsOverage', typeof claims['_claim_names'] === 'object' && claims['_claim_names'] !== null ? true : undefined],
        ['environment', str(claims['environment'])],
        ['ref', str(claims['ref'])],
        ['repository', str(claims['repository'])],
        ['job_workflow_ref', str(claims['job_workflow_ref'])],
        ['alg', str(header['alg'])],
        ['kid', str(header['kid'])],
        ['typ', str(header['typ'])],
    ];
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}
/** Like tryDecodeClaims, but an undecodable token gives an empty summary: callers only print what is there. */
function summarizeClaims(token) {
    return tryDecodeClaims(token) ?? {};
}
/** The audiences as a list, whichever shape the token used. */
function audiences(summary) {
    if (summary.aud === undefined)
        return [];
    return typeof summary.aud === 'string' ? [summary.aud] : summary.aud;
}
const JWT_ANYWHERE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Replaces anything JWT-shaped in free text (third-party error messages) before it reaches a message or log. */
function redactJwtLike(text) {
    return text.replace(JWT_ANYWHERE, '[redacted-jwt]');
}

;// CONCATENATED MODULE: ./src/identity/ci/http.ts
/**
 * The one HTTP exchange GitHub and Azure DevOps token sources share: send, retry transient faults (429 honouring
 * Retry-After, 5xx, resets, per-attempt timeouts) with capped jittered backoff, then pick the JWT out of the JSON.
 * Terminal failures become coded errors that name the status and the endpoint, never a token or bearer.
 */




const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
class TransientStatus extends Error {
    status;
    retryAfterMs;
    constructor(status, retryAfterMs) {
        super(`HTTP ${status}`);
        this.status = status;
        this.retryAfterMs = retryAfterMs;
    }
}
/** Where the request went, without the query (GitHub's URL carries run identifiers, not secrets, but stay terse). */
function endpointOf(url) {
    try {
        const u = new URL(url);
        return `${u.origin}${u.pathname}`;
    }
    catch {
        return '(unparseable URL)';
    }
}
// Duck-typed on purpose: fetch's errors may come from another realm (a VM context), where instanceof fails.
const asErrorLike = (e) => (typeof e === 'object' && e !== null ? e : {});
function isNetworkError(error) {
    // undici reports resets, refused connections and TLS failures as TypeError('fetch failed', { cause }).
    const name = asErrorLike(error).name;
    return name === 'TypeError' || name === 'TimeoutError';
}
function describeCause(error) {
    if (error instanceof TransientStatus)
        return `HTTP ${error.status}`;
    const e = asErrorLike(error);
    const c = e.cause;
    const detail = typeof c?.code === 'string'
        ? c.code
        : typeof c?.message === 'string'
            ? c.message
            : typeof e.message === 'string'
                ? e.message
                : String(error);
    return redactJwtLike(detail);
}
async function errorDetail(res) {
    try {
        const text = await res.text();
        const parsed = JSON.parse(text);
        return typeof parsed.message === 'string' ? `: ${redactJwtLike(parsed.message).slice(0, 300)}` : '';
    }
    catch {
        return '';
    }
}
async function requestCiToken(req, deps, signal) {
    const fetchImpl = deps.fetchImpl ?? fetch;
    const clock = deps.clock ?? time/* systemClock */.m;
    const endpoint = endpointOf(req.url);
    let attempts = 0;
    let res;
    try {
        res = await retry(async () => {
            attempts += 1;
            const timeout = AbortSignal.timeout(deps.attemptTimeoutMs ?? 30_000);
            const r = await fetchImpl(req.url, {
                ...req.init,
                signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
            });
            if (TRANSIENT_STATUS.has(r.status)) {
                await r.body?.cancel();
                throw new TransientStatus(r.status, parseRetryAfterHeader(r.headers.get('retry-after'), clock.now()));
            }
            return r;
        }, {
            isTransient: (e) => e instanceof TransientStatus || isNetworkError(e),
            retryAfterMs: (e) => (e instanceof TransientStatus ? e.retryAfterMs : undefined),
            maxAttempts: deps.maxAttempts ?? 5,
            baseMs: deps.baseMs ?? 500,
            capMs: deps.capMs ?? 8_000,
            sleep: deps.sleep ?? time/* realSleep */.u,
            ...(deps.random === undefined ? {} : { random: deps.random }),
            ...(signal === undefined ? {} : { signal }),
        });
    }
    catch (error) {
        if (signal?.aborted === true) {
            throw new errors/* ArgoEntraError */.OT('ERR_CANCELLED', `Cancelled while requesting the ${req.provider} OIDC token`, {
                cause: error,
            });
        }
        const status = error instanceof TransientStatus ? String(error.status) : 'none';
        throw new errors/* ArgoEntraError */.OT('ERR_CI_TOKEN_REQUEST', `${req.provider} OIDC token request to ${endpoint} failed after ${attempts} attempt(s): ${describeCause(error)}`, {
            cause: error,
            hint: `The ${req.provider} token service kept failing or was unreachable; this is usually an outage on its side. Re-run the job; check the provider's status page if it persists.`,
            details: { status, endpoint, attempts: String(attempts) },
        });
    }
    if (!res.ok) {
        const detail = await errorDetail(res);
        throw new errors/* ArgoEntraError */.OT('ERR_CI_TOKEN_REQUEST', `${req.provider} OIDC token request to ${endpoint} was refused with HTTP ${res.status}${detail}`, { hint: req.hintFor(res.status), details: { status: String(res.status), endpoint } });
    }
    let body;
    try {
        body = await res.json();
    }
    catch (cause) {
        throw new errors/* ArgoEntraError */.OT('ERR_CI_TOKEN_INVALID', `${req.provider} OIDC token reply from ${endpoint} is not JSON`, {
            cause,
            hint: `Expected {"${req.field}": "<jwt>"}. Check that the request URL points at the ${req.provider} token service.`,
            details: { endpoint },
        });
    }
    const token = typeof body === 'object' && body !== null ? body[req.field] : undefined;
    if (typeof token !== 'string' || !looksLikeJwt(token)) {
        throw new errors/* ArgoEntraError */.OT('ERR_CI_TOKEN_INVALID', `${req.provider} OIDC token reply from ${endpoint} has no JWT in "${req.field}"`, {
            hint: `Expected {"${req.field}": "<header>.<payload>.<signature>"}. Check that the request URL points at the ${req.provider} token service.`,
            details: { endpoint },
        });
    }
    return token;
}

;// CONCATENATED MODULE: ./src/identity/ci/azure-devops.ts

function createAzureDevOpsTokenSource(oidcRequestUri, accessToken, serviceConnectionId, deps = {}) {
    return {
        kind: 'azure-devops',
        getToken(_audience, signal) {
            const separator = oidcRequestUri.includes('?') ? '&' : '?';
            const query = `api-version=7.1&serviceConnectionId=${encodeURIComponent(serviceConnectionId)}`;
            return requestCiToken({
                provider: 'Azure DevOps',
                url: `${oidcRequestUri}${separator}${query}`,
                init: {
                    method: 'POST',
                    headers: {
                        Authorization: `Bearer ${accessToken}`,
                        'Content-Type': 'application/json',
                        Accept: 'application/json',
                    },
                    body: '{}',
                },
                field: 'oidcToken',
                hintFor: (status) => status === 401 || status === 403
                    ? 'Azure DevOps rejected System.AccessToken. Map it into the step explicitly (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)) and check the job has not been running so long that it expired.'
                    : `Azure DevOps refused to mint a token for service connection ${serviceConnectionId}. Check the id is a workload-identity-federation service connection and that this pipeline is authorized to use it.`,
            }, deps, signal);
        },
    };
}

;// CONCATENATED MODULE: ./src/identity/ci/static.ts
/**
 * A token handed in whole (GitLab `id_tokens` variable, or an explicit token). It cannot be re-minted, so the
 * source returns the same value every call; Entra then reports 700024 when it has expired.
 */


function createStaticTokenSource(kind, token, origin, hint) {
    const trimmed = token.trim();
    return {
        kind,
        getToken() {
            if (!looksLikeJwt(trimmed)) {
                return Promise.reject(new errors/* ArgoEntraError */.OT('ERR_CI_TOKEN_INVALID', `${origin} does not hold a JWT`, { hint, details: { origin } }));
            }
            return Promise.resolve(trimmed);
        },
    };
}

;// CONCATENATED MODULE: ./src/identity/ci/explicit.ts

function createExplicitTokenSource(token) {
    return createStaticTokenSource('explicit', token, 'The explicit OIDC token', 'Pass the raw JWT (<header>.<payload>.<signature>) issued by your CI system for audience api://AzureADTokenExchange.');
}

;// CONCATENATED MODULE: ./src/identity/ci/github.ts

function createGitHubTokenSource(requestUrl, requestToken, deps = {}) {
    return {
        kind: 'github',
        getToken(audience, signal) {
            const separator = requestUrl.includes('?') ? '&' : '?';
            return requestCiToken({
                provider: 'GitHub Actions',
                url: `${requestUrl}${separator}audience=${encodeURIComponent(audience)}`,
                init: { method: 'GET', headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' } },
                field: 'value',
                hintFor: (status) => status === 401 || status === 403
                    ? "The job's OIDC request token was rejected. Give the job `permissions: id-token: write`; the request token lives about 6 hours, so a very long job must finish its sign-in before then."
                    : 'GitHub rejected the OIDC token request. Check that ACTIONS_ID_TOKEN_REQUEST_URL is the unmodified value the runner set.',
            }, deps, signal);
        },
    };
}

;// CONCATENATED MODULE: ./src/identity/ci/gitlab.ts

function createGitLabTokenSource(variableName, token) {
    return createStaticTokenSource('gitlab', token, `GitLab variable ${variableName}`, `Declare it in .gitlab-ci.yml: id_tokens: { ${variableName}: { aud: api://AzureADTokenExchange } }.`);
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
;// CONCATENATED MODULE: ./src/identity/ci/token-file.ts
/**
 * A token file (Kubernetes workload identity: AZURE_FEDERATED_TOKEN_FILE). Re-read on every call because the
 * kubelet rotates the projected token in place; a cached copy would expire under a long job.
 */



const defaultRead = (path) => (0,promises_.readFile)(path, 'utf8');
function createTokenFileSource(path, readFile = defaultRead) {
    return {
        kind: 'token-file',
        async getToken() {
            let text;
            try {
                text = await readFile(path);
            }
            catch (cause) {
                const code = cause.code ?? 'read error';
                throw new errors/* ArgoEntraError */.OT('ERR_CI_TOKEN_FILE', `Cannot read the federated token file ${path} (${code})`, {
                    cause,
                    hint: code === 'ENOENT'
                        ? 'The file does not exist. With AKS workload identity, label the pod azure.workload.identity/use: "true" and use a service account annotated with azure.workload.identity/client-id; otherwise point the token-file setting at the projected token.'
                        : 'Check the file permissions for the user the job runs as.',
                    details: { path, errno: code },
                });
            }
            const token = text.trim();
            if (!looksLikeJwt(token)) {
                throw new errors/* ArgoEntraError */.OT('ERR_CI_TOKEN_INVALID', `The federated token file ${path} does not hold a JWT`, {
                    hint: 'Expected one line <header>.<payload>.<signature>, as the kubelet writes a projected service-account token.',
                    details: { path },
                });
            }
            return token;
        },
    };
}

;// CONCATENATED MODULE: ./src/identity/ci/index.ts





function createCiTokenSource(config, deps = {}) {
    switch (config.kind) {
        case 'github':
            return createGitHubTokenSource(config.requestUrl, config.requestToken, deps);
        case 'azure-devops':
            return createAzureDevOpsTokenSource(config.oidcRequestUri, config.accessToken, config.serviceConnectionId, deps);
        case 'gitlab':
            return createGitLabTokenSource(config.variableName, config.token);
        case 'token-file':
            return deps.readFile === undefined
                ? createTokenFileSource(config.path)
                : createTokenFileSource(config.path, deps.readFile);
        case 'explicit':
            return createExplicitTokenSource(config.token);
    }
}

;// CONCATENATED MODULE: ./src/diagnose/aadsts.ts
/**
 * The AADSTS catalogue: turns an Entra error (as @azure/identity surfaces it: codes only inside the message) into a
 * coded error whose hint says what to change. Mismatch hints quote the exact issuer/subject/audience of the CI token
 * we presented (decoded claims, never the token) and the `az` command that would create a matching credential.
 */


const first = (re, text) => re.exec(text)?.[1];
const TIME = '(\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z)';
function parseAadsts(message) {
    const codes = [...message.matchAll(/AADSTS(\d{4,8})/g)].map((m) => Number(m[1]));
    // MSAL's own prefix ("Error(s): 700213 - ...") still counts when the description was cut off.
    if (codes.length === 0) {
        const listed = /Error\(s\):\s*([\d ,]+)/.exec(message)?.[1];
        for (const c of listed?.split(/[ ,]+/) ?? [])
            if (/^\d{4,8}$/.test(c))
                codes.push(Number(c));
    }
    const primary = codes[0];
    if (primary === undefined)
        return undefined;
    const description = (first(/(AADSTS\d+:[\s\S]*?)(?:\r?\n|\s-\s|\s*Trace ID:|$)/, message) ?? `AADSTS${primary}`).trim();
    const fields = [
        ['issuer', first(/Assertion Issuer: '([^']*)'/, message) ?? first(/assertion issuer '([^']*)'/, message)],
        ['subject', first(/Assertion Subject: '([^']*)'/, message) ?? first(/assertion subject '([^']*)'/, message)],
        ['audience', first(/Assertion Audience: '([^']*)'/, message) ?? first(/assertion audience '([^']*)'/, message)],
        ['currentTime', first(new RegExp(`Current time: ${TIME}`), message)],
        ['validFrom', first(new RegExp(`valid from ${TIME}`), message)],
        ['expiry', first(new RegExp(`expiry time of assertion ${TIME}`), message)],
        ['traceId', first(/Trace ID: ([0-9a-f-]{36})/i, message)],
        ['correlationId', first(/Correlation ID: ([0-9a-f-]{36})/i, message)],
    ];
    return {
        codes,
        primary,
        description: redactJwtLike(description),
        ...Object.fromEntries(fields.filter(([, v]) => v !== undefined)),
    };
}
/** Prefer the decoded CI token; fall back to what Entra echoed. */
function factsOf(p, ctx) {
    const aud = ctx.ciClaims === undefined ? [] : audiences(ctx.ciClaims);
    return {
        issuer: ctx.ciClaims?.iss ?? p.issuer,
        subject: ctx.ciClaims?.sub ?? p.subject,
        audience: aud.includes('api://AzureADTokenExchange') ? 'api://AzureADTokenExchange' : (aud[0] ?? p.audience),
    };
}
const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
/** The `az` command that creates a credential matching exactly these values. */
function ficCreateCommand(clientId, issuer, subject, audience) {
    const name = `argo-entra-${subject.replace(/[^A-Za-z0-9_-]+/g, '-')}`
        .replace(/-+/g, '-')
        .replace(/-$/, '')
        .slice(0, 120);
    const parameters = JSON.stringify({ name, issuer, subject, audiences: [audience] });
    return `az ad app federated-credential create --id ${clientId} --parameters ${shellQuote(parameters)}`;
}
/** How the presented subject was built, for the CI systems whose rules people trip over. */
function subjectHelp(claims, subject) {
    const sub = subject ?? '';
    if (sub.startsWith('repo:')) {
        const parts = [
            'GitHub builds `sub` from the job: `repo:OWNER/REPO:environment:NAME` when the job has an `environment:` (the environment wins over the branch),',
            '`repo:OWNER/REPO:pull_request` for pull requests, `repo:OWNER/REPO:ref:refs/heads/BRANCH` or `repo:OWNER/REPO:ref:refs/tags/TAG` otherwise;',
            'repositories created after 2026-07-15 (or opted in) use the immutable form `repo:OWNER@OWNER_ID/REPO@REPO_ID:...`, and an org or repo can',
            'customise it with include_claim_keys. A `:` inside a value is sent as `%3A`. Matching is exact and case-sensitive.',
        ];
        if (claims?.environment !== undefined) {
            parts.push(`This job runs in environment '${claims.environment}', so its branch does not appear in \`sub\`.`);
        }
        if (/^repo:[^/]+@\d+\//.test(sub))
            parts.push('This token uses the immutable OWNER@ID/REPO@ID form.');
        parts.push('To accept every branch instead of one, use a flexible credential: claimsMatchingExpression {"value": "claims[\'sub\'] matches \'repo:OWNER/REPO:ref:refs/heads/*\'", "languageVersion": 1}.');
        return parts.join(' ');
    }
    if (sub.startsWith('sc://')) {
        return 'Azure DevOps builds `sub` as sc://ORGANIZATION/PROJECT/SERVICE_CONNECTION_NAME (renaming the connection or project changes it); the service connection UI shows the expected issuer and subject.';
    }
    if (sub.startsWith('system:serviceaccount:')) {
        return 'Kubernetes builds `sub` as system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT of the pod; the issuer is the cluster OIDC issuer URL (az aks show --query oidcIssuerProfile.issuerUrl).';
    }
    if (sub.startsWith('project_path:')) {
        return 'GitLab builds `sub` as project_path:GROUP/PROJECT:ref_type:branch|tag:ref:NAME; the issuer is the GitLab instance URL.';
    }
    return '';
}
const PROPAGATION = 'A credential created in the last few minutes may not have propagated yet (Entra answers 70021 meanwhile): wait 1-5 minutes and re-run.';
function matchFix(f, ctx, lead) {
    const presented = `The CI token presented issuer '${f.issuer ?? '?'}', subject '${f.subject ?? '?'}', audience '${f.audience ?? '?'}'.`;
    const command = f.issuer !== undefined && f.subject !== undefined && f.audience !== undefined
        ? ` Create a credential that matches it exactly: ${ficCreateCommand(ctx.clientId, f.issuer, f.subject, f.audience)}`
        : '';
    const help = subjectHelp(ctx.ciClaims, f.subject);
    return [lead, presented + command, help].filter((s) => s !== '').join(' ');
}
function fmtTime(sec) {
    return sec === undefined ? '?' : new Date(sec * 1000).toISOString();
}
function timeFix(_f, ctx, p) {
    const entraNow = p.currentTime === undefined ? undefined : Date.parse(p.currentTime);
    const nbf = ctx.ciClaims?.nbf ?? ctx.ciClaims?.iat;
    const exp = ctx.ciClaims?.exp;
    const lines = [
        `Entra's current time: ${p.currentTime ?? '?'}; the token is valid from ${nbf === undefined ? (p.validFrom ?? '?') : fmtTime(nbf)} to ${exp === undefined ? (p.expiry ?? '?') : fmtTime(exp)}.`,
    ];
    if (entraNow !== undefined && ctx.localNowMs !== undefined) {
        const skewS = Math.round((ctx.localNowMs - entraNow) / 1000);
        lines.push(`This machine's clock reads ${new Date(ctx.localNowMs).toISOString()} (${skewS >= 0 ? '+' : ''}${skewS} s from Entra).`);
    }
    lines.push('If the token was valid on this machine but not at Entra, a clock is wrong: sync the runner (NTP) or the issuer. A token that cannot be re-minted (GitLab id_tokens, an explicit token, a stale token file) expires with its job step: sign in right after it is issued.');
    return lines.join(' ');
}
/** code -> coded error, one-sentence cause, concrete fix. */
const AADSTS_CATALOGUE = {
    70021: {
        code: 'ERR_ENTRA_NO_MATCHING_FIC',
        cause: (_f, ctx) => `No federated identity credential on app ${ctx.clientId} matches the presented CI token.`,
        fix: (f, ctx) => matchFix(f, ctx, PROPAGATION),
    },
    700211: {
        code: 'ERR_ENTRA_ISSUER_MISMATCH',
        cause: (f, ctx) => `No federated identity credential on app ${ctx.clientId} has issuer '${f.issuer ?? '?'}'.`,
        fix: (f, ctx) => matchFix(f, ctx, 'The issuer must match byte for byte: scheme, host, path, no trailing slash and no surrounding whitespace (GitHub Enterprise custom issuers end in /<enterprise>).'),
    },
    700212: {
        code: 'ERR_ENTRA_AUDIENCE_MISMATCH',
        cause: (f, ctx) => `The federated identity credentials of app ${ctx.clientId} do not accept audience '${f.audience ?? '?'}'.`,
        fix: (f, ctx) => matchFix(f, ctx, "Use audience api://AzureADTokenExchange on both sides (the action's audience input and the credential's audiences; api://AzureADTokenExchangeUSGov / ...China in sovereign clouds)."),
    },
    700213: {
        code: 'ERR_ENTRA_SUBJECT_MISMATCH',
        cause: (f, ctx) => `No federated identity credential on app ${ctx.clientId} has subject '${f.subject ?? '?'}' for this issuer.`,
        fix: (f, ctx) => matchFix(f, ctx, ''),
    },
    7002138: {
        code: 'ERR_ENTRA_SUBJECT_CASE',
        cause: (f, ctx) => `A federated identity credential on app ${ctx.clientId} matches subject '${f.subject ?? '?'}' only when case is ignored, and subject matching is case-sensitive.`,
        fix: (f, ctx) => matchFix(f, ctx, 'Change the credential subject to the exact case shown below (owner, repository, branch and environment names are case-sensitive).'),
    },
    700024: {
        code: 'ERR_ENTRA_ASSERTION_TIME',
        cause: () => 'Entra considers the CI token expired or not yet valid.',
        fix: timeFix,
    },
    700016: {
        code: 'ERR_ENTRA_APP_NOT_FOUND',
        cause: (_f, ctx) => `Application ${ctx.clientId} does not exist in tenant ${ctx.tenantId}.`,
        fix: (_f, ctx) => `Check client-id (the app registration's Application (client) ID, not its object id) and tenant-id, and that ${ctx.authorityHost} is the cloud the tenant lives in: az ad app show --id ${ctx.clientId} --query appId`,
    },
    90002: {
        code: 'ERR_ENTRA_TENANT_NOT_FOUND',
        cause: (_f, ctx) => `Tenant ${ctx.tenantId} was not found at ${ctx.authorityHost}.`,
        fix: () => 'Check tenant-id (a GUID from az account show --query tenantId) and the authority host (login.microsoftonline.us / login.chinacloudapi.cn for sovereign clouds).',
    },
    50013: {
        code: 'ERR_ENTRA_INVALID_ASSERTION',
        cause: (_f, _c, p) => `Entra rejected the CI token as an assertion (${p.description}).`,
        fix: (f) => `The token may be malformed, expired, not RS256, an Entra token itself, or its issuer's OpenID configuration at ${f.issuer ?? '<issuer>'}/.well-known/openid-configuration may be unreachable or name a different issuer. Check that document is public and its "issuer" equals the token's iss exactly.`,
    },
    70025: {
        code: 'ERR_ENTRA_NO_FIC',
        cause: (_f, ctx) => `App ${ctx.clientId} has no federated identity credentials at all.`,
        fix: (f, ctx) => matchFix(f, ctx, PROPAGATION),
    },
    700027: {
        code: 'ERR_ENTRA_SIGNATURE',
        cause: (f) => `Entra could not verify the CI token's signature with the keys issuer '${f.issuer ?? '?'}' publishes.`,
        fix: (f) => `Entra reads the issuer's JWKS via ${f.issuer ?? '<issuer>'}/.well-known/openid-configuration (only RS256, only the first 100 keys). After a key rotation re-run; for a self-hosted issuer (GitHub Enterprise Server, an AKS OIDC issuer) make sure its JWKS is publicly reachable and current.`,
    },
    7000215: {
        code: 'ERR_ENTRA_CLIENT_SECRET',
        cause: () => 'Entra rejected a client secret.',
        fix: () => 'argo-entra signs in with a federated CI token and no secret; remove any client secret (AZURE_CLIENT_SECRET) from the job, or, if you must use one, send the secret value, not its id.',
    },
    500011: {
        code: 'ERR_ENTRA_EXCHANGE',
        cause: () => 'The resource in the requested scope does not exist in the tenant.',
        fix: () => 'Check the scope: for AKS it is 6dae42f8-4368-4678-94ff-3960e28e3630/.default; for ARM https://management.azure.com/.default.',
    },
    70011: {
        code: 'ERR_ENTRA_EXCHANGE',
        cause: () => 'The requested scope is not valid for a client-credentials request.',
        fix: () => 'Request exactly one resource with /.default, e.g. 6dae42f8-4368-4678-94ff-3960e28e3630/.default.',
    },
};
/**
 * A coded error for an Entra failure message, or undefined when the message carries no AADSTS code (then it is
 * a transport problem for the caller to classify).
 */
function explainAadsts(message, ctx) {
    const parsed = parseAadsts(message);
    if (parsed === undefined)
        return undefined;
    const facts = factsOf(parsed, ctx);
    const entry = AADSTS_CATALOGUE[parsed.primary];
    const details = {
        aadsts: String(parsed.primary),
        clientId: ctx.clientId,
        tenantId: ctx.tenantId,
        authorityHost: ctx.authorityHost,
        ...(facts.issuer === undefined ? {} : { issuer: facts.issuer }),
        ...(facts.subject === undefined ? {} : { subject: facts.subject }),
        ...(facts.audience === undefined ? {} : { audience: facts.audience }),
        ...(parsed.currentTime === undefined ? {} : { entraTime: parsed.currentTime }),
        ...(parsed.traceId === undefined ? {} : { traceId: parsed.traceId }),
        ...(parsed.correlationId === undefined ? {} : { correlationId: parsed.correlationId }),
    };
    if (entry === undefined) {
        return new errors/* ArgoEntraError */.OT('ERR_ENTRA_EXCHANGE', `Microsoft Entra ID refused the token exchange: ${parsed.description}`, {
            hint: `See https://login.microsoftonline.com/error?code=${parsed.primary} for AADSTS${parsed.primary}.`,
            details,
        });
    }
    return new errors/* ArgoEntraError */.OT(entry.code, `Microsoft Entra ID refused the token exchange (AADSTS${parsed.primary}): ${entry.cause(facts, ctx, parsed)}`, { hint: entry.fix(facts, ctx, parsed), details });
}

;// CONCATENATED MODULE: ./src/identity/authority-probe.ts
/**
 * MSAL reports every failure to load the tenant's OpenID configuration as the same `endpoints_resolution_error`,
 * whether the tenant does not exist (Entra answers 400 AADSTS90002), TLS failed, or nothing listens. One direct GET
 * of that document after such a failure tells them apart. Only runs on the failure path.
 */


const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME/i;
function causeCode(error) {
    const cause = error?.cause;
    if (typeof cause?.code === 'string')
        return cause.code;
    if (typeof cause?.message === 'string')
        return cause.message;
    const message = error?.message;
    return typeof message === 'string' ? message : String(error);
}
async function probeAuthority(identity, fetchImpl = fetch) {
    const url = `${identity.authorityHost}/${encodeURIComponent(identity.tenantId)}/v2.0/.well-known/openid-configuration`;
    const details = {
        clientId: identity.clientId,
        tenantId: identity.tenantId,
        authorityHost: identity.authorityHost,
        url,
    };
    let res;
    try {
        res = await fetchImpl(url, { signal: AbortSignal.timeout(15_000) });
    }
    catch (error) {
        const code = causeCode(error);
        if (TLS_CODES.test(code)) {
            return new errors/* ArgoEntraError */.OT('ERR_ENTRA_UNREACHABLE', `TLS to ${identity.authorityHost} failed (${code})`, {
                hint: 'The authority host presented a certificate this machine does not trust. Behind a TLS-inspecting proxy, add its CA with NODE_EXTRA_CA_CERTS=<file>; check authority-host is the right cloud.',
                details: { ...details, errno: code },
            });
        }
        return new errors/* ArgoEntraError */.OT('ERR_ENTRA_UNREACHABLE', `Cannot reach Microsoft Entra ID at ${identity.authorityHost} (${code})`, {
            hint: 'Check outbound HTTPS to the authority host (proxy, firewall, DNS) and the authority-host setting.',
            details: { ...details, errno: code },
        });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
        const explained = explainAadsts(text, {
            clientId: identity.clientId,
            tenantId: identity.tenantId,
            authorityHost: identity.authorityHost,
        });
        if (explained !== undefined)
            return explained;
    }
    return new errors/* ArgoEntraError */.OT('ERR_ENTRA_UNREACHABLE', `Could not load the OpenID configuration of tenant ${identity.tenantId} from ${identity.authorityHost} (HTTP ${res.status})`, {
        hint: 'authority-host must be the Entra login endpoint of your cloud (https://login.microsoftonline.com by default), without a tenant or path.',
        details: { ...details, status: String(res.status) },
    });
}

;// CONCATENATED MODULE: ./src/identity/entra.ts





const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
/** Hosts where MSAL's instance discovery (a call to login.microsoftonline.com) is valid; anything else skips it. */
const KNOWN_AUTHORITY_HOSTS = new Set([
    'login.microsoftonline.com',
    'login.microsoft.com',
    'login.windows.net',
    'login.microsoftonline.us',
    'login.usgovcloudapi.net',
    'login.chinacloudapi.cn',
    'login.partner.microsoftonline.cn',
]);
function needsInstanceDiscovery(authorityHost) {
    try {
        return KNOWN_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
    }
    catch {
        return false;
    }
}
/**
 * The margin actually applied: the configured one, but never more than half the token's lifetime. Without the cap a
 * 60 s token (shorter than a 5 min margin) would count as "due" the moment it arrived and be re-fetched on every
 * call; half-life refresh still leaves the caller half the lifetime to use the token it was handed.
 */
function effectiveMarginMs(marginMs, lifetimeMs) {
    return Math.min(marginMs, Math.max(0, lifetimeMs) / 2);
}
const NETWORK_HINTS = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up|network|endpoints_resolution_error|fetch failed|timed? ?out/i;
const TLS_HINTS = /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_|SSL|TLS/i;
function createEntraTokenProvider(identity, ci, opts = {}) {
    const clock = opts.clock ?? time/* systemClock */.m;
    const marginMs = opts.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    const onToken = opts.onToken ?? (() => undefined);
    const load = opts.loadIdentity ?? (() => __webpack_require__.e(/* import() */ 256).then(__webpack_require__.bind(__webpack_require__, 8256)));
    let credential;
    let cached;
    let inflight;
    let lastClaims;
    // Per exchange: @azure/identity calls getAssertion without arguments, so the signal and CI failure travel here.
    let currentSignal;
    let ciError;
    let assertion;
    const mintAssertion = async () => {
        try {
            const token = await ci.getToken(identity.audience, currentSignal);
            onToken(token);
            lastClaims = tryDecodeClaims(token);
            return token;
        }
        catch (error) {
            ciError = error;
            throw error;
        }
    };
    // MSAL evaluates the assertion callback more than once per acquisition (request and client configuration, even
    // before its cache check). One CI token per exchange is enough: it is valid for minutes, retries included.
    const getAssertion = () => (assertion ??= mintAssertion());
    async function credentialFor() {
        if (credential !== undefined)
            return credential;
        const { ClientAssertionCredential: Credential } = await load();
        const options = {
            authorityHost: identity.authorityHost,
            disableInstanceDiscovery: !needsInstanceDiscovery(identity.authorityHost),
        };
        credential = new Credential(identity.tenantId, identity.clientId, getAssertion, options);
        return credential;
    }
    async function translate(error, signal) {
        if (ciError !== undefined && (0,errors/* isArgoEntraError */.AQ)(ciError))
            return ciError;
        if (signal?.aborted === true) {
            return new errors/* ArgoEntraError */.OT('ERR_CANCELLED', 'Cancelled while signing in to Microsoft Entra ID', { cause: error });
        }
        if ((0,errors/* isArgoEntraError */.AQ)(error))
            return error;
        const raw = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
        const message = redactJwtLike(raw);
        const explained = explainAadsts(message, {
            clientId: identity.clientId,
            tenantId: identity.tenantId,
            authorityHost: identity.authorityHost,
            ciClaims: lastClaims,
            localNowMs: clock.now(),
        });
        if (explained !== undefined)
            return explained;
        if (/endpoints_resolution_error/.test(message))
            return probeAuthority(identity, opts.fetchImpl);
        const details = { clientId: identity.clientId, tenantId: identity.tenantId, authorityHost: identity.authorityHost };
        if (TLS_HINTS.test(message)) {
            return new errors/* ArgoEntraError */.OT('ERR_ENTRA_UNREACHABLE', `TLS to ${identity.authorityHost} failed: ${message}`, {
                hint: 'The authority host presented a certificate this machine does not trust. Behind a TLS-inspecting proxy, add its CA with NODE_EXTRA_CA_CERTS=<file>.',
                details,
            });
        }
        // After @azure/identity's own retries a 429/5xx surfaces with no AADSTS code ("Error(s): Not Available").
        if (NETWORK_HINTS.test(message) || /Error\(s\): Not Available/.test(message)) {
            return new errors/* ArgoEntraError */.OT('ERR_ENTRA_UNREACHABLE', `Cannot reach Microsoft Entra ID at ${identity.authorityHost}: ${message}`, {
                hint: 'Entra was unreachable or kept answering with throttling/server errors after @azure/identity retried. Check outbound HTTPS to the authority host (proxy, firewall, DNS) and re-run.',
                details,
            });
        }
        return new errors/* ArgoEntraError */.OT('ERR_ENTRA_EXCHANGE', `Microsoft Entra ID token exchange failed: ${message}`, {
            hint: 'Re-run with ARGO_ENTRA_DEBUG=1 for details (no tokens are printed).',
            details,
        });
    }
    async function exchange(signal) {
        currentSignal = signal;
        ciError = undefined;
        assertion = undefined;
        const startedAt = clock.now();
        const options = signal === undefined ? {} : { abortSignal: signal };
        // Mint the CI token while @azure/identity loads (~100 ms on a cold start): MSAL asks for it next anyway, and
        // gets this same promise. A failure surfaces when MSAL awaits it; the catch only keeps it from being unhandled.
        getAssertion().catch(() => undefined);
        let result;
        try {
            result = await (await credentialFor()).getToken(identity.scope, options);
            if (cached !== undefined && result.token === cached.token.token) {
                // MSAL answered from its own cache, whose clock or margin disagrees with ours (a margin over its 5 min
                // renewal offset, an injected clock). A new credential starts with an empty cache; this costs one extra
                // discovery request, only on this path.
                credential = undefined;
                assertion = undefined;
                result = await (await credentialFor()).getToken(identity.scope, options);
            }
        }
        catch (error) {
            throw await translate(error, signal);
        }
        onToken(result.token);
        // @azure/identity stamps expiry with the wall clock (Date.now() + expires_in). Keep only the remaining lifetime
        // and re-anchor it on our clock, so an injected clock sees a consistent expiry (identical in production).
        const lifetimeMs = result.expiresOnTimestamp - Date.now();
        const token = { token: result.token, expiresOnMs: clock.now() + lifetimeMs };
        cached = { token, obtainedAtMs: startedAt };
        return token;
    }
    return {
        lastAssertionClaims: () => lastClaims,
        async getToken(signal) {
            signal?.throwIfAborted();
            if (cached !== undefined) {
                const lifetime = cached.token.expiresOnMs - cached.obtainedAtMs;
                if (clock.now() < cached.token.expiresOnMs - effectiveMarginMs(marginMs, lifetime))
                    return cached.token;
            }
            // Concurrent callers share one exchange instead of minting several CI tokens.
            inflight ??= exchange(signal).finally(() => {
                inflight = undefined;
            });
            return inflight;
        },
    };
}

;// CONCATENATED MODULE: ./src/run/credential-refresh.ts


/**
 * The credential plugin's refresh path, loaded with one dynamic import so the bundle keeps it (and, lazily inside,
 * @azure/identity) in one chunk that the cached path never reads.
 */
function exchangeForAccessToken(identity) {
    return createEntraTokenProvider(identity, createCiTokenSource(identity.ciSource)).getToken();
}


/***/ })

};
