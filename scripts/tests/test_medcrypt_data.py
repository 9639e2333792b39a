"""Unit tests for scripts/medcrypt_data (run: /usr/bin/python3 -m unittest discover -s scripts/tests)."""

import struct
import sys
import tempfile
import unittest
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from medcrypt_data import manifest, metaimage, mosaic, png, slicing  # noqa: E402


class MetaImageTest(unittest.TestCase):
    def test_round_trip_keeps_type_values_and_spacing(self):
        rng = np.random.default_rng(1)
        with tempfile.TemporaryDirectory() as directory:
            for dtype in ("uint8", "int16", "uint16", "float32"):
                info = np.iinfo(dtype) if dtype != "float32" else None
                image = (rng.integers(info.min, info.max, size=(5, 7), endpoint=True).astype(dtype) if info
                         else rng.normal(size=(5, 7)).astype(dtype))
                path = Path(directory) / f"{dtype}.mha"
                metaimage.write_mha(path, image, (0.5, 2.0))
                read, spacing = metaimage.read_mha(path)
                self.assertEqual(read.dtype, np.dtype(dtype))
                np.testing.assert_array_equal(read, image)
                self.assertEqual(spacing, [0.5, 2.0])

    def test_header_is_what_itk_expects_and_data_is_little_endian(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "big.mha"
            # A big-endian int16 input must still be stored little-endian: 258 = 0x0102 -> bytes 02 01.
            metaimage.write_mha(path, np.array([[258, -1, 3]], dtype=">i2"))
            blob = path.read_bytes()
        header, _, data = blob.partition(b"ElementDataFile = LOCAL\n")
        self.assertIn(b"NDims = 2\n", header)
        self.assertIn(b"DimSize = 3 1\n", header)  # columns first, as MetaImage orders x before y
        self.assertIn(b"ElementType = MET_SHORT\n", header)
        self.assertIn(b"BinaryDataByteOrderMSB = False\n", header)
        self.assertEqual(data, b"\x02\x01\xff\xff\x03\x00")

    def test_refuses_types_without_a_metaimage_element_type(self):
        with tempfile.TemporaryDirectory() as directory:
            with self.assertRaises(ValueError):
                metaimage.write_mha(Path(directory) / "b.mha", np.zeros((2, 2), dtype=bool))


def _encode_png(image, colour_type, filters, palette=None):
    """Independent PNG encoder for the test: applies the given filter type to each row (PNG spec 9.2)."""
    channels = {0: 1, 2: 3, 3: 1}[colour_type]
    rows = image.reshape(image.shape[0], -1).astype(np.int64)
    bpp = channels
    out = bytearray()
    previous = np.zeros(rows.shape[1], dtype=np.int64)
    for row, kind in zip(rows, filters):
        left = np.concatenate([np.zeros(bpp, dtype=np.int64), row[:-bpp]])
        up_left = np.concatenate([np.zeros(bpp, dtype=np.int64), previous[:-bpp]])
        if kind == 0:
            predictor = np.zeros_like(row)
        elif kind == 1:
            predictor = left
        elif kind == 2:
            predictor = previous
        elif kind == 3:
            predictor = (left + previous) // 2
        else:
            estimate = left + previous - up_left
            da, db, dc = abs(estimate - left), abs(estimate - previous), abs(estimate - up_left)
            predictor = np.where((da <= db) & (da <= dc), left, np.where(db <= dc, previous, up_left))
        out.append(kind)
        out += bytes(((row - predictor) % 256).astype(np.uint8))
        previous = row

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", image.shape[1], image.shape[0], 8, colour_type, 0, 0, 0)
    blob = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    if palette is not None:
        blob += chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    return blob + chunk(b"IDAT", zlib.compress(bytes(out))) + chunk(b"IEND", b"")


class PngTest(unittest.TestCase):
    def _decode(self, blob):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "t.png"
            path.write_bytes(blob)
            return png.read_png(path)

    def test_every_filter_type_decodes_grey_and_rgb(self):
        rng = np.random.default_rng(2)
        grey = rng.integers(0, 256, size=(5, 9)).astype(np.uint8)
        decoded, palette = self._decode(_encode_png(grey, 0, [0, 1, 2, 3, 4]))
        self.assertIsNone(palette)
        np.testing.assert_array_equal(decoded, grey)
        rgb = rng.integers(0, 256, size=(5, 4, 3)).astype(np.uint8)
        decoded, _ = self._decode(_encode_png(rgb, 2, [4, 3, 2, 1, 0]))
        np.testing.assert_array_equal(decoded, rgb)

    def test_palette_image_returns_indices_and_palette(self):
        indices = np.array([[0, 1], [2, 1]], dtype=np.uint8)
        colours = np.array([[0, 0, 0], [10, 20, 30], [255, 255, 255]])
        decoded, palette = self._decode(_encode_png(indices, 3, [1, 4], colours))
        np.testing.assert_array_equal(decoded, indices)
        np.testing.assert_array_equal(palette, colours)


class SlicingTest(unittest.TestCase):
    def test_emptiness_rules(self):
        flat = np.zeros((40, 40), dtype=np.uint8)
        self.assertIn("distinct", slicing.emptiness_reason(flat))
        ramp = np.arange(40 * 40, dtype=np.uint16).reshape(40, 40)
        self.assertIsNone(slicing.emptiness_reason(ramp))
        # 40 of 1600 pixels (2.5%) above background, with enough distinct levels: nearly empty.
        sparse = np.zeros((40, 40), dtype=np.uint16)
        sparse[0, :] = np.arange(1, 41)
        self.assertIn("foreground", slicing.emptiness_reason(sparse, window=(0.0, 40.0)))
        self.assertIn("smaller", slicing.emptiness_reason(ramp[:10]))

    def test_canonical_slices_orientation_and_step(self):
        # RAS volume whose value encodes the voxel position: value = 100 x + 10 y + z.
        x, y, z = np.meshgrid(np.arange(40), np.arange(50), np.arange(36), indexing="ij")
        volume = (100 * x + 10 * y + z).astype(np.int32)
        cuts = list(slicing.canonical_slices(volume, (1.0, 2.0, 3.0), step=10, offset=5))
        axial = [c for c in cuts if c[0] == "axial"]
        self.assertEqual([c[1] for c in axial], [5, 15, 25, 35])
        _, _, image, spacing = axial[0]
        self.assertEqual(image.shape, (50, 40))  # rows run along y, columns along x
        self.assertEqual(image[0, 0], 100 * 0 + 10 * 49 + 5)  # top row is the most anterior (largest y)
        self.assertEqual(spacing, (1.0, 2.0))
        _, _, sagittal, spacing = [c for c in cuts if c[0] == "sagittal"][0]
        self.assertEqual(sagittal[0, 0], 100 * 5 + 10 * 0 + 35)  # top row is the most superior (largest z)
        self.assertEqual(spacing, (2.0, 3.0))

    def test_near_duplicates_shifted_copy_is_caught_other_image_is_kept(self):
        rng = np.random.default_rng(3)
        base = np.zeros((80, 80))
        base[20:60, 15:65] = rng.uniform(50, 255, size=(40, 50))
        shifted = np.roll(np.roll(base, 7, axis=0), -5, axis=1)
        other = np.zeros((80, 80))
        other[10:70, 30:50] = np.linspace(0, 255, 20)[None, :]
        filter_ = slicing.NearDuplicateFilter()
        self.assertIsNone(filter_.check("base", base))
        self.assertEqual(filter_.check("shifted", shifted), "base")
        self.assertIsNone(filter_.check("other", other))


class MosaicTest(unittest.TestCase):
    def test_resampling_keeps_constants_and_ramps_and_averages_when_shrinking(self):
        for source, target in ((90, 30), (30, 90), (17, 17), (100, 7)):
            weights = mosaic.resampling_matrix(source, target)
            self.assertEqual(weights.shape, (target, source))
            np.testing.assert_allclose(weights.sum(axis=1), 1.0)
        # A ramp sampled at pixel centres: shrinking 3:1 gives the centre pixel of each triple (away from
        # the ends, where the widened tent is cut off).
        ramp = np.arange(90, dtype=float)
        np.testing.assert_allclose((mosaic.resampling_matrix(90, 30) @ ramp)[1:-1], np.arange(4, 87, 3))
        # Alternating +-1 (the finest detail) averages out when shrinking 2:1 instead of aliasing.
        stripes = np.tile([1.0, -1.0], 32)
        self.assertLess(np.abs(mosaic.resampling_matrix(64, 32)[1:-1] @ stripes).max(), 1e-12)

    def test_fit_into_tile_keeps_aspect_and_centres(self):
        image = np.ones((60, 120))
        tile = mosaic.fit_into_tile(image, 40)
        self.assertEqual(tile.shape, (40, 40))
        rows = np.flatnonzero(tile.any(axis=1))
        self.assertEqual((rows[0], rows[-1]), (10, 29))  # 20 rows of ones, 10 zero rows above and below
        np.testing.assert_allclose(tile[10:30], 1.0)

    def test_montage_lays_slices_out_row_by_row_and_leaves_the_rest_empty(self):
        slices = [np.full((50, 50), float(k + 1)) for k in range(7)]
        image = mosaic.montage(slices, rows=2, columns=4, tile=25)
        self.assertEqual(image.shape, (50, 100))
        means = image.reshape(2, 25, 4, 25).mean(axis=(1, 3))
        np.testing.assert_allclose(means, [[1, 2, 3, 4], [5, 6, 7, 0]])
        with self.assertRaises(ValueError):
            mosaic.montage(slices, rows=2, columns=3, tile=25)

    def test_rician_noise_lifts_the_background_to_its_rayleigh_mean(self):
        random = np.random.default_rng(5)
        noisy = mosaic.rician_magnitude(np.zeros((400, 400)), 2.0, random)
        self.assertGreater(noisy.min(), -1e-12)
        self.assertAlmostEqual(noisy.mean(), 2.0 * np.sqrt(np.pi / 2), delta=0.02)


class DicomTest(unittest.TestCase):
    def test_palette_colour_becomes_bt601_luminance_in_8_bits(self):
        from pydicom.dataset import Dataset, FileMetaDataset
        from pydicom.uid import ExplicitVRLittleEndian

        from medcrypt_data import dicom

        dataset = Dataset()
        dataset.file_meta = FileMetaDataset()
        dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        dataset.is_little_endian, dataset.is_implicit_VR = True, False
        dataset.Rows, dataset.Columns, dataset.SamplesPerPixel = 1, 3, 1
        dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit, dataset.PixelRepresentation = 8, 8, 7, 0
        dataset.PhotometricInterpretation = "PALETTE COLOR"
        # 16-bit palette of 4 entries: black, pure red, pure green, white (65535 = full scale).
        red, green, blue = [0, 65535, 0, 65535], [0, 0, 65535, 65535], [0, 0, 0, 65535]
        for name, entries in (("Red", red), ("Green", green), ("Blue", blue)):
            setattr(dataset, f"{name}PaletteColorLookupTableDescriptor", [4, 0, 16])
            setattr(dataset, f"{name}PaletteColorLookupTableData", np.array(entries, dtype="<u2").tobytes())
        dataset.PixelData = bytes([1, 2, 3])
        (frame,) = dicom.decode_grey_frames(dataset)
        # By hand: red -> 0.299 * 255 = 76.2 -> 76; green -> 0.587 * 255 = 149.7 -> 150; white -> 255.
        np.testing.assert_array_equal(frame, np.array([[76, 150, 255]], dtype=np.uint8))


class ManifestTest(unittest.TestCase):
    def test_pixel_digest_ignores_byte_order_but_not_type_or_values(self):
        image = np.array([[1, 2], [3, 4]], dtype="<u2")
        self.assertEqual(manifest.pixel_sha256(image), manifest.pixel_sha256(image.astype(">u2")))
        self.assertNotEqual(manifest.pixel_sha256(image), manifest.pixel_sha256(image.astype("<i2")))
        changed = image.copy()
        changed[1, 1] = 5
        self.assertNotEqual(manifest.pixel_sha256(image), manifest.pixel_sha256(changed))

    def test_slice_names(self):
        name = manifest.slice_name("mricron-data", "a/b/ch2.nii.gz", "axial", 7)
        self.assertEqual(name, "mricron-data_ch2_axial007.mha")
        name = manifest.slice_name("heudiconv", "x/01+AA+00001.dcm", "2d", 0)
        self.assertEqual(name, "heudiconv_01-AA-00001_2d000.mha")


if __name__ == "__main__":
    unittest.main()
