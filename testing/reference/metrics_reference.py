#!/usr/bin/python3
"""Independent reference for `medcrypt metrics`: the paper's image metrics in plain numpy.

Written from the definitions (paper Eq. 8, 10-13, 16-17, 19, 26, 27; Wu, Noonan and Agaian 2011;
Wang et al. 2004), not from the C++ code, so that the checker can compare the two. It reads
uncompressed MetaImage files (.mha with ElementDataFile = LOCAL, or .mhd + raw) and prints the same
JSON object as `medcrypt metrics --json`:

    metrics_reference.py [--bits N] [--pairs N --seed S] [--data-range R] IMAGE [OTHER]

Conventions it shares with the C++ calculators (they are the specification, see
filters/include/itkMedCryptIntensityView.h):
* N-bit view: integer pixels shifted to unsigned (minus the type's lowest value), then >> (B - N);
  floating pixels floor((v - min) / (max - min) * 2^N) clamped to 2^N - 1 (constant image: bin 0).
* Pair sampling: pair i is valid position g_i mod V, g_i the raw outputs of mt19937_64(seed),
  positions numbered x fastest, then y, then slice. MT19937-64 is implemented here.
* Pearson r with population moments; 0 for a constant sequence. 3-D: pairs pooled over slices.
* NPCR/UACI in percent, F = 2^B - 1 for integers, max - min over both images for floats.
* PSNR/SSIM data range: 255 for 8-bit types, else max - min of IMAGE; PSNR of identical images is
  +infinity, printed as null. SSIM: 11x11 Gaussian (sigma 1.5) window, valid windows only, mean
  over all slices.
"""

import argparse
import json
import math
import os
import statistics
import sys

import numpy as np

# MetaImage element types and the project's names for them.
MET_TYPES = {
    "MET_UCHAR": (np.uint8, "uint8"),
    "MET_CHAR": (np.int8, "int8"),
    "MET_USHORT": (np.uint16, "uint16"),
    "MET_SHORT": (np.int16, "int16"),
    "MET_UINT": (np.uint32, "uint32"),
    "MET_INT": (np.int32, "int32"),
    "MET_FLOAT": (np.float32, "float"),
    "MET_DOUBLE": (np.float64, "double"),
}
SIGNIFICANCE_LEVELS = ((0.05, "0.05"), (0.01, "0.01"), (0.001, "0.001"))


# --------------------------------------------------------------------------------------------------
# MetaImage input and output


def read_mha(path):
    """Returns (array, type name) of an uncompressed MetaImage; array shape (slices, H, W) or (H, W)."""
    with open(path, "rb") as handle:
        data = handle.read()
    header = {}
    offset = 0
    while True:
        end = data.index(b"\n", offset)
        line = data[offset:end].decode("ascii").strip()
        offset = end + 1
        if not line:
            continue
        key, _, value = line.partition("=")
        header[key.strip()] = value.strip()
        if key.strip() == "ElementDataFile":
            break
    if header.get("CompressedData", "False") == "True":
        raise SystemExit(f"{path}: compressed MetaImage is not supported by the reference")
    if int(header.get("ElementNumberOfChannels", "1")) != 1:
        raise SystemExit(f"{path}: only scalar images are supported")
    dtype, name = MET_TYPES[header["ElementType"]]
    big_endian = header.get("BinaryDataByteOrderMSB", header.get("ElementByteOrderMSB", "False")) == "True"
    dtype = np.dtype(dtype).newbyteorder(">" if big_endian else "<")
    sizes = [int(v) for v in header["DimSize"].split()]
    if header["ElementDataFile"] == "LOCAL":
        raw = data[offset:]
    else:
        with open(os.path.join(os.path.dirname(path), header["ElementDataFile"]), "rb") as handle:
            raw = handle.read()
    count = int(np.prod(sizes))
    array = np.frombuffer(raw, dtype=dtype, count=count).astype(dtype.newbyteorder("="))
    return array.reshape(list(reversed(sizes))), name


def write_mha(path, array):
    """Writes `array` (shape (slices, H, W) or (H, W)) as an uncompressed little-endian .mha."""
    names = {np.dtype(t): met for met, (t, _) in MET_TYPES.items()}
    array = np.ascontiguousarray(array)
    sizes = list(reversed(array.shape))
    header = (
        f"ObjectType = Image\nNDims = {len(sizes)}\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
        f"CompressedData = False\nDimSize = {' '.join(map(str, sizes))}\n"
        f"ElementSpacing = {' '.join(['1'] * len(sizes))}\n"
        f"ElementType = {names[array.dtype.newbyteorder('=')]}\nElementDataFile = LOCAL\n"
    )
    with open(path, "wb") as handle:
        handle.write(header.encode("ascii"))
        handle.write(array.astype(array.dtype.newbyteorder("<")).tobytes())


# --------------------------------------------------------------------------------------------------
# MT19937-64 (Matsumoto and Nishimura), the generator std::mt19937_64 specifies


class MT19937_64:
    """The 64-bit Mersenne Twister with the standard's seeding (std::mt19937_64(seed))."""

    N, M = 312, 156
    MASK = (1 << 64) - 1
    UPPER, LOWER = MASK ^ ((1 << 31) - 1), (1 << 31) - 1

    def __init__(self, seed):
        self.state = [seed & self.MASK]
        for i in range(1, self.N):
            previous = self.state[-1]
            self.state.append((6364136223846793005 * (previous ^ (previous >> 62)) + i) & self.MASK)
        self.index = self.N

    def _twist(self):
        state = self.state
        for i in range(self.N):
            x = (state[i] & self.UPPER) | (state[(i + 1) % self.N] & self.LOWER)
            shifted = x >> 1
            if x & 1:
                shifted ^= 0xB5026F5AA96619E9
            state[i] = state[(i + self.M) % self.N] ^ shifted
        self.index = 0

    def next(self):
        if self.index >= self.N:
            self._twist()
        y = self.state[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & self.MASK


def check_mt19937_64():
    """The C++ standard's check value: the 10000th output of a default-seeded (5489) mt19937_64."""
    generator = MT19937_64(5489)
    for _ in range(9999):
        generator.next()
    assert generator.next() == 9981545732273789042, "MT19937-64 implementation is wrong"


# --------------------------------------------------------------------------------------------------
# Metrics


def as_slices(array):
    """(slices, H, W) view of a 2-D or 3-D array."""
    return array.reshape((-1,) + array.shape[-2:])


def intensity_bins(array, bits):
    """The N-bit view of every pixel (an int64 array)."""
    if np.issubdtype(array.dtype, np.integer):
        info = np.iinfo(array.dtype)
        unsigned = array.astype(np.int64) - int(info.min)
        return unsigned >> (info.bits - bits)
    values = array.astype(np.float64)
    low, high = float(values.min()), float(values.max())
    if not high > low:
        return np.zeros(values.shape, dtype=np.int64)
    bins = np.floor((values - low) / (high - low) * float(2**bits))
    return np.clip(bins, 0, 2**bits - 1).astype(np.int64)


def entropy(array, bits):
    counts = np.bincount(intensity_bins(array, bits).ravel(), minlength=2**bits)
    p = counts[counts > 0] / array.size
    return float(-(p * np.log2(p)).sum())


def adjacent_pairs(array, dx, dy, pairs, seed):
    """The (x, y) value arrays of the adjacent pairs, all of them or `pairs` drawn with mt19937_64."""
    slices = as_slices(array).astype(np.float64)
    count, height, width = slices.shape
    first = slices[:, : height - dy, : width - dx]
    second = slices[:, dy:, dx:]
    if pairs == 0:
        return first.ravel(), second.ravel()
    valid = first.size
    generator = MT19937_64(seed)
    positions = np.array([generator.next() % valid for _ in range(pairs)], dtype=np.int64)
    # first.ravel() numbers the valid positions x fastest, then y, then slice.
    return first.ravel()[positions], second.ravel()[positions]


def pearson(x, y):
    cx = x - x.mean()
    cy = y - y.mean()
    vx, vy = float((cx * cx).sum()), float((cy * cy).sum())
    if vx == 0.0 or vy == 0.0:
        return 0.0
    return float((cx * cy).sum() / math.sqrt(vx * vy))


def full_scale(a, b):
    """F of NPCR/UACI."""
    if np.issubdtype(a.dtype, np.integer):
        info = np.iinfo(a.dtype)
        return float(int(info.max) - int(info.min))
    return float(max(a.max(), b.max())) - float(min(a.min(), b.min()))


def wu_noonan_agaian(F, pixels, alpha):
    """(NPCR*, UACI lower, UACI upper) in percent; Phi^{-1} from Python's statistics module."""
    z = statistics.NormalDist().inv_cdf(1.0 - alpha)
    z_half = statistics.NormalDist().inv_cdf(1.0 - alpha / 2.0)
    npcr = (F - z * math.sqrt(F / pixels)) / (F + 1.0)
    mu = (F + 2.0) / (3.0 * F + 3.0)
    sigma = math.sqrt((F + 2.0) * (F * F + 2.0 * F + 3.0) / (18.0 * (F + 1.0) ** 2 * pixels * F))
    return 100.0 * npcr, 100.0 * (mu - z_half * sigma), 100.0 * (mu + z_half * sigma)


def default_data_range(reference):
    if np.issubdtype(reference.dtype, np.integer) and reference.dtype.itemsize == 1:
        return 255.0
    return float(reference.max()) - float(reference.min())


def psnr(reference, test, data_range):
    mse = float(np.mean((reference.astype(np.float64) - test.astype(np.float64)) ** 2))
    if mse == 0.0:
        return None  # +infinity, printed as null
    return 10.0 * math.log10(data_range * data_range / mse)


def valid_filter(planes, weights):
    """Separable 'valid' correlation of every (H, W) plane with the outer product of `weights`."""
    size = len(weights)
    along_x = np.lib.stride_tricks.sliding_window_view(planes, size, axis=2) @ weights
    return np.lib.stride_tricks.sliding_window_view(along_x, size, axis=1) @ weights


def ssim(reference, test, data_range):
    k = np.arange(11, dtype=np.float64) - 5.0
    weights = np.exp(-(k * k) / (2.0 * 1.5 * 1.5))
    weights /= weights.sum()
    x = as_slices(reference).astype(np.float64)
    y = as_slices(test).astype(np.float64)
    mu_x, mu_y = valid_filter(x, weights), valid_filter(y, weights)
    var_x = valid_filter(x * x, weights) - mu_x * mu_x
    var_y = valid_filter(y * y, weights) - mu_y * mu_y
    cov = valid_filter(x * y, weights) - mu_x * mu_y
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    index = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return float(index.mean())


def single_image(path, bits, pairs, seed):
    array, type_name = read_mha(path)
    result = {
        "image": path,
        "pixel_type": type_name,
        "size": list(reversed(array.shape)),
        "entropy": entropy(array, bits),
        "entropy_bits": bits,
    }
    for key, dx, dy in (("corr_h", 1, 0), ("corr_v", 0, 1), ("corr_d", 1, 1)):
        result[key] = pearson(*adjacent_pairs(array, dx, dy, pairs, seed))
    result["pairs"] = pairs
    return result, array


def metrics(path, other=None, bits=8, pairs=0, seed=0, data_range=None):
    """The object `medcrypt metrics --json` prints."""
    result, a = single_image(path, bits, pairs, seed)
    if other is None:
        return result
    result["other"], b = single_image(other, bits, pairs, seed)
    F = full_scale(a, b)
    npcr = 100.0 * float(np.mean(a != b))
    uaci = 100.0 * float(np.mean(np.abs(a.astype(np.float64) - b.astype(np.float64)))) / F if F > 0 else 0.0
    result["npcr"], result["uaci"] = npcr, uaci
    critical, npcr_pass, interval, uaci_pass = {}, {}, {}, {}
    for alpha, key in SIGNIFICANCE_LEVELS:
        n_star, low, high = wu_noonan_agaian(F, a.size, alpha)
        critical[key], npcr_pass[key] = n_star, npcr >= n_star
        interval[key], uaci_pass[key] = [low, high], low <= uaci <= high
    result.update(npcr_critical=critical, npcr_pass=npcr_pass, uaci_interval=interval, uaci_pass=uaci_pass)
    data_range = default_data_range(a) if data_range is None else data_range
    result["psnr"] = psnr(a, b, data_range)
    result["ssim"] = ssim(a, b, data_range)
    result["data_range"] = data_range
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bits", type=int, default=8)
    parser.add_argument("--pairs", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-range", type=float)
    parser.add_argument("image")
    parser.add_argument("other", nargs="?")
    args = parser.parse_args()
    check_mt19937_64()
    json.dump(metrics(args.image, args.other, args.bits, args.pairs, args.seed, args.data_range), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
