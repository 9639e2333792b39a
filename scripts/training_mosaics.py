#!/usr/bin/python3
"""Siemens-style mosaics made from the training slices, for training and screening the cipher network.

The training set cuts its volumes one slice per image, and had three mosaics among 1,149 slices. This
script montages consecutive slices of one training volume (data/train, never the held-out split) into a
grid of 4-7 columns, each slice shrunk into a square tile of 40-99 pixels (medcrypt_data/mosaic.py), and
writes it as uint16 with Rician noise (3 in 4, as raw MR magnitude images have) or as uint8 without noise.

Usage: training_mosaics.py TRAIN_DIR OUT_DIR COUNT FIRST_SEED
Each mosaic (OUT_DIR/mosaicSEED.mha) is a pure function of its seed and the training slices.
"""

import os
import sys

import numpy as np

from medcrypt_data import manifest, metaimage, mosaic

# Which volumes of the training set are cut into mosaics, and how often: (end of the source file, axis)
# -> relative weight. Raw EPI (dipy's b0 volume) first, then the brain templates, mostly axial.
SOURCE_WEIGHTS = {
    ("dipy/data/files/S0_10slices.nii.gz", "axial"): 4.0,
    ("templates/ch2.nii.gz", "axial"): 2.0,
    ("templates/ch2bet.nii.gz", "axial"): 2.0,
    ("templates/ch2better.nii.gz", "axial"): 2.0,
    ("templates/inia19-t1-brain.nii.gz", "axial"): 1.0,
    ("Data/KmeansTest_T1UCharRaw.nii.gz", "axial"): 2.0,
    ("templates/ch2.nii.gz", "coronal"): 0.5,
    ("templates/ch2.nii.gz", "sagittal"): 0.5,
    ("Data/KmeansTest_T1UCharRaw.nii.gz", "coronal"): 0.5,
}


def volume_groups(train_dir):
    """(weight, [slice paths in slice order]) for every volume and axis that SOURCE_WEIGHTS names."""
    groups = {}
    for row in manifest.read_tsv(os.path.join(train_dir, "MANIFEST.tsv")):
        for (suffix, axis), weight in SOURCE_WEIGHTS.items():
            if row["source_file"].endswith(suffix) and row["axis"] == axis:
                groups.setdefault((suffix, axis, weight), []).append((int(row["index"]), row["file"]))
    return [
        (weight, [os.path.join(train_dir, name) for _, name in sorted(members)])
        for (_, _, weight), members in sorted(groups.items())
    ]


def make_mosaic(groups, seed):
    """The mosaic of `seed`: a volume drawn by weight, a grid, a tile size, a run of its slices."""
    random = np.random.default_rng(seed)
    weights = np.array([weight for weight, _ in groups])
    _, paths = groups[random.choice(len(groups), p=weights / weights.sum())]
    columns = int(random.integers(4, 8))
    rows = int(random.integers(max(3, columns - 2), columns + 1))
    tile = int(random.integers(40, 100))
    count = min(rows * columns, len(paths))
    stride = max(1, min(3, len(paths) // count))
    start = int(random.integers(0, len(paths) - (count - 1) * stride))
    slices = [metaimage.read_mha(paths[start + k * stride])[0].astype(np.float64) for k in range(count)]
    peak = max(float(image.max()) for image in slices) or 1.0
    image = mosaic.montage([s / peak for s in slices], rows, columns, tile)
    if random.random() < 0.75:
        maximum = float(random.integers(800, 4096))
        noisy = mosaic.rician_magnitude(image * maximum, maximum * random.uniform(0.004, 0.03), random)
        return np.clip(np.rint(noisy), 0, 65535).astype(np.uint16)
    return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)


def main(argv):
    if len(argv) != 5:
        sys.exit("usage: training_mosaics.py TRAIN_DIR OUT_DIR COUNT FIRST_SEED")
    train_dir, out_dir, count, first_seed = argv[1], argv[2], int(argv[3]), int(argv[4])
    groups = volume_groups(train_dir)
    if not groups:
        sys.exit(f"training_mosaics.py: no volume named in SOURCE_WEIGHTS in {train_dir}/MANIFEST.tsv; "
                 "run scripts/fetch-data.sh first")
    os.makedirs(out_dir, exist_ok=True)
    for seed in range(first_seed, first_seed + count):
        metaimage.write_mha(os.path.join(out_dir, f"mosaic{seed}.mha"), make_mosaic(groups, seed))


if __name__ == "__main__":
    main(sys.argv)
