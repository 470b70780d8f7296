export const id = 844;
export const ids = [844];
export const modules = {

/***/ 5844:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createCiTokenSource: () => (/* binding */ createCiTokenSource)
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

// EXTERNAL MODULE: ./src/identity/jwt.ts + 6 modules
var jwt = __webpack_require__(2728);
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
    return (0,jwt/* redactJwtLike */.kK)(detail);
}
async function errorDetail(res) {
    try {
        const text = await res.text();
        const parsed = JSON.parse(text);
        return typeof parsed.message === 'string' ? `: ${(0,jwt/* redactJwtLike */.kK)(parsed.message).slice(0, 300)}` : '';
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
    if (typeof token !== 'string' || !(0,jwt/* looksLikeJwt */.bt)(token)) {
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
            if (!(0,jwt/* looksLikeJwt */.bt)(trimmed)) {
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
            if (!(0,jwt/* looksLikeJwt */.bt)(token)) {
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


/***/ }),

/***/ 2728:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  EJ: () => (/* binding */ audiences),
  bt: () => (/* binding */ looksLikeJwt),
  kK: () => (/* binding */ redactJwtLike),
  FG: () => (/* binding */ tryDecodeClaims)
});

// UNUSED EXPORTS: summarizeClaims

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


/***/ })

};
