"""Siemens-style mosaics: the slices of a volume packed into a grid of small square tiles in one image.

Most Siemens EPI, fMRI and diffusion series are stored this way, so a 256 x 256 tile of such an image holds
many small brains and far more edges than one slice of one brain. scripts/training_mosaics.py builds them
from the training slices for the cipher network's training and screening.
"""

import numpy as np


def resampling_matrix(source, target):
    """[target, source] weights that resample a line of `source` samples to `target` (pixel centres
    aligned): linear interpolation, its tent widened by the shrink factor when shrinking (area-weighted),
    each row normalised to sum 1."""
    scale = source / target
    width = max(1.0, scale)
    centres = (np.arange(target) + 0.5) * scale - 0.5
    positions = np.arange(source)
    weights = np.clip(1.0 - np.abs(positions[None, :] - centres[:, None]) / width, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def fit_into_tile(image, tile):
    """The 2-D image resampled, its aspect kept, so that its longer side is `tile`, centred in a
    tile x tile square of zeros."""
    height, width = image.shape
    scale = tile / max(height, width)
    new_height, new_width = max(1, round(height * scale)), max(1, round(width * scale))
    shrunk = resampling_matrix(height, new_height) @ image @ resampling_matrix(width, new_width).T
    out = np.zeros((tile, tile))
    top, left = (tile - new_height) // 2, (tile - new_width) // 2
    out[top : top + new_height, left : left + new_width] = shrunk
    return out


def montage(slices, rows, columns, tile):
    """The slices (2-D arrays, any sizes) fitted into tiles and laid out row by row on a rows x columns
    grid, as a float array [rows * tile, columns * tile]; the grid's last tiles stay zero when there are
    fewer slices than tiles."""
    if len(slices) > rows * columns:
        raise ValueError(f"{len(slices)} slices do not fit a {rows} x {columns} grid")
    out = np.zeros((rows * tile, columns * tile))
    for k, image in enumerate(slices):
        row, column = divmod(k, columns)
        out[row * tile : (row + 1) * tile, column * tile : (column + 1) * tile] = fit_into_tile(image, tile)
    return out


def rician_magnitude(image, sigma, random):
    """|image + n1 + i n2| with n1, n2 independent Gaussian noise of standard deviation sigma: the noise
    of an MR magnitude image whose true signal is `image`."""
    real = image + random.normal(0.0, sigma, image.shape)
    imaginary = random.normal(0.0, sigma, image.shape)
    return np.hypot(real, imaginary)
