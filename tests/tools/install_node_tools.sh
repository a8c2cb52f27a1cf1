#!/usr/bin/env bash
# Install the Node tools the tests run into the project-local folder .tools/node/, exactly as
# tests/tools/package-lock.json pins them (`npm ci`): a Node 22 binary (the npm package `node`,
# because aws-local-stepfunctions 3 needs Node >= 22 and the machine's Node may be older),
# aws-local-stepfunctions 3 (the Step Functions executor of tests/sfn/) and asl-validator 4.
#
# Idempotent: a stamp holds the hash of package.json + package-lock.json, so a second call with
# an unchanged lock file only compares two hashes. Needs `npm` on PATH (any Node >= 18).
# Tests find the tools through tests/sfn/tools.py; none of them touches the network.
set -euo pipefail
cd "$(dirname "$0")/../.."

SOURCE=tests/tools
TARGET=.tools/node
STAMP="$TARGET/.installed"

wanted="$(cat "$SOURCE/package.json" "$SOURCE/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] \
        && [ -x "$TARGET/node_modules/node/bin/node" ]; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "install_node_tools: npm is not on PATH (install Node.js >= 18 with npm)" >&2
    exit 1
fi

mkdir -p "$TARGET"
rm -f "$STAMP"
cp "$SOURCE/package.json" "$SOURCE/package-lock.json" "$TARGET/"
# --engine-strict=false: the packages declare node >= 22, which is what this installs; npm
# itself may run on an older Node.
(cd "$TARGET" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false >/dev/null)

node22="$TARGET/node_modules/node/bin/node"
version="$("$node22" --version)"
case "$version" in
    v22.*) ;;
    *) echo "install_node_tools: $node22 is $version, expected v22.x" >&2; exit 1 ;;
esac
echo "$wanted" > "$STAMP"
echo "install_node_tools: Node $version, aws-local-stepfunctions and asl-validator in $TARGET" >&2
