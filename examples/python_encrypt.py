#!/usr/bin/env python3
"""Encrypt a CT-like phantom made with numpy through the `medcrypt` Python module, restore it bit for
bit through the exact envelope, decrypt it approximately with the network alone, and print the
paper's metrics. No data download: the phantom is the modified Shepp-Logan head (Toft, 1996) in
Hounsfield-like int16 values.

    PYTHONPATH=build/wrapping/python /usr/bin/python3 examples/python_encrypt.py [--model M] [--out DIR]

Without --model the shipped default model is used (as `medcrypt encrypt` does); --out keeps the key,
the ciphertext and its sidecar in DIR (default: a temporary directory, removed at the end).
"""

import argparse
import os
import tempfile

import numpy as np

import medcrypt

# (intensity, semi-axis a, semi-axis b, centre x, centre y, angle in degrees) of the modified
# Shepp-Logan head, on the square [-1, 1]^2.
SHEPP_LOGAN = [
    (1.0, 0.69, 0.92, 0.0, 0.0, 0.0),
    (-0.8, 0.6624, 0.874, 0.0, -0.0184, 0.0),
    (-0.2, 0.11, 0.31, 0.22, 0.0, -18.0),
    (-0.2, 0.16, 0.41, -0.22, 0.0, 18.0),
    (0.1, 0.21, 0.25, 0.0, 0.35, 0.0),
    (0.1, 0.046, 0.046, 0.0, 0.1, 0.0),
    (0.1, 0.046, 0.046, 0.0, -0.1, 0.0),
    (0.1, 0.046, 0.023, -0.08, -0.605, 0.0),
    (0.1, 0.023, 0.023, 0.0, -0.606, 0.0),
    (0.1, 0.023, 0.046, 0.06, -0.605, 0.0),
]


def phantom(size):
    """A size x size int16 phantom: air -1000, soft tissue around 0 to 1000, with mild noise."""
    y, x = np.mgrid[1.0:-1.0:size * 1j, -1.0:1.0:size * 1j]
    density = np.zeros((size, size))
    for value, a, b, cx, cy, degrees in SHEPP_LOGAN:
        theta = np.radians(degrees)
        u = (x - cx) * np.cos(theta) + (y - cy) * np.sin(theta)
        v = -(x - cx) * np.sin(theta) + (y - cy) * np.cos(theta)
        density[(u / a) ** 2 + (v / b) ** 2 <= 1.0] += value
    noise = np.random.default_rng(0).normal(0.0, 10.0, density.shape)
    return np.round(density * 1000.0 - 1000.0 + noise).astype(np.int16)


def describe(name, array):
    """Prints the single-image metrics of an array."""
    correlations = [medcrypt.adjacent_correlation(array, d) for d in ("h", "v", "d")]
    print(f"{name:<12} {array.dtype.name:<7} {str(array.shape):<12} entropy {medcrypt.entropy(array):.4f} bits, "
          f"correlation h/v/d {correlations[0]:+.4f} {correlations[1]:+.4f} {correlations[2]:+.4f}")


def run(model_path, out_dir, size):
    """Encrypts, saves, loads, decrypts exactly and by the network; prints what it measured."""
    model = medcrypt.Model.load(model_path)
    print(f"model: {model.preset} preset, tiles of {model.tile_size}, id {model.model_id[:16]}...")
    key = medcrypt.Key.generate()
    key_path = os.path.join(out_dir, "user.key")
    key.save(key_path, overwrite=True)  # mode 0600
    print(f"key: {key} saved to {key_path}")

    image = phantom(size)
    encrypted = medcrypt.encrypt(image, key, model=model, spacing=(0.7, 0.7))
    print(encrypted)
    describe("plain", image)
    describe("ciphertext", encrypted.pixels)

    cipher_path = os.path.join(out_dir, "phantom-encrypted.mha")
    encrypted.save(cipher_path)
    print(f"wrote {cipher_path} and {cipher_path}.medcrypt")
    loaded = medcrypt.load_encrypted(cipher_path)

    exact = medcrypt.decrypt(loaded, key)
    if not np.array_equal(exact, image):
        raise SystemExit("the exact envelope did not restore the phantom bit for bit")
    print("decrypted through the exact envelope: bit-exact")

    approximate = medcrypt.decrypt(loaded, key, model=model, network_only=True)
    print(f"decrypted by the network alone: PSNR {medcrypt.psnr(image, approximate):.2f} dB, "
          f"SSIM {medcrypt.ssim(image, approximate):.4f} (depends on how well the model is trained)")

    # One changed pixel in the plain image: how different is the ciphertext (differential attack)?
    changed = image.copy()
    changed[size // 2, size // 2] += 1
    first = medcrypt.encrypt(image, key, model=model, exact=False).pixels
    second = medcrypt.encrypt(changed, key, model=model, exact=False).pixels
    npcr, uaci = medcrypt.npcr_uaci(first, second)
    print(f"one changed pixel: NPCR {npcr:.4f} %, UACI {uaci:.4f} %")

    try:
        medcrypt.decrypt(loaded, medcrypt.Key.generate())
    except medcrypt.Error as error:
        print(f"another key is refused: {error}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="model file (default: the shipped default model)")
    parser.add_argument("--out", help="directory for the key, ciphertext and sidecar (default: temporary)")
    parser.add_argument("--size", type=int, default=256, help="phantom size in pixels (default 256)")
    args = parser.parse_args()
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        run(args.model, args.out, args.size)
    else:
        with tempfile.TemporaryDirectory(prefix="medcrypt-example-") as out_dir:
            run(args.model, out_dir, args.size)


if __name__ == "__main__":
    main()
