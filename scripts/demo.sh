#!/usr/bin/env bash
# The main job on self-generated sample data: build, make a key and a CT-like phantom, derive the
# phantom's feature keys (paper Eq. 2) and print the paper's metrics for it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" > /dev/null
medcrypt="${MEDCRYPT_BUILD_DIR:-$root/build}/converter/medcrypt"
work="${1:-$(mktemp -d /tmp/medcrypt-demo-XXXXXX)}"
mkdir -p "$work"
echo "== working in $work"

[ -f "$work/user.key" ] || "$medcrypt" keygen --out "$work/user.key"
"$medcrypt" phantom --out "$work/phantom.mha" --size 256 --type int16
"$medcrypt" phantom --out "$work/phantom-seed2.mha" --size 256 --type int16 --seed 2

echo "== feature keys of the phantom (hardened schedule)"
"$medcrypt" keys --key "$work/user.key" "$work/phantom.mha"

echo "== metrics of the phantom and of a second noise realisation"
"$medcrypt" metrics "$work/phantom.mha" "$work/phantom-seed2.mha"
