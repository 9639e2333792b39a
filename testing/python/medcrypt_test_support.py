"""What the medcrypt Python tests share: the untrained tiny model file (32 x 32 tiles) that
medcryptWriteTinyModel (testing/python/WriteTinyModel.cxx) writes, so that no test needs the shipped
model. CTest sets MEDCRYPT_TINY_MODEL_WRITER and puts the built module on PYTHONPATH."""

import os
import subprocess
import tempfile

_directory = None
_model_file = None
_model_id = None


def tiny_model():
    """Returns (path, model id) of a tiny model file written once per test process."""
    global _directory, _model_file, _model_id
    if _model_file is None:
        writer = os.environ.get("MEDCRYPT_TINY_MODEL_WRITER")
        if not writer:
            raise RuntimeError("MEDCRYPT_TINY_MODEL_WRITER is not set: run these tests through ctest")
        _directory = tempfile.TemporaryDirectory(prefix="medcrypt-python-model-")
        _model_file = os.path.join(_directory.name, "tiny.mcmodel")
        result = subprocess.run([writer, _model_file, "7"], check=True, capture_output=True, text=True)
        _model_id = result.stdout.strip()
    return _model_file, _model_id
