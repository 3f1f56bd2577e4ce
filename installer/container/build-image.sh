#!/usr/bin/env bash
# Builds the serving endpoint's container image, digitdesk-serve:VERSION, from Debian's packages
# and this build, with no base image from a registry:
#   1. the build is installed into a staging folder (bin/digitdesk, lib/digitdesk/ modules);
#   2. the Debian packages it needs are computed from its binaries (ldd -> dpkg -S), plus what
#      is dlopened (Qt's SQL drivers) and what the health check runs (curl);
#   3. mmdebstrap makes the root filesystem from those packages and the host's apt sources, with
#      the user digitdesk (10001); the tarball, and the .debs, are cached under a hash of
#      everything that shaped it;
#   4. buildah lays the root filesystem down as a layer (kept in the cache's own storage), adds
#      the build as a second one, sets the config (docker format: HEALTHCHECK exists only
#      there) and writes a docker archive, which `podman load` and `docker load` read.
# Usage: installer/container/build-image.sh BUILD_DIR [OUTPUT.tar]
# The default output is BUILD_DIR/image/digitdesk-serve-VERSION.tar. DIGITDESK_IMAGE_CACHE moves
# the cache (default ~/.cache/digitdesk/image); DIGITDESK_IMAGE_SOURCES names an apt sources file
# to use instead of the host's. Tested as root (mmdebstrap and buildah have rootless modes too).
set -euo pipefail

readonly name=digitdesk-serve
readonly uid=10001
readonly workspace=/var/lib/digitdesk/workspace
readonly port=8080

die() {
  echo "build-image: $*" >&2
  exit 1
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  die "usage: $0 BUILD_DIR [OUTPUT.tar]"
fi
build_dir=$(realpath "$1")
[ -x "$build_dir/app/digitdesk" ] || die "$build_dir/app/digitdesk does not exist: build first"
for tool in mmdebstrap buildah dpkg-query ldd cmake; do
  command -v "$tool" >/dev/null || die "$tool is missing: run installer/deps-debian.sh"
done
cache=${DIGITDESK_IMAGE_CACHE:-$HOME/.cache/digitdesk/image}
mkdir -p "$cache/debs"

work=$(mktemp -d "${TMPDIR:-/tmp}/digitdesk-image.XXXXXX")
container=
cleanup() {
  if [ -n "$container" ]; then
    buildah "${storage[@]}" rm "$container" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf 'build-image: %s (%ds)\n' "$*" "$SECONDS"; }

# 1. The build, installed as the package would install it: /usr/bin/digitdesk finds its
# modules in /usr/lib/digitdesk through its RUNPATH ($ORIGIN/../lib/digitdesk).
cmake --install "$build_dir" --prefix "$work/app/usr" >/dev/null
binary=$work/app/usr/bin/digitdesk
version=$("$binary" --version | sed -n '1s/^DigitDesk //p')
[ -n "$version" ] || die "$binary --version does not name a version"
output=$(realpath -m "${2:-$build_dir/image/$name-$version.tar}")
mkdir -p "$(dirname "$output")"

# 2. Every shared library the binaries load, named by its package. A library reached through
# /etc/alternatives (libblas.so.3: OpenBLAS's OpenMP build) gets the same choice in the image.
mapfile -t objects < <(find "$work/app" -type f \( -name digitdesk -o -name '*.so*' \))
ldd_out=$(ldd "${objects[@]}")
if grep -q 'not found' <<<"$ldd_out"; then
  die "libraries missing on this host: $(grep 'not found' <<<"$ldd_out" | sort -u | xargs)"
fi
mapfile -t libraries < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<<"$ldd_out" | sort -u)
owned=()
alternatives=()
for library in "${libraries[@]}"; do
  real=$(realpath "$library")
  owned+=("$real" "${real#/usr}" "$library")
  link=$library
  while [ -L "$link" ]; do
    target=$(readlink "$link")
    case $target in /*) ;; *) target=$(dirname "$link")/$target ;; esac
    if [[ $target == /etc/alternatives/* ]]; then
      alternatives+=("$(basename "$target") $(readlink "$target")")
    fi
    link=$target
  done
done
# dpkg -S names the owner of each path it knows and complains about the others (merged /usr:
# a library is known under /lib or /usr/lib, not both).
search=$(dpkg-query -S "${owned[@]}" 2>/dev/null | grep -v '^diversion by ' || true)
known=$(sed 's/^[^ ]*\(, [^ ]*\)*: //' <<<"$search")
for library in "${libraries[@]}"; do
  real=$(realpath "$library")
  grep -qxF -e "$real" -e "${real#/usr}" -e "$library" <<<"$known" ||
    die "no Debian package owns $library ($real): the image can only hold packaged libraries"
done
mapfile -t packages < <(
  {
    sed 's/: \/.*//; s/, /\n/g' <<<"$search" | sed 's/:[a-z0-9]*$//'
    # dlopened, so ldd cannot see them: Qt's SQL drivers (SQLite, PostgreSQL), TLS roots for
    # libpq's sslmode=verify-full, and the HTTP client of the health check
    printf '%s\n' libqt6sql6-sqlite libqt6sql6-psql ca-certificates curl
  } | sort -u
)
[ ${#alternatives[@]} -eq 0 ] || mapfile -t alternatives < <(printf '%s\n' "${alternatives[@]}" | sort -u)

# 3. The root filesystem, cached under a hash of what shapes it.
. /etc/os-release
suite=${VERSION_CODENAME:?/etc/os-release names no release}
if [ -n "${DIGITDESK_IMAGE_SOURCES:-}" ]; then
  sources=("$DIGITDESK_IMAGE_SOURCES")
else
  mapfile -t sources < <(ls /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
fi
[ ${#sources[@]} -gt 0 ] || die "no apt sources: set DIGITDESK_IMAGE_SOURCES to a sources file"
hooks=()
for alternative in "${alternatives[@]}"; do
  hooks+=(--customize-hook="chroot \"\$1\" update-alternatives --set $alternative")
done
# Documentation and translations stay out (copyright files stay in).
recipe=(--variant=minbase --include="$(IFS=,; echo "${packages[*]}")"
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  "${hooks[@]}"
  --customize-hook="chroot \"\$1\" groupadd --gid $uid digitdesk"
  --customize-hook="chroot \"\$1\" useradd --uid $uid --gid $uid --no-create-home \
--home-dir /var/lib/digitdesk --shell /usr/sbin/nologin digitdesk"
  --customize-hook="mkdir -p \"\$1$workspace\" && chown -R $uid:$uid \"\$1/var/lib/digitdesk\""
  --customize-hook="chmod 0750 \"\$1/var/lib/digitdesk\" \"\$1$workspace\"")
key=$({
  echo "$suite $(dpkg --print-architecture)"
  printf '%s\n' "${recipe[@]}"
  cat "${sources[@]}"
} | sha256sum | cut -c1-16)
rootfs=$cache/rootfs-$suite-$key.tar
if [ -s "$rootfs" ]; then
  step "root filesystem from the cache: $rootfs"
else
  step "making the root filesystem (${#packages[@]} packages): $rootfs"
  # The .debs stay in the cache, so a changed package list downloads only what is new.
  nice -n 10 mmdebstrap "${recipe[@]}" \
    --skip=essential/unlink --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
    --setup-hook="sync-in $cache/debs /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $cache/debs" \
    "$suite" "$work/rootfs.tar" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1 ||
    { tail -n 30 "$work/mmdebstrap.log" >&2; die "mmdebstrap failed (the log's end is above)"; }
  rm -rf "$cache"/debs/partial "$cache"/debs/lock
  find "$cache" -maxdepth 1 -name 'rootfs-*.tar' -delete
  mv "$work/rootfs.tar" "$rootfs.partial"
  mv "$rootfs.partial" "$rootfs"
fi

# 4. The image. The root filesystem's layer is kept as an image in a storage of the cache's own
# (laying down and committing a gigabyte takes most of a minute), so a rebuild adds the build.
base=localhost/digitdesk-debian-root:$key
storage=(--root "$cache/storage" --runroot "${XDG_RUNTIME_DIR:-/tmp}/digitdesk-image-$(id -u)"
  --storage-driver overlay)
if ! buildah "${storage[@]}" inspect --type image "$base" >/dev/null 2>&1; then
  step "laying the root filesystem down as a layer: $base"
  container=$(buildah "${storage[@]}" from --format docker scratch)
  buildah "${storage[@]}" add "$container" "$rootfs" / >/dev/null
  buildah "${storage[@]}" commit --quiet --format docker --rm "$container" "$base" >/dev/null
  container=
  # Layers of other package lists are of no more use.
  buildah "${storage[@]}" images --format '{{.Name}}:{{.Tag}}' |
    grep '/digitdesk-debian-root:' | grep -vxF "$base" |
    xargs -r buildah "${storage[@]}" rmi --force >/dev/null 2>&1 || true
fi
step "assembling $name:$version"
container=$(buildah "${storage[@]}" from --format docker --pull-never "$base")
buildah "${storage[@]}" copy --chown 0:0 "$container" "$work/app/usr" /usr >/dev/null
buildah "${storage[@]}" config \
  --user "$uid:$uid" --workingdir "$workspace" --volume "$workspace" \
  --env LANG=C.UTF-8 --env DIGITDESK_WORKSPACE="$workspace" \
  --entrypoint '["/usr/bin/digitdesk"]' --cmd "[\"serve\", \"--host\", \"0.0.0.0\", \"--port\", \"$port\"]" \
  --port "$port/tcp" \
  --healthcheck "CMD curl --fail --silent --show-error --max-time 2 --output /dev/null \
http://127.0.0.1:$port/v2/health/live" \
  --healthcheck-interval 10s --healthcheck-timeout 3s --healthcheck-start-period 30s \
  --healthcheck-retries 3 \
  --label org.opencontainers.image.title="$name" \
  --label org.opencontainers.image.description="DigitDesk's serving endpoint (KServe v2, /v1/predict, /metrics)" \
  --label org.opencontainers.image.version="$version" \
  "$container"
rm -f "$output.partial"
buildah "${storage[@]}" commit --quiet --format docker --rm "$container" \
  "docker-archive:$output.partial:$name:$version" >/dev/null
container=
mv "$output.partial" "$output"
step "wrote $output ($(du -m "$output" | cut -f1) MB)"
