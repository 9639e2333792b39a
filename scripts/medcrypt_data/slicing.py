"""Cutting volumes into 2-D slices, rejecting nearly empty slices and spotting near-duplicate images."""

import numpy as np

MIN_FOREGROUND_FRACTION = 0.05  # a slice needs at least 5% of its pixels above the background level
MIN_DISTINCT_VALUES = 16  # and at least 16 distinct grey levels
MIN_SIDE = 32  # slices thinner than this (e.g. side views of a 10-slice stack) are not taken
# ITU-R BT.601 luma weights: how colour (RGB PNGs, DICOM palette colour) is turned into grey.
LUMA = np.array([0.299, 0.587, 0.114])


def canonical_slices(volume, zooms, step, offset):
    """Yield (axis, index, slice, spacing) for a volume already in RAS+ voxel order (x, y, z).

    Every step-th slice from offset is taken along each of the three axes. Slices are oriented for viewing:
    axial slices have anterior at the top, coronal and sagittal slices have superior at the top. spacing is
    (column spacing, row spacing) in mm. Slices whose smaller side is under MIN_SIDE are left out.
    """
    zx, zy, zz = (float(z) for z in zooms[:3])
    cuts = (
        ("axial", 2, lambda k: volume[:, :, k].T[::-1, :], (zx, zy)),
        ("coronal", 1, lambda k: volume[:, k, :].T[::-1, :], (zx, zz)),
        ("sagittal", 0, lambda k: volume[k, :, :].T[::-1, :], (zy, zz)),
    )
    for axis, dim, cut, spacing in cuts:
        for index in range(offset, volume.shape[dim], step):
            image = cut(index)
            if min(image.shape) >= MIN_SIDE:
                yield axis, index, np.ascontiguousarray(image), spacing


def intensity_window(values):
    """Return the (low, high) level pair used to tell foreground from background: the 0.5th and 99.5th
    percentiles, so that a few hot voxels do not decide what counts as background."""
    low, high = np.percentile(np.asarray(values, dtype=np.float64), [0.5, 99.5])
    return float(low), float(high)


def emptiness_reason(image, window=None):
    """Return why a slice is too empty to train on, or None if it is informative.

    window is (low, high) from intensity_window over the whole source (a volume's slices are judged
    against the volume's levels); by default the image's own levels are used.
    """
    image = np.asarray(image)
    if min(image.shape) < MIN_SIDE:
        return f"smaller than {MIN_SIDE} pixels"
    distinct = np.unique(image).size
    if distinct < MIN_DISTINCT_VALUES:
        return f"only {distinct} distinct values"
    low, high = window if window is not None else intensity_window(image)
    if high <= low:
        return "flat intensity"
    foreground = np.mean(image.astype(np.float64) > low + MIN_FOREGROUND_FRACTION * (high - low))
    if foreground < MIN_FOREGROUND_FRACTION:
        return f"only {foreground:.1%} foreground"
    return None


class NearDuplicateFilter:
    """Greedy near-duplicate removal for a handful of 2-D images (ITK's example slices come as shifted,
    rotated, padded, resized and re-quantised copies of the same few slices).

    Two images count as near-duplicates when the 32 x 32 thumbnails of their foreground bounding boxes
    correlate at CORRELATION or above (shifts, padding, resizing, re-quantisation), or when the grey-level
    histograms of their foregrounds overlap by HISTOGRAM_OVERLAP or more (rotations, deformations, which
    move pixels but keep the same tissue levels). The first image of a group is kept.
    """

    CORRELATION = 0.9
    HISTOGRAM_OVERLAP = 0.8

    def __init__(self):
        self._kept = []  # (name, thumbnail, histogram)

    def check(self, name, image):
        """Return the name of the kept image that `image` duplicates, or None (and keep it)."""
        thumbnail, histogram = _signature(image)
        for kept_name, kept_thumbnail, kept_histogram in self._kept:
            correlation = float(thumbnail @ kept_thumbnail)
            overlap = float(np.minimum(histogram, kept_histogram).sum())
            if correlation >= self.CORRELATION or overlap >= self.HISTOGRAM_OVERLAP:
                return kept_name
        self._kept.append((name, thumbnail, histogram))
        return None


def _signature(image):
    """Unit-norm zero-mean 32 x 32 thumbnail of the foreground box, and the foreground's 32-bin histogram."""
    image = np.asarray(image, dtype=np.float64)
    low, high = float(image.min()), float(image.max())
    scaled = (image - low) / (high - low) if high > low else np.zeros_like(image)
    foreground = scaled > 0.1
    if not foreground.any():
        foreground = np.ones_like(foreground)
    histogram = np.histogram(scaled[foreground], bins=32, range=(0.0, 1.0))[0].astype(np.float64)
    histogram /= histogram.sum()
    rows = np.flatnonzero(foreground.any(axis=1))
    columns = np.flatnonzero(foreground.any(axis=0))
    box = scaled[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    row_index = ((np.arange(32) + 0.5) * box.shape[0] / 32).astype(int)
    column_index = ((np.arange(32) + 0.5) * box.shape[1] / 32).astype(int)
    thumbnail = box[row_index][:, column_index].ravel()
    thumbnail = thumbnail - thumbnail.mean()
    norm = np.linalg.norm(thumbnail)
    return (thumbnail / norm if norm > 0 else thumbnail), histogram
