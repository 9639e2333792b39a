#!/usr/bin/env bash
# Fetch the Debian packages that ship MedCrypt's image data and prepare train/, heldout/ and dicom-tree/.
#
# Usage: scripts/fetch-data.sh [--force] [--cache DIR] [OUT]
#   OUT          where the prepared data goes (default: data/ at the repository root, which git ignores)
#   --cache DIR  where the .deb files and the files taken from them are kept (default: OUT/.cache)
#   --force      prepare train/, heldout/ and dicom-tree/ again even when they are already complete
#
# Nothing is installed: each package is fetched with `apt-get download` and only the files the data set
# needs are unpacked with dpkg-deb, so no dependency comes along (octave-dicom would pull in Octave).
# Run it again and it skips what is done: cached .deb files, unpacked packages, complete output directories.
# Needs apt-get and dpkg-deb, apt lists that know the packages (as root the script runs `apt-get update`
# once when they do not), and /usr/bin/python3 with python3-numpy; pydicom and nibabel are used from the
# system when installed, else from the downloaded python3-pydicom / python3-nibabel / python3-packaging.
#
# THE HELD-OUT SPLIT (never used for training; defined as HELDOUT in scripts/prepare_data.py, which checks
# at the end that no held-out file or slice reached train/):
#   python3-pydicom  usr/lib/python3/dist-packages/pydicom/data/test_files/  (every file)
#   dicom3tools      usr/share/doc/dicom3tools/examples/0051.dcm
#   dicomnifti       usr/share/doc/dicomnifti/examples/0001.dcm  (same MR series as 0051.dcm)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=/usr/bin/python3

MRICRON=./usr/share/mricron/templates
ITK_DATA=./usr/share/doc/insighttoolkit5-examples/examples/Data
DIST=./usr/lib/python3/dist-packages
# Package -> the archive members to unpack (tar wildcards). Every package's copyright file comes too.
PACKAGES=(mricron-data insighttoolkit5-examples python3-dipy heudiconv python3-nibabel octave-dicom
  python3-pydicom dicom3tools dicomnifti python3-packaging)
declare -A MEMBERS=(
  [mricron-data]="$MRICRON/ch2.nii.gz $MRICRON/ch2bet.nii.gz $MRICRON/ch2better.nii.gz $MRICRON/inia19-t1-brain.nii.gz"
  [insighttoolkit5-examples]="$ITK_DATA/*.png $ITK_DATA/*.mha $ITK_DATA/*.raw $ITK_DATA/*.nii.gz"
  [python3-dipy]="$DIST/dipy/data/files/S0_10slices.nii.gz"
  [heudiconv]="$DIST/heudiconv/tests/data"
  [python3-nibabel]="$DIST/nibabel"
  [octave-dicom]="./usr/share/octave/packages/dicom-*/imdata"
  [python3-pydicom]="$DIST/pydicom"
  [dicom3tools]="./usr/share/doc/dicom3tools/examples"
  [dicomnifti]="./usr/share/doc/dicomnifti/examples"
  [python3-packaging]="$DIST/packaging"
)

die() {
  echo "fetch-data.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# Print the cached .deb of a package (the newest if several), or nothing.
cached_deb() {
  local debs=("$CACHE/debs/$1_"*.deb)
  [[ -f ${debs[0]} ]] && printf '%s\n' "${debs[@]}" | sort -V | tail -n 1
  return 0
}

# True when the apt lists offer a downloadable version (a Filename: field) of every package named.
apt_can_download() {
  local package
  for package in "$@"; do
    apt-cache show --no-all-versions "$package" 2>/dev/null | grep -q '^Filename:' || return 1
  done
}

# Download the packages that have no .deb in the cache yet, refreshing the apt lists once if they lack one.
download_missing() {
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    [[ -n $(cached_deb "$package") ]] || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  if ! apt_can_download "${missing[@]}"; then
    ((EUID == 0)) || die "apt cannot download ${missing[*]}; run 'apt-get update' as root, then run this again"
    echo "Refreshing the apt lists (apt-get update)"
    apt-get update -qq
  fi
  local options=(-q)
  # As root, apt drops to the _apt user, who cannot write into a root-owned cache: download as root instead.
  ((EUID == 0)) && options+=(-o APT::Sandbox::User=root)
  echo "Downloading ${missing[*]}"
  (cd "$CACHE/debs" && apt-get download "${options[@]}" "${missing[@]}")
}

# Unpack a package's members into CACHE/pkgs/PACKAGE unless that was done from the same .deb already.
unpack() {
  local package=$1 deb=$2
  local directory="$CACHE/pkgs/$package"
  local stamp="$directory/.unpacked-from"
  [[ -f $stamp && $(<"$stamp") == "$(basename "$deb")" ]] && return 0
  local members
  read -r -a members <<<"${MEMBERS[$package]}"
  rm -rf "$directory"
  mkdir -p "$directory"
  dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$directory" --wildcards "${members[@]}" "./usr/share/doc/$package/copyright" ||
    die "unpacking $deb failed (did the package's layout change?)"
  basename "$deb" >"$stamp"
}

FORCE=()
OUT=
CACHE=
while (($#)); do
  case $1 in
  -h | --help) usage && exit 0 ;;
  --force) FORCE=(--force) ;;
  --cache)
    (($# > 1)) || die "--cache needs a directory"
    CACHE=$2
    shift
    ;;
  -*) die "unknown option $1 (see --help)" ;;
  *)
    [[ -z $OUT ]] || die "only one output directory, got $OUT and $1"
    OUT=$1
    ;;
  esac
  shift
done
OUT=${OUT:-$SCRIPT_DIR/../data}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CACHE=${CACHE:-$OUT/.cache}
mkdir -p "$CACHE/debs" "$CACHE/pkgs"
CACHE=$(cd "$CACHE" && pwd)

if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  die "needs apt-get and dpkg-deb (Debian)"
fi
if ! "$PYTHON" -c 'import numpy' 2>/dev/null; then
  die "needs $PYTHON with numpy (apt-get install python3-numpy)"
fi

download_missing
for package in "${PACKAGES[@]}"; do
  deb=$(cached_deb "$package")
  [[ -n $deb ]] || die "no .deb for $package in $CACHE/debs after downloading"
  unpack "$package" "$deb"
done
echo "Packages ready in $CACHE ($(du -sh "$CACHE/debs" | cut -f1) of .deb files)"

"$PYTHON" "$SCRIPT_DIR/prepare_data.py" --packages "$CACHE/pkgs" "${FORCE[@]}" "$OUT"
echo "Done in ${SECONDS} s"
