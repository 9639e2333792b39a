"""Reading and writing 2-D MetaImage (.mha/.mhd) files, the format ITK's MetaImageIO reads natively."""

import os
import zlib

import numpy as np

# numpy dtype name -> MetaImage ElementType, for the types this project stores (ITK reads them all).
ELEMENT_TYPES = {
    "uint8": "MET_UCHAR",
    "int8": "MET_CHAR",
    "uint16": "MET_USHORT",
    "int16": "MET_SHORT",
    "uint32": "MET_UINT",
    "int32": "MET_INT",
    "float32": "MET_FLOAT",
    "float64": "MET_DOUBLE",
}
DTYPES = {met: np.dtype(name) for name, met in ELEMENT_TYPES.items()}


def write_mha(path, image, spacing=(1.0, 1.0)):
    """Write a 2-D array (rows, columns) as an uncompressed little-endian MetaImage with the data inline.

    spacing is (column spacing, row spacing), i.e. MetaImage's x then y order. The array keeps its dtype,
    which must be one of ELEMENT_TYPES; byte order is converted to little-endian.
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"{path}: write_mha wants a 2-D array, got shape {image.shape}")
    name = image.dtype.newbyteorder("=").name
    if name not in ELEMENT_TYPES:
        raise ValueError(f"{path}: pixel type {image.dtype} has no MetaImage element type here")
    rows, columns = image.shape
    header = (
        "ObjectType = Image\n"
        "NDims = 2\n"
        "BinaryData = True\n"
        "BinaryDataByteOrderMSB = False\n"
        "CompressedData = False\n"
        "TransformMatrix = 1 0 0 1\n"
        "Offset = 0 0\n"
        "CenterOfRotation = 0 0\n"
        f"ElementSpacing = {_number(spacing[0])} {_number(spacing[1])}\n"
        f"DimSize = {columns} {rows}\n"
        f"ElementType = {ELEMENT_TYPES[name]}\n"
        "ElementDataFile = LOCAL\n"
    )
    data = np.ascontiguousarray(image, dtype=image.dtype.newbyteorder("<")).tobytes()
    with open(path, "wb") as out:
        out.write(header.encode("ascii"))
        out.write(data)


def _number(value):
    """Shortest text for a spacing value (1 rather than 1.0, 0.5 rather than 0.50000)."""
    return f"{float(value):.10g}"


def read_header(path):
    """Return (fields, data offset) of a MetaImage header: fields maps keys to their text values."""
    fields = {}
    with open(path, "rb") as stream:
        while True:
            line = stream.readline()
            if not line:
                raise ValueError(f"{path}: MetaImage header has no ElementDataFile line")
            key, _, value = line.decode("latin-1").partition("=")
            fields[key.strip()] = value.strip()
            if key.strip() == "ElementDataFile":
                return fields, stream.tell()


def read_mha(path):
    """Read a MetaImage file (inline or detached raw data, optionally zlib-compressed) as a numpy array.

    Returns (array, spacing). The array is (rows, columns) for 2-D files and (slices, rows, columns) for
    3-D ones; spacing is in MetaImage's x, y[, z] order. Multi-component images are refused.
    """
    fields, offset = read_header(path)
    dims = [int(v) for v in fields["DimSize"].split()]
    if int(fields.get("ElementNumberOfChannels", "1")) != 1:
        raise ValueError(f"{path}: multi-component MetaImage files are not supported here")
    dtype = DTYPES.get(fields["ElementType"])
    if dtype is None:
        raise ValueError(f"{path}: unsupported ElementType {fields['ElementType']}")
    msb = fields.get("BinaryDataByteOrderMSB", fields.get("ElementByteOrderMSB", "False"))
    dtype = dtype.newbyteorder(">" if msb.lower() == "true" else "<")
    data_file = fields["ElementDataFile"]
    if data_file == "LOCAL":
        with open(path, "rb") as stream:
            stream.seek(offset)
            payload = stream.read()
    else:
        with open(os.path.join(os.path.dirname(path), data_file), "rb") as stream:
            payload = stream.read()
    if fields.get("CompressedData", "False").lower() == "true":
        payload = zlib.decompress(payload)
    count = int(np.prod(dims))
    array = np.frombuffer(payload, dtype=dtype, count=count).reshape(dims[::-1])
    spacing = [float(v) for v in fields.get("ElementSpacing", " ".join(["1"] * len(dims))).split()]
    return array.astype(dtype.newbyteorder("=")), spacing
