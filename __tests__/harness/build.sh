#!/usr/bin/env bash
# Builds the real control plane used by tier-3 tests (etcd, kube-apiserver, kubectl, Argo workflow-controller)
# from the pinned wrapper Go modules under __tests__/harness/go/<tool>/, and installs the binaries in a cache:
#
#   ${ARGO_ENTRA_HARNESS_CACHE:-$HOME/.cache/argo-entra-harness}/<tool>-<sha256(go.sum)[0:16]>/
#
# A tool whose cache folder already exists is not rebuilt. The script ends by writing <cache root>/current.json,
# which __tests__/harness/cluster/binaries.ts reads.
#
# Usage: npm run harness:build      (or: bash __tests__/harness/build.sh)
# Env:   ARGO_ENTRA_HARNESS_CACHE   cache root (default ~/.cache/argo-entra-harness)
#        GOMODCACHE, GOCACHE, GOPROXY are honoured as usual.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GO_DIR="$HERE/go"
CACHE_ROOT="${ARGO_ENTRA_HARNESS_CACHE:-${HOME:-/root}/.cache/argo-entra-harness}"

die() { echo "harness:build: error: $*" >&2; exit 1; }
log() { echo "harness:build: $*" >&2; }

# --- Go toolchain -------------------------------------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    die "the 'go' command was not found on PATH. Install Go >= 1.24 (https://go.dev/dl/; in GitHub Actions: actions/setup-go)
and re-run: npm run harness:build. The wrapper modules need go 1.26; an older Go >= 1.24 fetches that toolchain itself
through the Go module proxy (GOTOOLCHAIN=auto)."
  fi
fi
GO_VERSION="$(go env GOVERSION 2>/dev/null || true)"        # e.g. go1.26.8
gv="${GO_VERSION#go}"; gv_major="${gv%%.*}"; gv_rest="${gv#*.}"; gv_minor="${gv_rest%%[!0-9]*}"
if [ -z "$GO_VERSION" ] || [ "${gv_major:-0}" -lt 1 ] || { [ "$gv_major" -eq 1 ] && [ "${gv_minor:-0}" -lt 24 ]; }; then
  die "found Go '${GO_VERSION:-unknown}' at $(command -v go); need Go >= 1.24 (go.mod 'tool' directives). Install a newer Go and re-run: npm run harness:build"
fi

for c in sha256sum mktemp; do command -v "$c" >/dev/null 2>&1 || die "'$c' is required"; done

# Reproducible, static, small: never edit go.mod/go.sum while building (-mod=readonly), no VCS stamping.
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"
export GOWORK=off
BUILD_FLAGS=(-trimpath)

mkdir -p "$CACHE_ROOT"
CACHE_ROOT="$(cd "$CACHE_ROOT" && pwd)"

key_of() { sha256sum "$GO_DIR/$1/go.sum" | cut -c1-16; }
# Version of a required module, read from go.mod (no module graph, no network: works on a cache hit).
mod_version() {
  local v
  v="$(awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$GO_DIR/$1/go.mod")"
  [ -n "$v" ] || die "$1: $2 is not required in $GO_DIR/$1/go.mod"
  echo "$v"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# build_tool <tool> <binaries...>; the body lives in build_<tool> <outdir>.
build_tool() {
  local tool="$1"; shift
  local key dest tmp t0 b ok=1
  key="$(key_of "$tool")"
  dest="$CACHE_ROOT/$tool-$key"
  for b in "$@"; do [ -x "$dest/$b" ] || ok=0; done
  if [ "$ok" = 1 ]; then
    log "$tool: cached at $dest"
    return 0
  fi
  log "$tool: building into $dest ..."
  t0="$(now)"
  tmp="$(mktemp -d "$CACHE_ROOT/.tmp-$tool-XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  # go build downloads only the modules these packages need (less than `go mod download` would fetch).
  (cd "$GO_DIR/$tool" && "build_$tool" "$tmp") ||
    die "$tool: build failed (see the go output above; is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  for b in "$@"; do [ -x "$tmp/$b" ] || die "$tool: build produced no '$b'"; done
  rm -rf "$dest"
  mv "$tmp" "$dest"   # same file system: atomic
  trap - EXIT
  log "$tool: built in $(elapsed "$t0") s: $(cd "$dest" && du -sh -- "$@" | awk '{printf "%s=%s ", $2, $1}')"
}

build_etcd() {
  # The etcd server's main package is the root of go.etcd.io/etcd/server/v3; its version is a compiled-in constant.
  go build "${BUILD_FLAGS[@]}" -ldflags "-s -w" -o "$1/etcd" go.etcd.io/etcd/server/v3
}

build_kube() {
  local v major minor date ld p
  v="$(mod_version kube k8s.io/kubernetes)"              # v1.35.4
  major="${v#v}"; major="${major%%.*}"
  minor="${v#v*.}"; minor="${minor%%.*}"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  ld="-s -w"
  # kube-apiserver reports component-base's version; kubectl's client side reads client-go's.
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  go build "${BUILD_FLAGS[@]}" -ldflags "$ld" -o "$1/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
}

build_argo() {
  local v dir ld f n=0
  v="$(mod_version argo github.com/argoproj/argo-workflows/v3)"
  ld="-s -w -X github.com/argoproj/argo-workflows/v3.version=$v -X github.com/argoproj/argo-workflows/v3.gitTag=$v"
  ld+=" -X github.com/argoproj/argo-workflows/v3.gitTreeState=clean -X github.com/argoproj/argo-workflows/v3.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  go build "${BUILD_FLAGS[@]}" -ldflags "$ld" -o "$1/workflow-controller" github.com/argoproj/argo-workflows/v3/cmd/workflow-controller
  # CRDs from the same module version: full ones (what a real install applies) and minimal ones if present.
  dir="$(go list -m -f '{{.Dir}}' github.com/argoproj/argo-workflows/v3)"
  [ -d "$dir/manifests/base/crds/full" ] || die "argo: no manifests/base/crds/full in $dir"
  mkdir -p "$1/crds"
  for f in "$dir"/manifests/base/crds/full/argoproj.io_*.yaml; do cp "$f" "$1/crds/"; n=$((n + 1)); done
  [ "$n" -gt 0 ] || die "argo: no CRD manifests found in $dir/manifests/base/crds/full"
  if [ -d "$dir/manifests/base/crds/minimal" ]; then
    mkdir -p "$1/crds-minimal"
    cp "$dir"/manifests/base/crds/minimal/argoproj.io_*.yaml "$1/crds-minimal/"
  fi
  chmod -R u+w "$1/crds" "$1/crds-minimal" 2>/dev/null || true   # module cache files are read-only
}

T0="$(now)"
build_tool etcd etcd
build_tool kube kube-apiserver kubectl
build_tool argo workflow-controller

ETCD_DIR="$CACHE_ROOT/etcd-$(key_of etcd)"
KUBE_DIR="$CACHE_ROOT/kube-$(key_of kube)"
ARGO_DIR="$CACHE_ROOT/argo-$(key_of argo)"
V_ETCD="$(mod_version etcd go.etcd.io/etcd/server/v3)"
V_KUBE="$(mod_version kube k8s.io/kubernetes)"
V_ARGO="$(mod_version argo github.com/argoproj/argo-workflows/v3)"
MINIMAL_JSON=""
[ -d "$ARGO_DIR/crds-minimal" ] && MINIMAL_JSON="  \"argoCrdsMinimalDir\": \"$ARGO_DIR/crds-minimal\","

tmp_json="$(mktemp "$CACHE_ROOT/.current.json.XXXXXX")"
cat >"$tmp_json" <<EOF
{
  "etcd": "$ETCD_DIR/etcd",
  "kubeApiserver": "$KUBE_DIR/kube-apiserver",
  "kubectl": "$KUBE_DIR/kubectl",
  "workflowController": "$ARGO_DIR/workflow-controller",
  "argoCrdsDir": "$ARGO_DIR/crds",
$MINIMAL_JSON
  "versions": {
    "etcd": "$V_ETCD",
    "kubernetes": "$V_KUBE",
    "argoWorkflows": "$V_ARGO",
    "go": "$GO_VERSION"
  }
}
EOF
# drop the blank line left when there are no minimal CRDs
sed -i '/^$/d' "$tmp_json"
mv "$tmp_json" "$CACHE_ROOT/current.json"
log "done in $(elapsed "$T0") s; wrote $CACHE_ROOT/current.json"

# ==== act (nektos/act, for __tests__/act and local runs of the action) =========================================
# Owned by the act/sandbox work; kept apart from the control-plane build above. Measured cold (empty module and
# build caches, 2 cores): ~135 s, 21 MB binary; so it is built by default. ARGO_ENTRA_BUILD_ACT=0 skips it.
# Writes <cache root>/act.json ({"act": path, "version": v}), which __tests__/harness/sandbox/act.ts reads.
build_act() {
  local v
  v="$(mod_version act github.com/nektos/act)"
  go build "${BUILD_FLAGS[@]}" -ldflags "-s -w -X main.version=$v" -o "$1/act" github.com/nektos/act
}
if [ "${ARGO_ENTRA_BUILD_ACT:-1}" != "0" ]; then
  build_tool act act
  ACT_DIR="$CACHE_ROOT/act-$(key_of act)"
  tmp_json="$(mktemp "$CACHE_ROOT/.act.json.XXXXXX")"
  printf '{\n  "act": "%s",\n  "version": "%s"\n}\n' "$ACT_DIR/act" "$(mod_version act github.com/nektos/act)" >"$tmp_json"
  mv "$tmp_json" "$CACHE_ROOT/act.json"
  log "act: wrote $CACHE_ROOT/act.json"
else
  log "act: skipped (ARGO_ENTRA_BUILD_ACT=0)"
fi
