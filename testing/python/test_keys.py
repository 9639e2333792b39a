"""medcrypt.Key: generation, files (mode 0600, no silent overwrite), passphrases, secrecy of repr."""

import json
import os
import stat
import tempfile
import unittest

import medcrypt


class KeyTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory(prefix="medcrypt-python-keys-")
        self.path = os.path.join(self.directory.name, "user.key")

    def tearDown(self):
        self.directory.cleanup()

    def test_saved_key_file_has_mode_0600_and_loads(self):
        key = medcrypt.Key.generate()
        key.save(self.path)
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o600)
        loaded = medcrypt.Key.load(self.path)
        self.assertEqual((loaded.mu, loaded.burn_in), (key.mu, key.burn_in))

    def test_save_refuses_to_overwrite_unless_asked(self):
        medcrypt.Key.generate().save(self.path)
        with open(self.path, "rb") as handle:
            first = handle.read()
        with self.assertRaises(medcrypt.Error) as raised:
            medcrypt.Key.generate().save(self.path)
        self.assertIn("file exists", str(raised.exception))
        with open(self.path, "rb") as handle:
            self.assertEqual(handle.read(), first, "a refused save must leave the file alone")
        medcrypt.Key.generate().save(self.path, overwrite=True)
        with open(self.path, "rb") as handle:
            self.assertNotEqual(handle.read(), first)

    def test_load_refuses_a_key_file_others_may_read(self):
        medcrypt.Key.generate().save(self.path)
        os.chmod(self.path, 0o644)
        with self.assertRaises(medcrypt.Error) as raised:
            medcrypt.Key.load(self.path)
        self.assertIn("mode", str(raised.exception))

    def test_repr_and_str_hide_the_secret_words(self):
        key = medcrypt.Key.generate()
        key.save(self.path)
        with open(self.path) as handle:
            words = json.load(handle)["b"]
        self.assertEqual(len(words), 4)
        for text in (repr(key), str(key)):
            for word in words:
                self.assertNotIn(word.lower(), text.lower())
        self.assertFalse(any(name in dir(key) for name in ("b", "words", "bytes")))

    def test_generate_checks_mu(self):
        with self.assertRaises(medcrypt.Error):
            medcrypt.Key.generate(mu=2.0)
        self.assertEqual(medcrypt.Key.generate(mu=3.7, burn_in=50).burn_in, 50)

    def test_short_passphrase_is_refused(self):
        with self.assertRaises(medcrypt.Error):
            medcrypt.Key.from_passphrase("short")


if __name__ == "__main__":
    unittest.main()
