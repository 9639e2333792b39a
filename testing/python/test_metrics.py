"""The paper's metrics over numpy arrays (the ITK calculators of filters/) against values worked out
by hand or by a plain numpy formula inside the test."""

import math
import unittest

import numpy as np

import medcrypt


class MetricsTest(unittest.TestCase):
    def test_entropy_of_four_equally_frequent_values_is_two_bits(self):
        # p = 1/4 for each of 4 values: H = -4 * (1/4) * log2(1/4) = 2 exactly.
        a = np.tile(np.array([[0, 1], [2, 3]], dtype=np.uint8), (8, 5))
        self.assertEqual(medcrypt.entropy(a), 2.0)
        self.assertEqual(medcrypt.entropy(np.stack([a, a])), 2.0)
        # One value: H = 0.
        self.assertEqual(medcrypt.entropy(np.full((4, 4), 9, dtype=np.int16)), 0.0)

    def test_npcr_uaci_of_hand_made_arrays(self):
        a = np.array([[0, 10], [20, 30]], dtype=np.uint8)
        b = np.array([[0, 11], [20, 40]], dtype=np.uint8)
        npcr, uaci = medcrypt.npcr_uaci(a, b)
        # 2 of 4 pixels differ: NPCR = 50 %. UACI = (0 + 1 + 0 + 10) / (255 * 4) * 100 %.
        self.assertAlmostEqual(npcr, 50.0, places=12)
        self.assertAlmostEqual(uaci, 11.0 / 1020.0 * 100.0, places=12)
        # uint16: F = 65535.
        _, uaci16 = medcrypt.npcr_uaci(a.astype(np.uint16), b.astype(np.uint16))
        self.assertAlmostEqual(uaci16, 11.0 / (65535.0 * 4) * 100.0, places=12)
        # A given F replaces the type's.
        _, uaci_f = medcrypt.npcr_uaci(a, b, maximum_value=100.0)
        self.assertAlmostEqual(uaci_f, 11.0 / 400.0 * 100.0, places=12)

    def test_psnr_matches_the_numpy_formula(self):
        generator = np.random.default_rng(1)
        a = generator.integers(0, 256, size=(30, 40), dtype=np.uint8)
        b = np.clip(a.astype(int) + generator.integers(-9, 10, size=a.shape), 0, 255).astype(np.uint8)
        mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
        self.assertAlmostEqual(medcrypt.psnr(a, b), 10.0 * math.log10(255.0 ** 2 / mse), places=9)
        # Non-8-bit types: L = max - min of the reference unless data_range is given.
        a16, b16 = a.astype(np.int16) * 7, b.astype(np.int16) * 7
        mse16 = np.mean((a16.astype(np.float64) - b16.astype(np.float64)) ** 2)
        span = float(a16.max()) - float(a16.min())
        self.assertAlmostEqual(medcrypt.psnr(a16, b16), 10.0 * math.log10(span ** 2 / mse16), places=9)
        self.assertAlmostEqual(medcrypt.psnr(a16, b16, data_range=4095.0),
                               10.0 * math.log10(4095.0 ** 2 / mse16), places=9)
        self.assertEqual(medcrypt.psnr(a, a), math.inf)

    def test_adjacent_correlation_of_a_checkerboard(self):
        # Horizontal and vertical neighbours always differ (pairs (0, 255) and (255, 0)): r = -1;
        # diagonal neighbours are equal: r = +1.
        board = (np.indices((12, 14)).sum(axis=0) % 2 * 255).astype(np.uint8)
        self.assertAlmostEqual(medcrypt.adjacent_correlation(board, "h"), -1.0, places=12)
        self.assertAlmostEqual(medcrypt.adjacent_correlation(board, "v"), -1.0, places=12)
        self.assertAlmostEqual(medcrypt.adjacent_correlation(board, "d"), 1.0, places=12)
        with self.assertRaises(ValueError):
            medcrypt.adjacent_correlation(board, "x")

    def test_ssim_is_one_for_identical_arrays_and_lower_for_noise(self):
        generator = np.random.default_rng(2)
        a = np.tile(np.linspace(0, 1000, 24), (24, 1)).astype(np.float32)
        self.assertAlmostEqual(medcrypt.ssim(a, a), 1.0, places=12)
        noisy = (a + generator.normal(0, 300, a.shape)).astype(np.float32)
        self.assertLess(medcrypt.ssim(a, noisy), 0.9)

    def test_pair_metrics_refuse_mismatched_arrays(self):
        a = np.zeros((16, 16), dtype=np.uint8)
        with self.assertRaises(TypeError):
            medcrypt.psnr(a, a.astype(np.int16))
        with self.assertRaises(ValueError):
            medcrypt.npcr_uaci(a, np.zeros((16, 17), dtype=np.uint8))


if __name__ == "__main__":
    unittest.main()
