#ifndef medcrypt_DicomCodecs_h
#define medcrypt_DicomCodecs_h

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <string>

namespace medcrypt::dicom
{

/** Registers DCMTK's decoders and encoders once per process (thread-safe, idempotent): JPEG
 * (baseline, extended, lossless; dcmjpeg/IJG 8/12/16 bit), JPEG-LS (dcmjpls/CharLS) and RLE (dcmdata).
 * The JPEG decoder converts YCbCr to RGB (EDC_photometricInterpretation, DCMTK's default) and updates
 * Photometric Interpretation accordingly. Deregistration happens at process exit. */
void
RegisterDicomCodecs();

/** Silences DCMTK's own log output below FATAL (its default prints warnings and errors to stderr): for
 * command-line tools, which report the same problems once, in their own words, naming the file. */
void
QuietDicomToolkitLogging();

/** True when DCMTK (with the codecs of RegisterDicomCodecs) can decode Pixel Data stored in `xfer`:
 * every native syntax (implicit/explicit, little/big endian, deflated), RLE, JPEG processes 1, 2/4, 6/8
 * (spectral selection), 10/12 (progressive) and 14 (incl. SV1), JPEG-LS lossless and near-lossless. Not: JPEG 2000,
 * HTJ2K, JPEG XL, MPEG/HEVC video, JPIP, or syntaxes DCMTK does not know. */
bool
IsDecodableTransferSyntax(E_TransferSyntax xfer);

/** The transfer syntax `dataset` is encoded in: the one it was read in, or, for a dataset built in
 * memory (never read), its current one, or Explicit VR Little Endian when DCMTK knows neither (native
 * Pixel Data). */
E_TransferSyntax
EffectiveTransferSyntax(const DcmDataset & dataset);

/** "JPEG 2000 Image Compression (1.2.840.10008.1.2.4.91)": DCMTK's name and the UID of `xfer`. */
std::string
DescribeTransferSyntax(E_TransferSyntax xfer);

} // namespace medcrypt::dicom

#endif
