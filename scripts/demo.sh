#!/usr/bin/env bash
# The main job on self-generated sample data with the shipped default model: build, make a key and a
# CT-like phantom, show its feature keys (paper Eq. 2), encrypt it, decrypt it bit-exactly through the
# exact envelope and approximately through the network alone, and print the paper's metrics.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" > /dev/null
medcrypt="${MEDCRYPT_BUILD_DIR:-$root/build}/converter/medcrypt"
work="${1:-$(mktemp -d /tmp/medcrypt-demo-XXXXXX)}"
mkdir -p "$work"
echo "== working in $work"

[ -f "$work/user.key" ] || "$medcrypt" keygen --out "$work/user.key"
"$medcrypt" phantom --out "$work/phantom.mha" --size 256 --type int16

echo "== feature keys of the phantom (hardened schedule)"
"$medcrypt" keys --key "$work/user.key" --values 4 "$work/phantom.mha"

echo "== encrypt (shipped default model) and decrypt"
"$medcrypt" encrypt --key "$work/user.key" "$work/phantom.mha" "$work/cipher.mha"
"$medcrypt" decrypt --key "$work/user.key" "$work/cipher.mha" "$work/restored.mha"
"$medcrypt" decrypt --key "$work/user.key" --neural-only "$work/cipher.mha" "$work/restored-network.mha"

echo "== exact envelope: restored vs original"
"$medcrypt" metrics "$work/phantom.mha" "$work/restored.mha" | grep -E "PSNR|SSIM"

echo "== network only: restored vs original"
"$medcrypt" metrics "$work/phantom.mha" "$work/restored-network.mha" | grep -E "PSNR|SSIM"

echo "== ciphertext (16-bit; entropy on its 8-bit view)"
"$medcrypt" metrics "$work/cipher.mha"
