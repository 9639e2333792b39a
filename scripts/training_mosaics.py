#!/usr/bin/python3
"""Siemens-style mosaics made from the training slices, for training and screening the cipher network.

A mosaic image (the form of most Siemens EPI, fMRI and diffusion series) packs the slices of a volume into
a grid of small tiles, so a 256 x 256 tile of it holds far more edges than a slice of one brain: the
training set's volumes are cut one slice per image, and the network had seen three mosaics among 1,149
slices. This script montages consecutive slices of one training volume (data/train, never the held-out
split) into a grid, each slice shrunk into a square tile with area-weighted linear interpolation, and
writes it as uint16 with Rician noise (the magnitude of complex Gaussian noise, as raw MR magnitude images
have) or as uint8 without noise.

Usage: training_mosaics.py TRAIN_DIR OUT_DIR COUNT FIRST_SEED
Each mosaic is a pure function of its seed and the training slices; reruns give the same files.
"""

import csv
import os
import sys

import numpy as np

# Which volumes may be cut into mosaics, and how often: raw EPI first, then the brain templates.
# (source file suffix, axis) -> relative weight
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

MET_TYPES = {"MET_UCHAR": "<u1", "MET_CHAR": "<i1", "MET_USHORT": "<u2", "MET_SHORT": "<i2",
             "MET_UINT": "<u4", "MET_INT": "<i4", "MET_FLOAT": "<f4", "MET_DOUBLE": "<f8"}


def read_mha(path):
    """A 2-D uncompressed MetaImage as a float64 array [height, width]."""
    data = open(path, "rb").read()
    marker = b"ElementDataFile = LOCAL\n"
    end = data.index(marker) + len(marker)
    header = dict(line.split(" = ", 1) for line in data[:end].decode().splitlines())
    if header.get("CompressedData", "False") != "False" or header["NDims"] != "2":
        raise ValueError(f"{path}: expected an uncompressed 2-D MetaImage")
    width, height = (int(v) for v in header["DimSize"].split())
    pixels = np.frombuffer(data[end:], dtype=MET_TYPES[header["ElementType"]], count=width * height)
    return pixels.reshape(height, width).astype(np.float64)


def write_mha(path, image):
    """Writes a uint8 or uint16 array as an uncompressed 2-D MetaImage, through a temporary file."""
    element = {np.dtype("uint8"): "MET_UCHAR", np.dtype("uint16"): "MET_USHORT"}[image.dtype]
    header = ("ObjectType = Image\nNDims = 2\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
              "CompressedData = False\nElementSpacing = 1 1\n"
              f"DimSize = {image.shape[1]} {image.shape[0]}\nElementType = {element}\n"
              "ElementDataFile = LOCAL\n")
    temporary = path + ".partial"
    with open(temporary, "wb") as out:
        out.write(header.encode())
        out.write(image.astype(image.dtype.newbyteorder("<")).tobytes())
    os.replace(temporary, path)


def resampling_matrix(source, target):
    """[target, source] weights of linear interpolation, widened by the shrink factor (area-weighted)."""
    scale = source / target
    width = max(1.0, scale)
    centres = (np.arange(target) + 0.5) * scale - 0.5
    positions = np.arange(source)
    weights = np.clip(1.0 - np.abs(positions[None, :] - centres[:, None]) / width, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def fit_into_tile(image, tile):
    """The image shrunk (aspect kept) into a tile x tile square, centred on zeros."""
    height, width = image.shape
    scale = tile / max(height, width)
    new_height, new_width = max(1, round(height * scale)), max(1, round(width * scale))
    shrunk = resampling_matrix(height, new_height) @ image @ resampling_matrix(width, new_width).T
    out = np.zeros((tile, tile))
    top, left = (tile - new_height) // 2, (tile - new_width) // 2
    out[top:top + new_height, left:left + new_width] = shrunk
    return out


def volume_groups(train_dir):
    """(weight, [slice paths in order]) for every volume and axis that SOURCE_WEIGHTS names."""
    groups = {}
    with open(os.path.join(train_dir, "MANIFEST.tsv"), newline="") as manifest:
        for row in csv.DictReader(manifest, delimiter="\t"):
            for (suffix, axis), weight in SOURCE_WEIGHTS.items():
                if row["source_file"].endswith(suffix) and row["axis"] == axis:
                    groups.setdefault((suffix, axis, weight), []).append((int(row["index"]), row["file"]))
    return [(weight, [os.path.join(train_dir, name) for _, name in sorted(members)])
            for (_, _, weight), members in sorted(groups.items())]


def make_mosaic(groups, seed):
    random = np.random.default_rng(seed)
    weights = np.array([weight for weight, _ in groups])
    _, slices = groups[random.choice(len(groups), p=weights / weights.sum())]
    columns = int(random.integers(4, 8))
    rows = int(random.integers(max(3, columns - 2), columns + 1))
    tile = int(random.integers(40, 100))
    count = min(rows * columns, len(slices))
    stride = max(1, min(3, len(slices) // count))
    start = int(random.integers(0, len(slices) - (count - 1) * stride))
    volume = [read_mha(slices[start + k * stride]) for k in range(count)]
    peak = max(float(image.max()) for image in volume) or 1.0
    mosaic = np.zeros((rows * tile, columns * tile))
    for k, image in enumerate(volume):  # the grid's last tiles stay empty when the volume is short
        row, column = divmod(k, columns)
        mosaic[row * tile:(row + 1) * tile, column * tile:(column + 1) * tile] = fit_into_tile(image / peak, tile)
    if random.random() < 0.75:
        maximum = float(random.integers(800, 4096))
        sigma = maximum * random.uniform(0.004, 0.03)
        real = mosaic * maximum + random.normal(0.0, sigma, mosaic.shape)
        imaginary = random.normal(0.0, sigma, mosaic.shape)
        return np.clip(np.rint(np.hypot(real, imaginary)), 0, 65535).astype(np.uint16)
    return np.clip(np.rint(mosaic * 255.0), 0, 255).astype(np.uint8)


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__.strip().splitlines()[-2])
    train_dir, out_dir, count, first_seed = argv[1], argv[2], int(argv[3]), int(argv[4])
    groups = volume_groups(train_dir)
    if not groups:
        sys.exit(f"training_mosaics.py: no volume of SOURCE_WEIGHTS in {train_dir}/MANIFEST.tsv; "
                 "run scripts/fetch-data.sh first")
    os.makedirs(out_dir, exist_ok=True)
    for seed in range(first_seed, first_seed + count):
        write_mha(os.path.join(out_dir, f"mosaic{seed}.mha"), make_mosaic(groups, seed))


if __name__ == "__main__":
    main(sys.argv)
