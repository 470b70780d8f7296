export const id = 332;
export const ids = [332];
export const modules = {

/***/ 332:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCredential: () => (/* binding */ runCredential)
});

;// CONCATENATED MODULE: ./src/cluster/exec-credential.ts
/**
 * The ExecCredential document kubectl (client-go) reads from a credential plugin's stdout. Import-free: it sits on
 * the plugin's cached path.
 */
const EXEC_CREDENTIAL_API_VERSION = 'client.authentication.k8s.io/v1';
/**
 * `expirationMs` is when client-go must call the plugin again. The plugin passes its refresh point (a few minutes
 * before the token's real expiry) so a long-running kubectl never sends a token that expires in flight.
 */
function formatExecCredential(token, expirationMs) {
    return JSON.stringify({
        apiVersion: EXEC_CREDENTIAL_API_VERSION,
        kind: 'ExecCredential',
        status: { token, expirationTimestamp: toRfc3339Seconds(expirationMs) },
    });
}
/** RFC 3339 in UTC, whole seconds (rounded down, so the instant is never later than asked). */
function toRfc3339Seconds(ms) {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/identity/token-cache.ts
var token_cache = __webpack_require__(4503);
// EXTERNAL MODULE: ./src/settings/credential.ts
var credential = __webpack_require__(2656);
;// CONCATENATED MODULE: ./src/run/credential.ts
/**
 * kubectl exec credential plugin (kubeconfig `users[].user.exec`). kubectl starts it on every command, so the
 * cached path imports only node builtins; the identity modules (and through them @azure/identity) are imported
 * only when the cache needs a refresh. stdout carries exactly one ExecCredential; errors are one line on stderr.
 */




async function runCredential(argv, env) {
    try {
        const settings = (0,credential/* parseCredentialArgs */.YF)([...argv]);
        const entry = await (0,token_cache/* getOrRefreshToken */.w)(settings.cachePath, async () => {
            const identity = (0,credential/* resolveCredentialIdentity */.ID)(settings, env);
            const { exchangeForAccessToken } = await __webpack_require__.e(/* import() */ 498).then(__webpack_require__.bind(__webpack_require__, 1498));
            return exchangeForAccessToken(identity);
        });
        process.stdout.write(`${formatExecCredential(entry.token, (0,token_cache/* refreshAtMs */.$p)(entry))}\n`);
        return 0;
    }
    catch (error) {
        const failure = (0,errors/* toArgoEntraError */.Rr)(error);
        const hint = failure.hint === undefined ? '' : ` Hint: ${failure.hint}`;
        // One line: AADSTS descriptions carry CR/LF, and kubectl shows stderr verbatim.
        process.stderr.write(`argo-entra credential: ${failure.code}: ${failure.message}${hint}`.replace(/\s+/g, ' ') + '\n');
        return failure.exitCode;
    }
}


/***/ })

};
