"""Reading DICOM pixel data with pydicom's own decoders only, so results do not depend on which optional
decoders (Pillow, GDCM, pylibjpeg) a machine happens to have."""

import warnings

import numpy as np
import pydicom
from pydicom.pixel_data_handlers import numpy_handler, rle_handler
from pydicom.pixel_data_handlers.util import apply_color_lut

from .slicing import LUMA

# Uncompressed (little/big endian, deflated) and RLE Lossless: what pydicom decodes with numpy alone.
pydicom.config.pixel_data_handlers = [numpy_handler, rle_handler]
# The test files are odd on purpose (invalid VRs, padding): pydicom's warnings about them are noise here;
# what matters is recorded in the SKIPPED.tsv files.
warnings.filterwarnings("ignore", module=r"pydicom(\.|$)")

GREY = ("MONOCHROME1", "MONOCHROME2")


def read_dataset(path):
    """Read a DICOM file without forcing (files without a DICOM preamble/meta are refused); None if unreadable."""
    try:
        return pydicom.dcmread(str(path))
    except Exception:  # pydicom raises many types for damaged or non-DICOM files
        return None


def read_dataset_forced(path):
    """Read a file that lacks the DICOM preamble/meta (pydicom's force=True); None unless the result looks
    like a DICOM data set (has a SOP Class UID, a Modality or pixel data) rather than forced noise."""
    try:
        dataset = pydicom.dcmread(str(path), force=True)
        if any(keyword in dataset for keyword in ("SOPClassUID", "Modality", "PixelData")):
            return dataset
    except Exception:  # forced reading of arbitrary bytes fails in many ways
        pass
    return None


def frame_count(dataset):
    """Number of frames, or None when NumberOfFrames is present but not a valid integer."""
    try:
        return int(dataset.get("NumberOfFrames", 1) or 1)
    except (TypeError, ValueError):
        return None


def is_grey_single_image(dataset):
    """True for a one-frame, one-sample MONOCHROME1/2 image of 8 bits or more (no 1-bit segmentations)."""
    return (
        dataset is not None
        and "PixelData" in dataset
        and dataset.get("PhotometricInterpretation") in GREY
        and int(dataset.get("SamplesPerPixel", 1)) == 1
        and int(dataset.get("BitsAllocated", 0) or 0) >= 8
        and frame_count(dataset) == 1
    )


def transfer_syntax(dataset):
    """The transfer syntax name (e.g. 'Explicit VR Little Endian'), or '?' when the file meta lacks it."""
    uid = getattr(getattr(dataset, "file_meta", None), "TransferSyntaxUID", None)
    return uid.name if uid is not None else "?"


def decode_grey_frames(dataset):
    """Decode the pixel data to a list of 2-D arrays in the stored integer type, native byte order.

    PALETTE COLOR frames are converted to 8-bit grey: the BT.601 luminance of the palette's RGB entries
    (what a viewer shows), not the palette index. Raises NotImplementedError when pydicom needs an optional
    decoder for the transfer syntax, ValueError when the pixel data is damaged or not grey/palette.
    """
    pixels = dataset.pixel_array
    photometric = dataset.get("PhotometricInterpretation")
    frames = frame_count(dataset)
    if photometric == "PALETTE COLOR":
        rgb = apply_color_lut(pixels, dataset).astype(np.float64)
        entry_bits = int(dataset.RedPaletteColorLookupTableDescriptor[2])
        full_scale = float(2**entry_bits - 1)
        pixels = np.rint(rgb @ LUMA * (255.0 / full_scale)).astype(np.uint8)
    elif photometric not in GREY or int(dataset.get("SamplesPerPixel", 1)) != 1:
        raise ValueError(f"photometric interpretation {photometric} is not grey or palette colour")
    pixels = pixels.astype(pixels.dtype.newbyteorder("="))
    return list(pixels) if frames and frames > 1 else [pixels]


def pixel_spacing(dataset):
    """(column spacing, row spacing) in mm from PixelSpacing, or (1, 1) when it is missing or invalid."""
    try:
        row_spacing, column_spacing = (float(v) for v in dataset.PixelSpacing)
        return column_spacing, row_spacing
    except (AttributeError, TypeError, ValueError):
        return 1.0, 1.0
