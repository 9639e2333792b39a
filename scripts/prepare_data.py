#!/usr/bin/python3
"""Prepare MedCrypt's image data from the Debian packages that scripts/fetch-data.sh extracted.

Usage: prepare_data.py --packages PKGDIR [--force] [OUT]

PKGDIR holds one directory per package (PKGDIR/<package>/usr/...), OUT (default: data/ next to scripts/)
receives three directories, each complete or absent (built under a temporary name, then renamed):

  train/       2-D training slices as MetaImage (.mha), MANIFEST.tsv, SKIPPED.tsv
  heldout/     dicom/ (copied held-out DICOM files), slices/ (.mha for evaluation), MANIFEST.tsv, SKIPPED.tsv
  dicom-tree/  <package>/<original path>: the conversion-test tree for the DICOM converter, MANIFEST.tsv

A directory that already has its MANIFEST.tsv is left alone unless --force is given. At the end the
held-out split is checked against the training set (no shared source file, no identical slice) and a
summary is printed. Runs with Debian's /usr/bin/python3, numpy and pydicom; nibabel (and the packaging
module it needs) is imported from the extracted python3-nibabel / python3-packaging when not installed.
"""

import argparse
import collections
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from medcrypt_data import manifest, metaimage, png, slicing

# nibabel and medcrypt_data.dicom (which imports pydicom) are imported inside the functions that use them,
# after _import_libraries has made them importable.

# ---------------------------------------------------------------------------------------------------------
# THE HELD-OUT SPLIT. Training never reads these files; the check at the end enforces it.
#   * python3-pydicom's test files (all of them): the conversion-test tree, CT/MR/NM/RT/US/SC images in
#     every transfer syntax.
#   * dicom3tools' example 0051.dcm (MR, 360 x 360).
#   * dicomnifti's example 0001.dcm: the same MR series as 0051.dcm (pixel correlation 0.986), so both
#     neighbours are held out together.
# Entries are (package, base directory inside the package, glob pattern under the base).
# ---------------------------------------------------------------------------------------------------------
PYDICOM_TEST_FILES = "usr/lib/python3/dist-packages/pydicom/data/test_files"
HELDOUT = (
    ("python3-pydicom", PYDICOM_TEST_FILES, "**/*"),
    ("dicom3tools", "usr/share/doc/dicom3tools/examples", "0051.dcm"),
    ("dicomnifti", "usr/share/doc/dicomnifti/examples", "0001.dcm"),
)
# Evaluation slices smaller than this (16 x 16 DICOMDIR thumbnails, 10 x 10 dose grids) are not cut.
HELDOUT_MIN_SIDE = 64

# ---------------------------------------------------------------------------------------------------------
# Training sources.
# ---------------------------------------------------------------------------------------------------------
MRICRON = "usr/share/mricron/templates"
ITK_DATA = "usr/share/doc/insighttoolkit5-examples/examples/Data"
# Volumes: (package, file, step, offset). Every step-th slice from offset is cut along each of the three
# axes, so that neighbouring training slices differ and the total stays near 1,500 slices.
TRAIN_VOLUMES = (
    ("mricron-data", f"{MRICRON}/ch2.nii.gz", 2, 0),  # Colin27 T1, 1 mm: a slice every 2 mm
    ("mricron-data", f"{MRICRON}/ch2bet.nii.gz", 2, 1),  # the same head skull-stripped: the other positions
    ("mricron-data", f"{MRICRON}/ch2better.nii.gz", 4, 2),  # 0.5 mm: every 2 mm
    ("mricron-data", f"{MRICRON}/inia19-t1-brain.nii.gz", 2, 0),  # primate brain, 0.5 mm: every 1 mm
    ("insighttoolkit5-examples", f"{ITK_DATA}/KmeansTest_T1UCharRaw.nii.gz", 1, 0),  # 2-3 mm: all
    ("python3-dipy", "usr/lib/python3/dist-packages/dipy/data/files/S0_10slices.nii.gz", 1, 0),  # 10 axial
)
# ITK's example slices, originals first: later near-duplicates (shifted, rotated, padded, resized,
# re-quantised copies) are dropped by slicing.NearDuplicateFilter.
TRAIN_ITK_IMAGES = (
    "BrainProtonDensitySlice.png",
    "BrainT1Slice.png",
    "BrainMidSagittalSlice.png",
    "FatMRISlice.png",
    "VisibleWomanEyeSlice.png",
    "VisibleWomanHeadSlice.png",
    "RatLungSlice1.mha",
    "RatLungSlice2.mha",
    "BrainProtonDensity3Slices.mha",
    "itkBrainSliceComplexMagnitude.mha",
    "ResampleImageFilterInput2x3b.mha",
    "BrainProtonDensitySlice256x256.png",
    "BrainProtonDensitySliceBSplined10.png",
    "BrainProtonDensitySliceBorder20.png",
    "BrainProtonDensitySliceR10X13Y17.png",
    "BrainProtonDensitySliceR10X13Y17S12.png",
    "BrainProtonDensitySliceRotated10.png",
    "BrainProtonDensitySliceShifted13x17y.png",
    "BrainT1SliceBorder20.png",
)
OCTAVE_IMDATA = "usr/share/octave/packages/dicom-*/imdata"
# DICOM files: (package, base directory, glob pattern). nibabel's *.dcm.gz are left out: their pixels are zeroed.
TRAIN_DICOM = (
    ("octave-dicom", OCTAVE_IMDATA, "CT-MONO2-16-ankle.dcm"),
    ("octave-dicom", OCTAVE_IMDATA, "US-PAL-8-10x-echo.dcm"),
    ("heudiconv", "usr/lib/python3/dist-packages/heudiconv/tests/data", "**/*.dcm"),
    ("python3-nibabel", "usr/lib/python3/dist-packages/nibabel/nicom/tests/data", "*.dcm"),
)

# ---------------------------------------------------------------------------------------------------------
# The conversion-test tree: dicom-tree/<package>/<path under the base directory>, files copied unchanged
# (pydicom's non-DICOM test files too: README, JSON, dumps, a gzip, so that the converter's skipping is tested).
# ---------------------------------------------------------------------------------------------------------
DICOM_TREE = HELDOUT + TRAIN_DICOM[:2]

DIST_PACKAGES = "usr/lib/python3/dist-packages"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent / "data")
    parser.add_argument("--packages", type=Path, required=True, help="directory of extracted packages")
    parser.add_argument("--force", action="store_true", help="rebuild directories that are already complete")
    args = parser.parse_args()
    if not args.packages.is_dir():
        sys.exit(f"prepare_data.py: --packages {args.packages} is not a directory; run scripts/fetch-data.sh")
    _import_libraries(args.packages)
    args.out.mkdir(parents=True, exist_ok=True)
    sources = Sources(args.packages)
    stages = (("train", prepare_train), ("heldout", prepare_heldout), ("dicom-tree", prepare_dicom_tree))
    for name, stage in stages:
        target = args.out / name
        if (target / "MANIFEST.tsv").is_file() and not args.force:
            print(f"{name}: already prepared, kept (--force rebuilds it)")
            continue
        started = time.monotonic()
        partial = args.out / f".{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        stage(sources, partial)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        print(f"{name}: prepared in {time.monotonic() - started:.1f} s")
    problems = check_split(args.out)
    print_summary(args.out)
    if problems:
        sys.exit("prepare_data.py: the held-out split leaks into training:\n  " + "\n  ".join(problems))
    print("split check: no held-out file or slice is in train/")


def _import_libraries(packages):
    """Make nibabel, packaging and pydicom importable: installed ones win, else the extracted packages'."""
    wanted = (("python3-pydicom", "pydicom"), ("python3-packaging", "packaging"), ("python3-nibabel", "nibabel"))
    for package, module in wanted:
        try:
            __import__(module)
        except ImportError:
            path = packages / package / DIST_PACKAGES
            if not (path / module).is_dir():
                sys.exit(f"prepare_data.py: {module} is neither installed nor extracted under {path}")
            sys.path.append(str(path))


class Sources:
    """Finds source files inside the extracted packages and keeps the held-out set at hand."""

    def __init__(self, root):
        self.root = root
        self.heldout = {path for entry in HELDOUT for path, _, _ in self.expand(*entry)}

    def base(self, package, base):
        """The one directory matching `base` (which may hold a wildcard such as dicom-*) in `package`."""
        matches = sorted((self.root / package).glob(base))
        if len(matches) != 1:
            raise SystemExit(f"prepare_data.py: expected one {package}/{base}, found {len(matches)}; "
                             "re-run scripts/fetch-data.sh")
        return matches[0]

    def expand(self, package, base, pattern):
        """List (path, path relative to base, path inside the package) for the files matching pattern."""
        directory = self.base(package, base)
        files = sorted(p for p in directory.glob(pattern) if p.is_file())
        if not files:
            raise SystemExit(f"prepare_data.py: nothing matches {package}/{base}/{pattern}")
        package_root = self.root / package
        return [(p, p.relative_to(directory).as_posix(), p.relative_to(package_root).as_posix()) for p in files]

    def training_file(self, package, source_file):
        """Path of a training source file; refuses any file of the held-out split."""
        path = self.root / package / source_file
        if path in self.heldout:
            raise SystemExit(f"prepare_data.py: {package}/{source_file} is held out and must not be trained on")
        if not path.is_file():
            raise SystemExit(f"prepare_data.py: {package}/{source_file} is missing; re-run scripts/fetch-data.sh")
        return path


class SliceWriter:
    """Writes slices as .mha into one directory and collects manifest rows, dropping exact duplicates."""

    def __init__(self, directory):
        self.directory = directory
        self.rows = []
        self.skipped = []
        self._by_digest = {}

    def add(self, image, package, source_file, axis, index, spacing, note="", window=None, min_side=None):
        """Write one slice unless it is nearly empty or identical to one already written; True if written."""
        reason = None
        if min_side is not None and min(image.shape) < min_side:
            reason = f"smaller than {min_side} pixels"
        reason = reason or slicing.emptiness_reason(image, window)
        digest = manifest.pixel_sha256(image)
        if reason is None and digest in self._by_digest:
            reason = f"same pixels as {self._by_digest[digest]}"
        if reason is not None:
            self.skip(package, source_file, index, reason)
            return False
        name = manifest.slice_name(package, source_file, axis, index)
        metaimage.write_mha(self.directory / name, image, spacing)
        self._by_digest[digest] = name
        self.rows.append(manifest.slice_row(name, package, source_file, axis, index, image, spacing, note))
        return True

    def skip(self, package, source_file, index, reason):
        """Record a source (or one slice of it) that produced no output, and why."""
        self.skipped.append({"package": package, "source_file": source_file, "index": index, "reason": reason})

    def finish(self, directory):
        """Write MANIFEST.tsv and SKIPPED.tsv into directory."""
        manifest.write_tsv(directory / "MANIFEST.tsv", manifest.SLICE_COLUMNS, self.rows)
        manifest.write_tsv(directory / "SKIPPED.tsv", ("package", "source_file", "index", "reason"), self.skipped)


def prepare_train(sources, out):
    """Cut the training volumes, add ITK's example slices and the training DICOM frames."""
    writer = SliceWriter(out)
    _train_volumes(sources, writer)
    _train_itk_images(sources, writer)
    _train_dicom(sources, writer)
    writer.finish(out)


def _train_volumes(sources, writer):
    """Every step-th axial, coronal and sagittal slice of each TRAIN_VOLUMES volume, in its stored type."""
    import nibabel

    for package, source_file, step, offset in TRAIN_VOLUMES:
        image = nibabel.as_closest_canonical(nibabel.load(str(sources.training_file(package, source_file))))
        volume = np.asanyarray(image.dataobj)
        if volume.ndim == 4:
            volume = volume[..., 0]
        if volume.dtype == np.float64:
            volume = volume.astype(np.float32)
        window = slicing.intensity_window(volume[::2, ::2, ::2])
        taken = empty = 0
        for axis, index, cut, spacing in slicing.canonical_slices(volume, image.header.get_zooms(), step, offset):
            if slicing.emptiness_reason(cut, window) is not None:
                empty += 1
                continue
            taken += writer.add(cut, package, source_file, axis, index, spacing, window=window)
        if empty:
            writer.skip(package, source_file, "", f"{empty} of {taken + empty} slices nearly empty")


def _train_itk_images(sources, writer):
    """ITK's example PNG/MHA slices as grey levels, near-duplicates of earlier ones left out."""
    duplicates = slicing.NearDuplicateFilter()
    for name in TRAIN_ITK_IMAGES:
        source_file = f"{ITK_DATA}/{name}"
        path = sources.training_file("insighttoolkit5-examples", source_file)
        if name.endswith(".png"):
            pixels, palette = png.read_png(path)
            spacing, note = (1.0, 1.0), ""
            if palette is not None:
                pixels, note = palette[pixels], "palette PNG"
            if pixels.ndim == 3:
                colour = pixels[..., :3]
                if (colour == colour[..., :1]).all():
                    pixels, note = colour[..., 0], (note or "RGB PNG") + " with equal channels: one channel taken"
                else:
                    pixels = np.rint(colour @ slicing.LUMA).astype(np.uint8)
                    note = (note or "RGB PNG") + ": BT.601 luminance"
            frames = [("2d", 0, pixels)]
        else:
            pixels, spacing = metaimage.read_mha(path)
            spacing, note = (spacing[0], spacing[1]), ""
            frames = [("slice", i, f) for i, f in enumerate(pixels)] if pixels.ndim == 3 else [("2d", 0, pixels)]
        for axis, index, frame in frames:
            original = duplicates.check(f"{name}[{index}]", frame)
            if original is not None:
                writer.skip("insighttoolkit5-examples", source_file, index, f"near-duplicate of {original}")
                continue
            writer.add(frame, "insighttoolkit5-examples", source_file, axis, index, spacing, note)


def _train_dicom(sources, writer):
    """Every frame of the TRAIN_DICOM files that pydicom decodes without optional decoders."""
    from medcrypt_data import dicom

    for package, base, pattern in TRAIN_DICOM:
        for _, _, source_file in sources.expand(package, base, pattern):
            dataset = dicom.read_dataset(sources.training_file(package, source_file))
            if dataset is None or "PixelData" not in dataset:
                kind = "not readable as DICOM" if dataset is None else f"no pixel data ({dataset.get('Modality', '?')})"
                writer.skip(package, source_file, "", kind)
                continue
            try:
                frames = dicom.decode_grey_frames(dataset)
            except NotImplementedError:
                writer.skip(package, source_file, "", f"needs an optional decoder ({dicom.transfer_syntax(dataset)})")
                continue
            except (ValueError, AttributeError) as error:
                writer.skip(package, source_file, "", f"pixel data not decodable: {error}")
                continue
            note = _dicom_note(dataset)
            axis = "frame" if len(frames) > 1 else "2d"
            for index, frame in enumerate(frames):
                writer.add(frame, package, source_file, axis, index, dicom.pixel_spacing(dataset), note)


def _dicom_note(dataset):
    """Modality, photometric interpretation, transfer syntax and any rescale, for the manifest's note."""
    from medcrypt_data import dicom

    parts = [
        str(dataset.get("Modality", "")),
        str(dataset.get("PhotometricInterpretation", "")),
        dicom.transfer_syntax(dataset),
    ]
    if dataset.get("PhotometricInterpretation") == "PALETTE COLOR":
        parts.append("grey = BT.601 luminance of the palette colour")
    if "RescaleSlope" in dataset or "RescaleIntercept" in dataset:
        slope, intercept = dataset.get("RescaleSlope", 1), dataset.get("RescaleIntercept", 0)
        parts.append(f"stored values; rescale {slope} x + {intercept}")
    return "; ".join(p for p in parts if p)


def prepare_heldout(sources, out):
    """Copy the held-out single-image grey DICOM files and cut evaluation slices from them."""
    from medcrypt_data import dicom

    (out / "dicom").mkdir()
    (out / "slices").mkdir()
    writer = SliceWriter(out / "slices")
    for package, base, pattern in HELDOUT:
        for path, relative, source_file in sources.expand(package, base, pattern):
            dataset = dicom.read_dataset(path)
            if not dicom.is_grey_single_image(dataset):
                writer.skip(package, source_file, "", "not copied: not a readable one-frame grey-level DICOM image")
                continue
            try:
                frame = dicom.decode_grey_frames(dataset)[0]
            except NotImplementedError:
                frame = None
                reason = f"copied; no slice: needs an optional decoder ({dicom.transfer_syntax(dataset)})"
            except (ValueError, AttributeError) as error:
                writer.skip(package, source_file, "", f"not copied: pixel data not decodable: {error}")
                continue
            target = out / "dicom" / package / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            if frame is None:
                writer.skip(package, source_file, "", reason)
                continue
            spacing, note = dicom.pixel_spacing(dataset), _dicom_note(dataset)
            written = writer.add(frame, package, source_file, "2d", 0, spacing, note, min_side=HELDOUT_MIN_SIDE)
            if not written:
                writer.skipped[-1]["reason"] = "copied; no slice: " + writer.skipped[-1]["reason"]
    writer.finish(out)


def prepare_dicom_tree(sources, out):
    """Copy the conversion-test files unchanged as <package>/<path> and list what each one is."""
    from medcrypt_data import dicom

    rows = []
    for package, base, pattern in DICOM_TREE:
        for path, relative, source_file in sources.expand(package, base, pattern):
            target = out / package / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            dataset, kind = dicom.read_dataset(path), "dicom"
            if dataset is None:
                dataset, kind = dicom.read_dataset_forced(path), "dicom-without-preamble"
                if dataset is None:
                    kind = "not-dicom"
            sop_class = dataset.get("SOPClassUID") if dataset is not None else None
            rows.append({
                "file": f"{package}/{relative}",
                "package": package,
                "source_file": source_file,
                "bytes": path.stat().st_size,
                "kind": kind,
                "modality": str(dataset.get("Modality", "")) if dataset is not None else "",
                "sop_class": getattr(sop_class, "name", "") if sop_class is not None else "",
                "transfer_syntax": dicom.transfer_syntax(dataset) if dataset is not None else "",
                "frames": dicom.frame_count(dataset) if dataset is not None and "PixelData" in dataset else 0,
            })
    columns = ("file", "package", "source_file", "bytes", "kind", "modality", "sop_class", "transfer_syntax", "frames")
    manifest.write_tsv(out / "MANIFEST.tsv", columns, rows)


def check_split(out):
    """Return the ways the held-out split leaks into train/ (shared source files, identical slices)."""
    train_manifest, heldout_manifest = out / "train" / "MANIFEST.tsv", out / "heldout" / "MANIFEST.tsv"
    if not (train_manifest.is_file() and heldout_manifest.is_file()):
        return []
    train, heldout = manifest.read_tsv(train_manifest), manifest.read_tsv(heldout_manifest)
    heldout_sources = {(r["package"], r["source_file"]) for r in heldout}
    heldout_pixels = {r["pixel_sha256"]: r["file"] for r in heldout}
    problems = [f"{r['file']} comes from held-out {r['package']}/{r['source_file']}" for r in train
                if (r["package"], r["source_file"]) in heldout_sources]
    problems += [f"{r['file']} has the same pixels as held-out {heldout_pixels[r['pixel_sha256']]}" for r in train
                 if r["pixel_sha256"] in heldout_pixels]
    return problems


def print_summary(out):
    """Counts per source and sizes of what is under out/, read back from the manifests."""
    print(f"\nSummary of {out}")
    for name in ("train", "heldout", "dicom-tree"):
        path = out / name
        if not (path / "MANIFEST.tsv").is_file():
            print(f"  {name}: missing")
            continue
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        rows = manifest.read_tsv(path / "MANIFEST.tsv")
        label = "files" if name == "dicom-tree" else "slices"
        print(f"  {name}/: {len(rows)} {label}, {size / 2**20:.1f} MiB")
        for package, count in sorted(collections.Counter(r["package"] for r in rows).items()):
            print(f"    {package:26s} {count:5d}")
        if name != "dicom-tree":
            types = collections.Counter(r["type"] for r in rows)
            print("    types: " + ", ".join(f"{t} {n}" for t, n in sorted(types.items())))
            skipped = manifest.read_tsv(path / "SKIPPED.tsv")
            print(f"    skipped sources or slices: {len(skipped)} (see {name}/SKIPPED.tsv)")
        if name == "heldout":
            copies = [f for f in (path / "dicom").rglob("*") if f.is_file()]
            print(f"    dicom/: {len(copies)} DICOM files copied")
        if name == "dicom-tree":
            kinds = collections.Counter(r["kind"] for r in rows)
            print("    kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))


if __name__ == "__main__":
    main()
