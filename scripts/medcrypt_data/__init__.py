"""Helpers for scripts/prepare_data.py: turn the images that Debian packages ship into MedCrypt's data set.

Modules: metaimage (MetaImage .mha read/write), png (PNG decoding without Pillow), dicom (pydicom reading
with a fixed set of pixel handlers), slicing (volumes to 2-D slices, emptiness and near-duplicate tests),
sources (what is taken from which package, and the held-out split), mosaic (Siemens-style mosaics of a
volume's slices, for scripts/training_mosaics.py).
"""
