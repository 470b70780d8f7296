export const id = 498;
export const ids = [498];
export const modules = {

/***/ 1498:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   exchangeForAccessToken: () => (/* binding */ exchangeForAccessToken)
/* harmony export */ });
/* harmony import */ var _identity_ci_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5949);
/* harmony import */ var _identity_entra_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6884);


/**
 * The credential plugin's refresh path, loaded with one dynamic import so the bundle keeps it (and, lazily inside,
 * @azure/identity) in one chunk that the cached path never reads.
 */
function exchangeForAccessToken(identity) {
    return (0,_identity_entra_js__WEBPACK_IMPORTED_MODULE_1__/* .createEntraTokenProvider */ .vR)(identity, (0,_identity_ci_index_js__WEBPACK_IMPORTED_MODULE_0__/* .createCiTokenSource */ .H)(identity.ciSource)).getToken();
}


/***/ })

};
