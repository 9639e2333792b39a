#!/usr/bin/env bash
# The main job on self-generated sample data with the shipped default model: build, make a key and a
# synthetic CT series (DICOM), encrypt the series, decrypt it, check that the restored files are
# byte-identical, print the metrics of one slice; then the same cipher on a single image, restored
# bit-exactly through the exact envelope and approximately through the network alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" > /dev/null
medcrypt="${MEDCRYPT_BUILD_DIR:-$root/build}/converter/medcrypt"
work="${1:-$(mktemp -d /tmp/medcrypt-demo-XXXXXX)}"
mkdir -p "$work"
rm -rf "$work/dicom" "$work/encrypted" "$work/restored"
echo "== working in $work"

[ -f "$work/user.key" ] || "$medcrypt" keygen --out "$work/user.key"

echo "== a sample DICOM series: synthetic head CT, 24 slices of 256 x 256, 16-bit signed"
"$medcrypt" phantom --dicom-series "$work/dicom" --slices 24 --size 256

echo "== encrypt the series (shipped default model), decrypting each output to verify it"
"$medcrypt" encrypt --key "$work/user.key" --verify --report "$work/encrypt-report.json" "$work/dicom" "$work/encrypted"
"$medcrypt" info "$work/encrypted/IM0012.dcm"

echo "== decrypt the series"
"$medcrypt" decrypt --key "$work/user.key" "$work/encrypted" "$work/restored"
if diff -r -q -x medcrypt-journal.jsonl "$work/dicom" "$work/restored"; then
  echo "restored series: every file byte-identical to the original"
else
  echo "restored series differs from the original" >&2
  exit 1
fi

echo "== metrics of slice 12: original, then its ciphertext (entropy on the 8-bit view)"
"$medcrypt" metrics "$work/dicom/IM0012.dcm"
"$medcrypt" metrics "$work/encrypted/IM0012.dcm"

echo "== one image: feature keys of a phantom (hardened schedule)"
"$medcrypt" phantom --out "$work/phantom.mha" --size 256 --type int16
"$medcrypt" keys --key "$work/user.key" --values 4 "$work/phantom.mha"

echo "== encrypt it and decrypt it, with the exact envelope and with the network alone"
"$medcrypt" encrypt --key "$work/user.key" "$work/phantom.mha" "$work/cipher.mha"
"$medcrypt" decrypt --key "$work/user.key" "$work/cipher.mha" "$work/restored.mha"
"$medcrypt" decrypt --key "$work/user.key" --neural-only "$work/cipher.mha" "$work/restored-network.mha"
echo "-- exact envelope: restored vs original"
"$medcrypt" metrics "$work/phantom.mha" "$work/restored.mha" | grep -E "PSNR|SSIM"
echo "-- network only: restored vs original (see model/MODEL_CARD.md for the model's quality)"
"$medcrypt" metrics "$work/phantom.mha" "$work/restored-network.mha" | grep -E "PSNR|SSIM"
