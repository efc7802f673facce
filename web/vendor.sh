#!/usr/bin/env bash
# Installs the pinned front-end libraries (package.json / package-lock.json, exact versions) and copies their
# distribution files with their licences into src/RevLoop.Server/wwwroot/lib. The copies are committed, so building
# RevLoop needs no network; run this only to upgrade a library (change the version in package.json first).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
lib=../src/RevLoop.Server/wwwroot/lib
rm -rf "$lib"
mkdir -p "$lib/htmx" "$lib/echarts"

htmx_version=$(node -p "require('./node_modules/htmx.org/package.json').version")
cp node_modules/htmx.org/dist/htmx.min.js "$lib/htmx/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$lib/htmx/LICENSE"
echo "htmx.org $htmx_version" > "$lib/htmx/VERSION"

echarts_version=$(node -p "require('./node_modules/echarts/package.json').version")
cp node_modules/echarts/dist/echarts.min.js "$lib/echarts/echarts.min.js"
cp node_modules/echarts/LICENSE "$lib/echarts/LICENSE"
cp node_modules/echarts/NOTICE "$lib/echarts/NOTICE"
# The echarts bundle includes zrender and tslib: their licences travel with it.
cp node_modules/zrender/LICENSE "$lib/echarts/LICENSE-zrender"
cp node_modules/tslib/LICENSE.txt "$lib/echarts/LICENSE-tslib"
cp node_modules/echarts/licenses/LICENSE-d3 "$lib/echarts/LICENSE-d3"
echo "echarts $echarts_version" > "$lib/echarts/VERSION"

echo "vendored htmx.org $htmx_version and echarts $echarts_version into $lib"
