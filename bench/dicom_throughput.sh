#!/usr/bin/env bash
# Throughput of `medcrypt encrypt|decrypt` on a DICOM tree, beside DCMTK's dcmconv copying the same tree
# in the same run (the baseline: read and rewrite every file, no cryptography, no network).
#
#   bench/dicom_throughput.sh [--medcrypt BIN] [--model FILE] [--slices N] [--size N] [--jobs N] [--tree DIR]
#
# Without --tree it generates a synthetic CT series (`medcrypt phantom --dicom-series`, default 200 slices
# of 512 x 512, 16-bit) in a temporary directory. It prints seconds, files/s and MB/s (input bytes) for
# each step and the time of each step relative to dcmconv, then checks that the decrypted tree is
# byte-identical to the input (exit status 1 otherwise).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
medcrypt="${MEDCRYPT_BUILD_DIR:-$root/build}/converter/medcrypt"
model=""
slices=200
size=512
jobs=1
tree=""
while [ $# -gt 0 ]; do
  case "$1" in
    --medcrypt) medcrypt="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --slices) slices="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --tree) tree="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "dicom_throughput.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for tool in "$medcrypt" dcmconv; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "dicom_throughput.sh: '$tool' not found: build the project (scripts/build.sh) and install dcmtk" >&2
    exit 2
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "$tree" ]; then
  tree="$work/input"
  "$medcrypt" phantom --dicom-series "$tree" --slices "$slices" --size "$size" >/dev/null
fi
"$medcrypt" keygen --out "$work/bench.key" >/dev/null
model_option=()
[ -n "$model" ] && model_option=(--model "$model")

files=$(find "$tree" -type f | wc -l)
bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
echo "tree: $tree, $files files, $((bytes / 1048576)) MiB; medcrypt --jobs $jobs; $(nproc) cores"

journal=medcrypt-journal.jsonl # ConversionJournal::JournalFileName
now() { date +%s.%N; }
declare -A seconds
measure() { # NAME COMMAND...
  local name="$1" start
  shift
  start=$(now)
  "$@"
  seconds[$name]=$(awk -v a="$start" -v b="$(now)" 'BEGIN {print b - a}')
}

copy_with_dcmconv() {
  (cd "$tree" && find . -type f -print0) | while IFS= read -r -d '' file; do
    mkdir -p "$work/dcmconv/$(dirname "$file")"
    dcmconv --quiet "$tree/$file" "$work/dcmconv/$file"
  done
}

measure dcmconv copy_with_dcmconv
# medcrypt's per-file lines go to a log; its one-line summary is printed.
run_quietly() { # LOG COMMAND...
  local log="$1"
  shift
  "$@" 2>"$log" || { cat "$log" >&2; exit 1; }
  grep -E "files in .*: " "$log" || true
}
measure encrypt run_quietly "$work/encrypt.log" \
  "$medcrypt" encrypt --key "$work/bench.key" "${model_option[@]}" --jobs "$jobs" "$tree" "$work/encrypted"
measure decrypt run_quietly "$work/decrypt.log" \
  "$medcrypt" decrypt --key "$work/bench.key" "${model_option[@]}" --jobs "$jobs" "$work/encrypted" "$work/decrypted"

printf '\n%-10s %10s %10s %10s %14s\n' step seconds files/s MB/s "time/dcmconv"
for step in dcmconv encrypt decrypt; do
  s=${seconds[$step]}
  awk -v step="$step" -v s="$s" -v files="$files" -v bytes="$bytes" -v base="${seconds[dcmconv]}" \
    'BEGIN {printf "%-10s %10.2f %10.1f %10.2f %14.1f\n", step, s, files / s, bytes / 1e6 / s, s / base}'
done

# The journal of each run lives in its output root; everything else must be the input's bytes.
if diff -r -q -x "$journal" "$tree" "$work/decrypted" >/dev/null; then
  echo "decrypted tree: byte-identical to the input"
else
  echo "decrypted tree: DIFFERS from the input" >&2
  diff -r -q -x "$journal" "$tree" "$work/decrypted" | head >&2
  exit 1
fi
