#!/usr/bin/python3
"""CTest metrics_cli_matches_reference: `medcrypt metrics --json` against metrics_reference.py.

    metrics_cli_check.py MEDCRYPT WORKDIR

Writes test images (random and smooth 8-bit, 16-bit, a 3-D int16 volume, float32) as .mha into
WORKDIR, runs `medcrypt metrics --json` on single images and pairs with several options, computes
the same metrics with the numpy reference, and fails unless every key matches (numbers to 1e-6,
booleans, strings and nulls exactly). Also checks that mismatched pairs are refused clearly.
"""

import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metrics_reference as reference  # noqa: E402

TOLERANCE = 1e-6


def phantom(height, width, rng, noise, slices=None):
    """A smooth, natural-like image in [0, 1]: nested ellipses, a gradient and Gaussian noise."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = (x - width / 2) / (width / 2), (y - height / 2) / (height / 2)
    image = 0.15 + 0.1 * u
    image = np.where(u * u / 0.8 + v * v / 0.95 < 1, 0.6 + 0.05 * v, image)
    image = np.where((u - 0.3) ** 2 / 0.05 + v * v / 0.2 < 1, 0.35, image)
    image = np.where((u + 0.3) ** 2 / 0.04 + (v + 0.1) ** 2 / 0.15 < 1, 0.9, image)
    image = image + 0.05 * np.sin(x / 9.0) * np.cos(y / 13.0)
    if slices is not None:
        image = np.stack([image * (0.9 + 0.05 * s) for s in range(slices)])
    return np.clip(image + rng.normal(0.0, noise, image.shape), 0.0, 1.0)


def write_images(directory):
    rng = np.random.default_rng(20240611)
    smooth8 = phantom(256, 256, rng, 0.01)
    images = {
        "random8": rng.integers(0, 256, (256, 256), dtype=np.uint8),
        "random8b": rng.integers(0, 256, (256, 256), dtype=np.uint8),
        "phantom8": np.round(smooth8 * 255).astype(np.uint8),
        "phantom8_noisy": np.round(np.clip(smooth8 + rng.normal(0, 0.03, smooth8.shape), 0, 1) * 255).astype(np.uint8),
        "phantom16": np.round(phantom(96, 128, rng, 0.01) * 4095).astype(np.uint16),
        "phantom16_noisy": np.round(phantom(96, 128, rng, 0.03) * 4095).astype(np.uint16),
        "random16": rng.integers(0, 65536, (96, 128), dtype=np.uint16),
        "volume": np.round(phantom(32, 40, rng, 0.01, slices=3) * 2000 - 1000).astype(np.int16),
        "volume_noisy": np.round(phantom(32, 40, rng, 0.04, slices=3) * 2000 - 1000).astype(np.int16),
        "float": phantom(48, 64, rng, 0.01).astype(np.float32),
        "float_noisy": phantom(48, 64, rng, 0.05).astype(np.float32),
        "small8": rng.integers(0, 256, (10, 10), dtype=np.uint8),
    }
    paths = {}
    for name, array in images.items():
        paths[name] = os.path.join(directory, name + ".mha")
        reference.write_mha(paths[name], array)
    return paths


def compare(cli, ref, where, problems):
    """Appends a line to `problems` for every difference between the two JSON values."""
    if isinstance(ref, dict):
        if not isinstance(cli, dict) or list(cli.keys()) != list(ref.keys()):
            problems.append(f"{where}: keys {list(cli.keys()) if isinstance(cli, dict) else cli} != {list(ref.keys())}")
            return
        for key in ref:
            compare(cli[key], ref[key], f"{where}.{key}", problems)
    elif isinstance(ref, list):
        if not isinstance(cli, list) or len(cli) != len(ref):
            problems.append(f"{where}: {cli} != {ref}")
            return
        for index, (c, r) in enumerate(zip(cli, ref)):
            compare(c, r, f"{where}[{index}]", problems)
    elif isinstance(ref, bool) or ref is None or isinstance(ref, str):
        if cli != ref or type(cli) is not type(ref):
            problems.append(f"{where}: {cli!r} != {ref!r}")
    else:
        if isinstance(cli, bool) or not isinstance(cli, (int, float)) or abs(cli - ref) > TOLERANCE:
            problems.append(f"{where}: {cli!r} != {ref!r} (tolerance {TOLERANCE})")


def run(medcrypt, arguments):
    return subprocess.run([medcrypt, "metrics"] + arguments, capture_output=True, text=True)


def main():
    medcrypt, directory = sys.argv[1], sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    reference.check_mt19937_64()
    paths = write_images(directory)

    # (IMAGE, OTHER or None, bits, pairs, seed, data range or None)
    cases = [
        ("random8", None, 8, 0, 0, None),
        ("phantom8", None, 8, 0, 0, None),
        ("phantom8", None, 8, 10000, 7, None),
        ("random8", "random8b", 8, 0, 0, None),
        ("random8", "random8b", 8, 10000, 0, None),
        ("phantom8", "phantom8_noisy", 4, 0, 0, None),
        ("phantom8", "phantom8_noisy", 8, 10000, 12345678901234567890, None),
        ("phantom8", "phantom8", 8, 0, 0, None),
        ("phantom16", None, 8, 0, 0, None),
        ("phantom16", "phantom16_noisy", 12, 0, 0, None),
        ("phantom16", "phantom16_noisy", 16, 5000, 3, 65535.0),
        ("phantom16", "random16", 8, 0, 0, None),
        ("volume", "volume_noisy", 8, 0, 0, None),
        ("volume", "volume_noisy", 10, 3000, 11, 4000.0),
        ("float", "float_noisy", 8, 0, 0, None),
        ("float", "float_noisy", 6, 2000, 5, 2.5),
    ]
    problems = []
    for image, other, bits, pairs, seed, data_range in cases:
        arguments = ["--json", "--bits", str(bits)]
        if pairs:
            arguments += ["--pairs", str(pairs), "--seed", str(seed)]
        if data_range is not None:
            arguments += ["--data-range", repr(data_range)]
        arguments += [paths[image]] + ([paths[other]] if other else [])
        result = run(medcrypt, arguments)
        label = " ".join(arguments)
        if result.returncode != 0:
            problems.append(f"{label}: exit {result.returncode}: {result.stderr.strip()}")
            continue
        cli = json.loads(result.stdout)
        ref = reference.metrics(paths[image], paths[other] if other else None, bits, pairs, seed, data_range)
        before = len(problems)
        compare(cli, ref, label, problems)
        print(("ok   " if len(problems) == before else "FAIL ") + label)

    # The table output runs too, and mismatched or unusable inputs are refused with exit status 2.
    table = run(medcrypt, [paths["phantom8"], paths["phantom8_noisy"]])
    if table.returncode != 0 or "NPCR" not in table.stdout or "SSIM" not in table.stdout:
        problems.append(f"table output: exit {table.returncode}: {table.stdout}{table.stderr}")
    refusals = [
        ([paths["phantom8"], paths["phantom16"]], "same pixel type"),
        ([paths["phantom16"], paths["random8"]], "same pixel type"),
        ([paths["random8"], paths["small8"]], "same size"),
        ([paths["small8"], paths["small8"]], "SSIM needs"),
        (["--bits", "9", paths["random8"]], "--bits 9"),
        (["--seed", "4", paths["random8"]], "--pairs"),
        (["--pairs=-5", paths["random8"]], "--pairs -5"),
        (["--data-range", "255", paths["random8"]], "OTHER"),
    ]
    for arguments, expected in refusals:
        result = run(medcrypt, arguments)
        if result.returncode != 2 or expected not in result.stderr:
            problems.append(f"{' '.join(arguments)}: expected exit 2 with '{expected}', got {result.returncode}: "
                            f"{result.stderr.strip()}")

    for problem in problems:
        print("MISMATCH " + problem)
    print(f"{len(cases)} cases, {len(refusals)} refusals, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
