#!/usr/bin/env bash
# Builds the image sets that model selection uses (model/MODEL_CARD.md, model/weights/training-log.txt)
# under one directory, so a new machine can repeat any run of the training log:
#   val15/           15 training slices used for validation ("ls data/train/*.mha | awk 'NR%76==11'")
#   calib-train/     the other training slices (calibration data for medcrypt calibrate)
#   phantoms/        the three evaluation phantoms (seeds 11-13)
#   phantoms-train/  96 training phantoms (seeds 101-196), never the evaluation seeds
#   mosaics-train/   240 Siemens-style mosaics of training volumes (scripts/training_mosaics.py, seeds 1-240)
#   mosaics-val/     8 more for screening (seeds 1001-1008; the same volumes, so a screen, not a test)
# Usage: scripts/model-selection-sets.sh OUT_DIR  (after scripts/fetch-data.sh and a build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: $0 OUT_DIR}"
medcrypt="${MEDCRYPT:-$root/build/converter/medcrypt}"
train="$root/data/train"
[[ -x "$medcrypt" ]] || { echo "error: $medcrypt is not built; run scripts/build.sh first" >&2; exit 1; }
compgen -G "$train/*.mha" > /dev/null || { echo "error: no slices in $train; run scripts/fetch-data.sh first" >&2; exit 1; }

mkdir -p "$out/val15" "$out/calib-train" "$out/phantoms" "$out/phantoms-train"
/usr/bin/python3 "$root/scripts/training_mosaics.py" "$train" "$out/mosaics-train" 240 1
/usr/bin/python3 "$root/scripts/training_mosaics.py" "$train" "$out/mosaics-val" 8 1001
ls "$train"/*.mha | awk -v val="$out/val15" -v cal="$out/calib-train" \
  '{ n = split($0, part, "/"); system("ln -sf \"" $0 "\" \"" (NR % 76 == 11 ? val : cal) "/" part[n] "\"") }'

"$medcrypt" phantom --out "$out/phantoms/int16.mha" --type int16 --seed 11
"$medcrypt" phantom --out "$out/phantoms/uint8.mha" --type uint8 --seed 12
"$medcrypt" phantom --out "$out/phantoms/uint16.mha" --type uint16 --size 300 --seed 13

types=(int16 uint8 uint16) sizes=(128 192 256 320 384 512) noises=(4 8 16 24)
for i in $(seq 0 95); do
  "$medcrypt" phantom --out "$out/phantoms-train/t$((101 + i)).mha" --type "${types[i % 3]}" \
    --size "${sizes[i % 6]}" --noise "${noises[i % 4]}" --seed $((101 + i))
done
echo "val15 $(ls "$out/val15" | wc -l), calib-train $(ls "$out/calib-train" | wc -l)," \
  "phantoms $(ls "$out/phantoms" | wc -l), phantoms-train $(ls "$out/phantoms-train" | wc -l)," \
  "mosaics-train $(ls "$out/mosaics-train" | wc -l), mosaics-val $(ls "$out/mosaics-val" | wc -l) in $out"
