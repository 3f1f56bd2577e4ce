#!/usr/bin/env bash
# Training throughput of PyTorch's example MNIST network: DigitDesk's training loop (C++,
# LibTorch) beside ../shared/peers/train_peer.py (Python, PyTorch) on the same 10,000 digits,
# batch size and threads, one after the other in this script; then DigitDesk's own network.
#
#   train_bench.sh BUILD_DIR DATA_DIR [THREADS]
set -euo pipefail
build=$1
data=$2
threads=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
peers="$here/../../../shared/peers"

echo "== PyTorch's example network, 1 epoch, batch 64, $threads threads"
for round in 1 2; do
  peer=$(/usr/bin/python3 "$peers/train_peer.py" "$data/mnist-10k-images-idx3-ubyte" \
           "$data/mnist-10k-labels-idx1-ubyte" --epochs 1 --batch 64 --threads "$threads" \
         | awk '/images_per_second/ {print $2}')
  ours=$("$build/tests/bench/train_bench" "$data" --example-only --threads "$threads" \
         | awk '/images_per_second/ {print $NF}')
  ratio=$(awk -v a="$ours" -v b="$peer" 'BEGIN {printf "%.2f", a / b}')
  echo "round $round: python peer $peer images/s, digitdesk $ours images/s, ratio $ratio"
done
echo
echo "== DigitDesk's own network as \`digitdesk train\` trains it"
"$build/tests/bench/train_bench" "$data" --own-only --threads "$threads"
