#!/usr/bin/env python3
"""Independent reference for MedCrypt's feature-key derivation (paper Eq. 1-2, docs/format.md).

Written from the specification only, with Python's standard library (hashlib, hmac, struct, math) and,
for the AES-256-CTR keystream of the ciphertext permutation, the `cryptography` package (python3-cryptography):
it shares no code with the C++ implementation. Python floats are IEEE doubles and Python never fuses
a multiply and an add, so the logistic map below is the reference sequence.

  keys_reference.py check MEDCRYPT WORKDIR   writes test images and a key, runs `medcrypt keys --json`
                                             for both schedules and compares every value exactly.
  keys_reference.py pin                      prints the values pinned in testing/model/medcryptKeysGTest.cxx
"""
import hashlib
import hmac
import json
import math
import os
import struct
import subprocess
import sys

MASK256 = (1 << 256) - 1
MASK64 = (1 << 64) - 1


def tile_digest(samples, fmt, position=None):
    """h = SHA-256(samples little-endian [+ row, column, slice as <u32]), p = sum(im(i) * i) mod 256."""
    data = struct.pack("<%d%s" % (len(samples), fmt), *samples)
    if position is not None:
        data += struct.pack("<3I", *position)
    h = hashlib.sha256(data).digest()
    p = sum(math.floor(v) * (i + 1) for i, v in enumerate(samples)) % 256
    return h, p


def paper_words(h, p, b):
    value = int.from_bytes(h, "big")  # bit k of h = bit 255 - k of this integer
    words = []
    for k in range(4):
        start = (p + 64 * k) % 256
        rotated = ((value << start) | (value >> (256 - start))) & MASK256 if start else value
        words.append(((rotated >> 192) + b[k]) & MASK64)
    return words


def hkdf_sha256(ikm, salt, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def hardened_words(h, b):
    ikm = b"".join(struct.pack(">Q", w) for w in b)
    okm = hkdf_sha256(ikm, h, b"medcrypt/x0", 32)
    return [struct.unpack(">Q", okm[8 * k:8 * k + 8])[0] for k in range(4)]


def x0_from_word(s):
    return ((s >> 12) + 0.5) * 2.0 ** -52


def uniformised_sequence(x0, mu, burn_in, count):
    x = x0
    for _ in range(burn_in):
        x = mu * x * (1.0 - x)
    values = []
    for _ in range(count):
        x = mu * x * (1.0 - x)
        values.append(2.0 / math.pi * math.asin(math.sqrt(x)))
    return values


def permutation(x0, mu, burn_in, tile, cell=8, pool=16):
    """The ciphertext permutation of a tile (format version 3; pool=8 gives version 2's): element i = the
    network's index of stored pixel i. Cells move as wholes, then the pixels of each stored pool are shuffled."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    ikm = b"".join(struct.pack(">d", v) for v in x0) + struct.pack(">d", mu) + struct.pack(">I", burn_in)
    key = hkdf_sha256(ikm, b"", b"medcrypt/permutation", 32)
    stream = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
    words = []

    def below(n):
        limit = (1 << 32) - (1 << 32) % n
        while True:
            if not words:
                block = stream.update(bytes(4096))
                words.extend(reversed(struct.unpack(">1024I", block)))
            v = words.pop()
            if v < limit:
                return v % n

    def shuffle(values):
        for i in range(len(values), 1, -1):
            j = below(i)
            values[i - 1], values[j] = values[j], values[i - 1]

    per_row = tile // cell
    cells = list(range(per_row * per_row))
    shuffle(cells)
    moved = [0] * (tile * tile)
    for stored, source in enumerate(cells):
        sy, sx = stored // per_row * cell, stored % per_row * cell
        ny, nx = source // per_row * cell, source % per_row * cell
        for q in range(cell * cell):
            moved[(sy + q // cell) * tile + sx + q % cell] = (ny + q // cell) * tile + nx + q % cell
    pools_per_row = tile // pool
    order = [0] * (tile * tile)
    for p in range(pools_per_row * pools_per_row):
        inside = list(range(pool * pool))
        shuffle(inside)
        py, px = p // pools_per_row * pool, p % pools_per_row * pool
        for q in range(pool * pool):
            order[(py + q // pool) * tile + px + q % pool] = moved[(py + inside[q] // pool) * tile + px + inside[q] % pool]
    return {"sha256": hashlib.sha256(struct.pack("<%dI" % len(order), *order)).hexdigest(), "first": order[:16]}


def derive(samples, fmt, position, b, mu, burn_in, schedule, count):
    h, p = tile_digest(samples, fmt, position)
    words = paper_words(h, p, b) if schedule == "paper" else hardened_words(h, b)
    x0 = [x0_from_word(w) for w in words]
    return {"h": h.hex(), "p": p, "x0": x0, "sequence": [uniformised_sequence(v, mu, burn_in, count) for v in x0]}


# ---------------------------------------------------------------------------------------------
MHA_TYPES = {"B": "MET_UCHAR", "h": "MET_SHORT", "H": "MET_USHORT", "f": "MET_FLOAT"}


def write_mha(path, size, fmt, samples):
    header = ("ObjectType = Image\nNDims = %d\nDimSize = %s\nElementType = %s\n"
              "ElementByteOrderMSB = False\nElementDataFile = LOCAL\n") % (
        len(size), " ".join(map(str, size)), MHA_TYPES[fmt])
    with open(path, "wb") as f:
        f.write(header.encode())
        f.write(struct.pack("<%d%s" % (len(samples), fmt), *samples))


def test_images():
    """(name, size (x, y[, z]), struct format, samples in row-major order, x fastest)."""
    w, hgt = 37, 23
    u8 = [(7 * x + 3 * y + (x * y) % 11) % 256 for y in range(hgt) for x in range(w)]
    i16 = [((x - 18) * 131 - (y - 11) * 977) for y in range(hgt) for x in range(w)]
    f32 = [struct.unpack("<f", struct.pack("<f", math.sin(x / 3.0) * 100.0 + y * 0.25))[0]
           for y in range(hgt) for x in range(w)]
    # 3-D, 40 x 20 x 2 with tile size 16: 3 x 2 tiles per slice, positions appended.
    u16 = [(x * 1231 + y * 7919 + z * 65521) % 65536 for z in range(2) for y in range(20) for x in range(40)]
    return [("u8", (w, hgt), "B", u8), ("i16", (w, hgt), "h", i16), ("f32", (w, hgt), "f", f32),
            ("u16x3d", (40, 20, 2), "H", u16)]


def expected_tiles(size, fmt, samples, tile, b, mu, burn_in, schedule, count):
    nx, ny = size[0], size[1]
    nz = size[2] if len(size) == 3 else 1
    rows, cols = (ny + tile - 1) // tile, (nx + tile - 1) // tile
    many = rows * cols * nz > 1
    out = []
    for z in range(nz):
        for r in range(rows):
            for c in range(cols):
                tile_samples = [samples[(z * ny + y) * nx + x]
                                for y in range(r * tile, min((r + 1) * tile, ny))
                                for x in range(c * tile, min((c + 1) * tile, nx))]
                d = derive(tile_samples, fmt, (r, c, z) if many else None, b, mu, burn_in, schedule, count)
                d["permutation"] = permutation(d["x0"], mu, burn_in, tile)
                out.append(d)
    return out


def check(medcrypt, workdir):
    os.makedirs(workdir, exist_ok=True)
    b = [0x0123456789ABCDEF, 0xFEDCBA9876543210, 0x0F1E2D3C4B5A6978, 0x8877665544332211]
    mu, burn_in = 3.99, 1000
    key_path = os.path.join(workdir, "reference.key")
    if os.path.exists(key_path):
        os.remove(key_path)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"format": "medcrypt-key", "version": 1, "b": ["%016x" % v for v in b], "mu": mu,
                   "burn_in": burn_in}, f)
    failures = 0
    compared = 0
    for name, size, fmt, samples in test_images():
        path = os.path.join(workdir, name + ".mha")
        write_mha(path, size, fmt, samples)
        tile = 16 if len(size) == 3 else 256
        for schedule in ("paper", "hardened"):
            result = subprocess.run([medcrypt, "keys", "--key", key_path, "--schedule", schedule, "--json",
                                     "--values", "5", "--tile-size", str(tile), path],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                print("FAIL %s %s: medcrypt exited %d: %s" % (name, schedule, result.returncode, result.stderr))
                failures += 1
                continue
            got = json.loads(result.stdout)["tiles"]
            want = expected_tiles(size, fmt, samples, tile, b, mu, burn_in, schedule, 5)
            if len(got) != len(want):
                print("FAIL %s %s: %d tiles, expected %d" % (name, schedule, len(got), len(want)))
                failures += 1
                continue
            for g, e in zip(got, want):
                compared += 1
                same = (g["h"] == e["h"] and g["p"] == e["p"] and [float(v) for v in g["x0_exact"]] == e["x0"]
                        and g["sequence"] == e["sequence"] and g["permutation"] == e["permutation"])
                if not same:
                    failures += 1
                    print("FAIL %s %s tile %s:\n got %s\nwant %s" % (name, schedule, (g["row"], g["column"], g["slice"]),
                                                                      json.dumps(g), json.dumps(e)))
    print("%d tiles compared, %d mismatches" % (compared, failures))
    return 1 if failures or compared == 0 else 0


def pin():
    """Values for the C++ unit test: a 4 x 4 uint8 ramp, one tile, fixed key."""
    b = [0x0123456789ABCDEF, 0xFEDCBA9876543210, 0x0F1E2D3C4B5A6978, 0x8877665544332211]
    samples = [16 * y + 5 * x for y in range(4) for x in range(4)]
    for schedule in ("paper", "hardened"):
        r = derive(samples, "B", None, b, 3.99, 1000, schedule, 3)
        print(schedule, r["h"], r["p"], ["%.17g" % v for v in r["x0"]], ["%.17g" % v for v in r["sequence"][0]])
    r = derive(samples, "B", (1, 2, 3), b, 3.99, 1000, "paper", 1)
    print("with position (1,2,3):", r["h"], r["p"])


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 2 and sys.argv[1] == "pin":
        pin()
        sys.exit(0)
    print(__doc__)
    sys.exit(2)
