#!/usr/bin/env bash
# Installs the Debian 12 packages MedCrypt needs to build and test, when they are missing.
# Run as root (CI and fresh machines are root); prints what it installs.
set -euo pipefail

packages=(
  build-essential cmake git
  libinsighttoolkit5-dev libgdcm-tools   # ITK 5.2 (its GDCM targets want the gdcm tools present)
  libfftw3-dev                           # ITK 5.2 links its FFT libraries by name (only recommended by its -dev)
  libdcmtk-dev dcmtk                     # DICOM reading/writing and dcmdump/dcmconv for checks
  libtorch-dev                           # LibTorch 1.13 (CPU)
  libssl-dev                             # OpenSSL 3: SHA-256, HKDF, scrypt, AES-256-GCM, CMS
  libboost-program-options-dev libboost-dev  # command line; Boost.Math (normal quantiles)
  libgtest-dev                           # GoogleTest
  nlohmann-json3-dev                     # key files, reports, model config
  libzstd-dev libcharls-dev              # lossless compression of the exact envelope
  python3 python3-numpy python3-pydicom  # independent reference computations in tests
  python3-cryptography                   # AES-256-CTR for the reference of the ciphertext permutation
  pybind11-dev python3-dev               # the medcrypt Python module (wrapping/python)
  libexpat1-dev                          # XML of the Slicer CLI module descriptions
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
