"""medcrypt.encrypt / decrypt / EncryptedImage / load_encrypted with the untrained tiny model
(32 x 32 tiles): exact round trips for every dtype, network-only decryption, refusals."""

import os
import tempfile
import unittest
import warnings

import numpy as np

import medcrypt
from medcrypt_test_support import tiny_model

DTYPES = [np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.float32, np.float64]
# Neither shape is a multiple of the tiny model's 32-pixel tiles.
SHAPES = [(37, 45), (3, 33, 40)]


def sample_array(dtype, shape, seed):
    """Random values over the whole range of integer dtypes; wide-ranging values for floating ones."""
    generator = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return generator.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return (generator.standard_normal(shape) * 1000.0).astype(dtype)


def padded(shape, tile):
    """The ciphertext's shape: rows and columns rounded up to whole tiles, slices unchanged."""
    return tuple(shape[:-2]) + tuple(-(-extent // tile) * tile for extent in shape[-2:])


class CipherTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        path, cls.model_id = tiny_model()
        cls.model = medcrypt.Model.load(path)
        cls.key = medcrypt.Key.from_passphrase("correct horse battery staple")
        cls.directory = tempfile.TemporaryDirectory(prefix="medcrypt-python-cipher-")

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def test_model_properties(self):
        self.assertEqual(self.model.tile_size, 32)
        self.assertEqual(self.model.preset, "tiny")
        self.assertEqual(self.model.model_id, self.model_id)

    def test_missing_model_file_raises(self):
        with self.assertRaises(medcrypt.Error) as raised:
            medcrypt.Model.load(os.path.join(self.directory.name, "missing.mcmodel"))
        self.assertIn("missing.mcmodel", str(raised.exception))

    def test_exact_round_trip_of_every_dtype_2d_and_3d(self):
        for index, dtype in enumerate(DTYPES):
            for shape in SHAPES:
                with self.subTest(dtype=np.dtype(dtype).name, shape=shape):
                    original = sample_array(dtype, shape, seed=index)
                    encrypted = medcrypt.encrypt(original, self.key, model=self.model)
                    self.assertEqual(encrypted.pixels.dtype, np.uint16)
                    self.assertEqual(encrypted.pixels.shape, padded(shape, 32))
                    self.assertIsNotNone(encrypted.envelope)
                    self.assertEqual(encrypted.original_shape, shape)
                    self.assertEqual(encrypted.original_dtype, np.dtype(dtype).name)
                    restored = medcrypt.decrypt(encrypted, self.key)
                    self.assertEqual(restored.dtype, np.dtype(dtype))
                    self.assertEqual(restored.shape, shape)
                    self.assertEqual(restored.tobytes(), original.tobytes(), "bit-exact through the envelope")

    def test_non_contiguous_and_big_endian_arrays_encrypt_their_values(self):
        original = sample_array(np.int16, (40, 50), seed=11)
        for variant in (original[:, ::-1], original.astype(">i2")):
            restored = medcrypt.decrypt(medcrypt.encrypt(variant, self.key, model=self.model), self.key)
            np.testing.assert_array_equal(restored, variant)

    def test_network_only_decryption_has_the_original_shape_and_dtype(self):
        for dtype in (np.uint8, np.int16, np.float32):
            for shape in SHAPES:
                with self.subTest(dtype=np.dtype(dtype).name, shape=shape):
                    original = sample_array(dtype, shape, seed=3)
                    with_envelope = medcrypt.encrypt(original, self.key, model=self.model)
                    approximate = medcrypt.decrypt(with_envelope, self.key, model=self.model, network_only=True)
                    self.assertEqual((approximate.dtype, approximate.shape), (np.dtype(dtype), shape))
                    without_envelope = medcrypt.encrypt(original, self.key, model=self.model, exact=False)
                    self.assertIsNone(without_envelope.envelope)
                    # Deterministic: the same image, key and model give the same ciphertext pixels.
                    np.testing.assert_array_equal(without_envelope.pixels, with_envelope.pixels)
                    approximate = medcrypt.decrypt(without_envelope, self.key, model=self.model)
                    self.assertEqual((approximate.dtype, approximate.shape), (np.dtype(dtype), shape))

    def test_wrong_key_raises_error_with_message(self):
        encrypted = medcrypt.encrypt(sample_array(np.uint8, (20, 20), seed=5), self.key, model=self.model)
        other = medcrypt.Key.generate()
        for network_only in (False, True):
            with self.assertRaises(medcrypt.Error) as raised:
                medcrypt.decrypt(encrypted, other, model=self.model, network_only=network_only)
            self.assertIn("wrong key", str(raised.exception))
        # The same passphrase gives the same key again: it opens the ciphertext.
        again = medcrypt.Key.from_passphrase("correct horse battery staple")
        self.assertEqual(medcrypt.decrypt(encrypted, again).shape, (20, 20))

    def test_tampered_header_raises(self):
        encrypted = medcrypt.encrypt(sample_array(np.uint16, (20, 30), seed=6), self.key, model=self.model)
        header = bytearray(encrypted.header)
        # docs/format.md section 6: magic, version, J, clear JSON (24..24+J), pixel digest (32 bytes, not
        # authenticated), nonce (12), S, sealed part (S), tag (16). One byte in each authenticated field.
        clear_length = int.from_bytes(header[20:24], "little")
        positions = {"clear JSON": 24 + clear_length // 2, "nonce": 56 + clear_length + 5,
                     "sealed part": 72 + clear_length, "tag": len(header) - 1}
        for field, position in positions.items():
            with self.subTest(field=field):
                tampered = bytearray(header)
                tampered[position] ^= 0x01
                with self.assertRaises(medcrypt.Error) as raised:
                    changed = medcrypt.EncryptedImage(encrypted.pixels, bytes(tampered), encrypted.envelope)
                    medcrypt.decrypt(changed, self.key)
                self.assertTrue(str(raised.exception))
        # The untouched parts rebuild a working ciphertext: the refusal came from the changed byte.
        rebuilt = medcrypt.EncryptedImage(encrypted.pixels, bytes(header), encrypted.envelope)
        self.assertEqual(medcrypt.decrypt(rebuilt, self.key).shape, (20, 30))

    def test_changed_pixels_warn(self):
        encrypted = medcrypt.encrypt(sample_array(np.uint8, (32, 32), seed=8), self.key, model=self.model)
        pixels = encrypted.pixels.copy()
        pixels[0, 0] ^= 1
        changed = medcrypt.EncryptedImage(pixels, encrypted.header, None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            medcrypt.decrypt(changed, self.key, model=self.model)
        self.assertTrue(any(issubclass(w.category, RuntimeWarning) for w in caught))

    def test_ciphertext_pixels_are_read_only(self):
        encrypted = medcrypt.encrypt(sample_array(np.uint8, (10, 10), seed=9), self.key, model=self.model)
        with self.assertRaises(ValueError):
            encrypted.pixels[0, 0] = 0

    def test_unsupported_arrays_are_refused(self):
        with self.assertRaises(TypeError):
            medcrypt.encrypt(np.zeros((8, 8), dtype=np.int64), self.key, model=self.model)
        with self.assertRaises(ValueError):
            medcrypt.encrypt(np.zeros(8, dtype=np.uint8), self.key, model=self.model)
        for spacing in ((0.0, 1.0), (1.0, 1.0, 1.0)):
            with self.assertRaises(ValueError):
                medcrypt.encrypt(np.zeros((8, 8), dtype=np.uint8), self.key, model=self.model, spacing=spacing)

    def test_save_and_load_encrypted_round_trip(self):
        original = sample_array(np.int16, (2, 40, 35), seed=10)
        encrypted = medcrypt.encrypt(original, self.key, model=self.model, spacing=(0.5, 0.7, 2.0),
                                     origin=(-10.0, 4.0, 1.5))
        path = os.path.join(self.directory.name, "volume.mha")
        encrypted.save(path)
        self.assertTrue(os.path.isfile(path + ".medcrypt"))
        loaded = medcrypt.load_encrypted(path)
        np.testing.assert_array_equal(loaded.pixels, encrypted.pixels)
        self.assertEqual(loaded.header, encrypted.header)
        self.assertEqual(loaded.envelope, encrypted.envelope)
        np.testing.assert_allclose(loaded.spacing, (0.5, 0.7, 2.0))
        np.testing.assert_allclose(loaded.origin, (-10.0, 4.0, 1.5))
        restored = medcrypt.decrypt(loaded, self.key)
        self.assertEqual(restored.tobytes(), original.tobytes())
        self.assertEqual(restored.dtype, original.dtype)

    def test_load_encrypted_refuses_a_missing_sidecar(self):
        encrypted = medcrypt.encrypt(sample_array(np.uint8, (16, 16), seed=12), self.key, model=self.model)
        path = os.path.join(self.directory.name, "alone.mha")
        encrypted.save(path)
        os.remove(path + ".medcrypt")
        with self.assertRaises(medcrypt.Error) as raised:
            medcrypt.load_encrypted(path)
        self.assertIn("alone.mha.medcrypt", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
