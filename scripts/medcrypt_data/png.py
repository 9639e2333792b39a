"""A small PNG decoder (non-interlaced, 8- or 16-bit, grey, grey+alpha, RGB, RGBA or 8-bit palette).

Written here so that the data script needs nothing beyond numpy and the standard library; Pillow is not
part of a bare Debian 12 Python.
"""

import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def read_png(path):
    """Decode a PNG file to an array: (rows, columns) for grey and palette-index images, (rows, columns,
    channels) for grey+alpha, RGB and RGBA. Palette images return (indices, palette) where palette is an
    (entries, 3) uint8 array; other images return (array, None).
    """
    with open(path, "rb") as stream:
        blob = stream.read()
    if not blob.startswith(_SIGNATURE):
        raise ValueError(f"{path}: not a PNG file")
    position, idat, palette = len(_SIGNATURE), [], None
    while position < len(blob):
        length, kind = struct.unpack(">I4s", blob[position : position + 8])
        body = blob[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if interlace != 0 or depth not in (8, 16) or colour not in _CHANNELS or (colour == 3 and depth != 8):
        raise ValueError(f"{path}: unsupported PNG layout (bit depth {depth}, colour type {colour}, "
                         f"interlace {interlace})")
    channels = _CHANNELS[colour]
    pixel_bytes = channels * depth // 8
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8).reshape(height, 1 + width * pixel_bytes)
    rows = _unfilter(raw[:, 0], raw[:, 1:].astype(np.int32), pixel_bytes)
    if depth == 16:
        samples = rows.astype(np.uint8).reshape(height, width * channels, 2)
        image = (samples[..., 0].astype(np.uint16) << 8) | samples[..., 1]
    else:
        image = rows.astype(np.uint8)
    image = image.reshape(height, width, channels) if channels > 1 else image.reshape(height, width)
    return image, (palette if colour == 3 else None)


def _unfilter(filters, data, bpp):
    """Undo PNG's per-row filters (None, Sub, Up, Average, Paeth) on an int32 array of filtered bytes."""
    out = np.zeros_like(data)
    previous = np.zeros(data.shape[1], dtype=np.int32)
    for r in range(data.shape[0]):
        row, kind = data[r], filters[r]
        if kind == 0:
            current = row.copy()
        elif kind == 2:
            current = (row + previous) & 0xFF
        elif kind in (1, 3, 4):
            current = _unfilter_sequential(row.tolist(), previous.tolist(), bpp, kind)
        else:
            raise ValueError(f"PNG row {r} has unknown filter type {kind}")
        out[r] = current
        previous = np.asarray(current, dtype=np.int32)
    return out


def _unfilter_sequential(row, above, bpp, kind):
    """Sub (1), Average (3) and Paeth (4) depend on the bytes already decoded to their left."""
    current = [0] * len(row)
    for i, value in enumerate(row):
        left = current[i - bpp] if i >= bpp else 0
        if kind == 1:
            predictor = left
        elif kind == 3:
            predictor = (left + above[i]) >> 1
        else:
            up_left = above[i - bpp] if i >= bpp else 0
            estimate = left + above[i] - up_left
            da, db, dc = abs(estimate - left), abs(estimate - above[i]), abs(estimate - up_left)
            predictor = left if da <= db and da <= dc else (above[i] if db <= dc else up_left)
        current[i] = (value + predictor) & 0xFF
    return np.asarray(current, dtype=np.int32)
