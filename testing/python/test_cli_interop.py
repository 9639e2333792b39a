"""The module and the `medcrypt` command line write and read the same ciphertext file + sidecar: an
array encrypted and saved in Python is restored by `medcrypt decrypt`, re-encrypted by `medcrypt encrypt`
into the same ciphertext pixels (encryption is deterministic), and restored bit for bit in Python."""

import os
import subprocess
import tempfile
import unittest

import numpy as np

import medcrypt
from medcrypt_test_support import tiny_model

EXECUTABLE = os.environ.get("MEDCRYPT_EXECUTABLE", "")


@unittest.skipUnless(os.path.isfile(EXECUTABLE), "the medcrypt executable is not built (MEDCRYPT_EXECUTABLE)")
class CommandLineInteroperabilityTest(unittest.TestCase):
    def test_python_and_command_line_files_are_interchangeable(self):
        model_path, _ = tiny_model()
        model = medcrypt.Model.load(model_path)
        with tempfile.TemporaryDirectory(prefix="medcrypt-python-cli-") as directory:
            key_path = os.path.join(directory, "user.key")
            key = medcrypt.Key.generate()
            key.save(key_path)
            original = np.random.default_rng(4).integers(-1000, 3000, size=(2, 45, 38)).astype(np.int16)
            encrypted = medcrypt.encrypt(original, key, model=model, spacing=(0.5, 0.6, 2.0))
            python_cipher = os.path.join(directory, "python.mha")
            encrypted.save(python_cipher)

            def run(*arguments):
                subprocess.run([EXECUTABLE, *arguments, "--key", key_path, "--model", model_path], check=True,
                               capture_output=True, text=True)

            restored_file = os.path.join(directory, "restored.nrrd")
            run("decrypt", python_cipher, restored_file)
            cli_cipher = os.path.join(directory, "cli.mha")
            run("encrypt", restored_file, cli_cipher)

            from_cli = medcrypt.load_encrypted(cli_cipher)
            np.testing.assert_array_equal(from_cli.pixels, encrypted.pixels)
            np.testing.assert_allclose(from_cli.spacing, (0.5, 0.6, 2.0))
            restored = medcrypt.decrypt(from_cli, key)
            self.assertEqual(restored.dtype, original.dtype)
            self.assertEqual(restored.tobytes(), original.tobytes())


if __name__ == "__main__":
    unittest.main()
