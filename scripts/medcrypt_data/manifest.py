"""Tab-separated manifests for the prepared data, and the file names slices get."""

import csv
import hashlib
import re

import numpy as np

SLICE_COLUMNS = (
    "file",
    "package",
    "source_file",
    "axis",
    "index",
    "type",
    "min",
    "max",
    "width",
    "height",
    "spacing",
    "pixel_sha256",
    "note",
)


def pixel_sha256(image):
    """SHA-256 of a 2-D array's shape, type and little-endian pixel bytes: equal images, equal digests."""
    image = np.ascontiguousarray(image, dtype=np.asarray(image).dtype.newbyteorder("<"))
    digest = hashlib.sha256(f"{image.shape}{image.dtype.name}".encode("ascii"))
    digest.update(image.tobytes())
    return digest.hexdigest()


def slice_row(file, package, source_file, axis, index, image, spacing, note=""):
    """A manifest row (dict over SLICE_COLUMNS) describing one written slice."""
    image = np.asarray(image)
    return {
        "file": file,
        "package": package,
        "source_file": source_file,
        "axis": axis,
        "index": index,
        "type": image.dtype.newbyteorder("=").name,
        "min": _value(image.min()),
        "max": _value(image.max()),
        "width": image.shape[1],
        "height": image.shape[0],
        "spacing": f"{spacing[0]:.6g} {spacing[1]:.6g}",
        "pixel_sha256": pixel_sha256(image),
        "note": note,
    }


def _value(number):
    """Integers as integers, floats with enough digits to round-trip float32."""
    return int(number) if np.issubdtype(type(number), np.integer) else f"{float(number):.9g}"


def slice_name(package, source_file, axis, index):
    """File name for a slice: package, source file stem, axis and index, e.g. mricron-data_ch2_axial090.mha."""
    stem = source_file.rsplit("/", 1)[-1]
    for suffix in (".nii.gz", ".nii", ".dcm", ".png", ".mha"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem)
    return f"{package}_{stem}_{axis}{index:03d}.mha"


def write_tsv(path, columns, rows):
    """Write rows (dicts) as a tab-separated file with a header line."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_tsv(path):
    """Read a tab-separated file written by write_tsv as a list of dicts."""
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))
