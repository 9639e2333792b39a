#include "NetworkOnlyRestore.h"

#include "AtomicFileWriter.h"
#include "DicomCodecs.h"
#include "DicomFileIO.h"
#include "DicomPixelData.h"
#include "ModifiedAttributes.h"

#include "../CipherCommandSupport.h"

#include "itkImage.h"
#include "itkNeuralDecryptImageFilter.h"
#include "medcrypt/CipherHeader.h"
#include "medcrypt/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <utility>
#include <vector>

namespace medcrypt::cli::tree
{

namespace
{

/** The original image pixel module, read from the sealed header's Modified Attributes item. */
using OriginalPixelModule = dicom::PixelFormat;

/** A required US attribute of the original pixel module. */
std::uint16_t
RequiredUint16(DcmItem & item, const DcmTagKey & tag, const char * name, const std::string & origin)
{
  Uint16 value = 0;
  if (item.findAndGetUint16(tag, value).bad())
  {
    throw UserError(origin + ": the cipher header's original attributes lack " + name +
                    " (not written by this MedCrypt version)");
  }
  return value;
}

/** The original pixel module from the cipher header's original attributes (`item`). Number of Frames is
 * not among them, because encryption keeps it: it comes from the encrypted dataset. */
OriginalPixelModule
ReadOriginalPixelModule(DcmItem & item, DcmItem & encrypted, const std::string & origin)
{
  OriginalPixelModule module;
  module.rows = RequiredUint16(item, DCM_Rows, "Rows", origin);
  module.columns = RequiredUint16(item, DCM_Columns, "Columns", origin);
  module.samplesPerPixel = RequiredUint16(item, DCM_SamplesPerPixel, "Samples per Pixel", origin);
  module.bitsAllocated = RequiredUint16(item, DCM_BitsAllocated, "Bits Allocated", origin);
  module.bitsStored = RequiredUint16(item, DCM_BitsStored, "Bits Stored", origin);
  module.highBit = RequiredUint16(item, DCM_HighBit, "High Bit", origin);
  module.pixelRepresentation = RequiredUint16(item, DCM_PixelRepresentation, "Pixel Representation", origin);
  Uint16 planar = 0;
  if (item.findAndGetUint16(DCM_PlanarConfiguration, planar).good())
  {
    module.planarConfiguration = planar;
  }
  Sint32 frames = 0;
  if (encrypted.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames >= 1)
  {
    module.frames = static_cast<std::uint32_t>(frames);
  }
  OFString photometric;
  item.findAndGetOFString(DCM_PhotometricInterpretation, photometric);
  module.photometricInterpretation = photometric.c_str();
  const bool validBits = (module.bitsAllocated == 8 || module.bitsAllocated == 16 || module.bitsAllocated == 32) &&
                         module.bitsStored >= 1 && module.bitsStored <= module.bitsAllocated &&
                         module.highBit + 1 >= module.bitsStored && module.highBit < module.bitsAllocated;
  if (module.rows == 0 || module.columns == 0 || (module.samplesPerPixel != 1 && module.samplesPerPixel != 3) ||
      !validBits)
  {
    throw UserError(origin + ": the cipher header's original pixel module is not one MedCrypt encrypts");
  }
  return module;
}

/** The ciphertext Pixel Data as the 3-D image encryption produced (x, y, frame * samples + channel). */
using CipherImageType = itk::Image<std::uint16_t, 3>;
/** The network's decrypted values before rounding to stored values. */
using PlainImageType = itk::Image<double, 3>;

CipherImageType::Pointer
CipherImage(DcmDataset & dataset, const OriginalPixelModule & module, const std::string & origin)
{
  Uint16 rows = 0;
  Uint16 columns = 0;
  const Uint16 * words = nullptr;
  unsigned long count = 0;
  if (dataset.findAndGetUint16(DCM_Rows, rows).bad() || dataset.findAndGetUint16(DCM_Columns, columns).bad() ||
      dataset.findAndGetUint16Array(DCM_PixelData, words, &count).bad() || words == nullptr)
  {
    throw UserError(origin + ": the encrypted file has no Rows, Columns or 16-bit Pixel Data");
  }
  const std::size_t slices = std::size_t{ module.frames } * module.samplesPerPixel;
  if (count != std::size_t{ rows } * columns * slices)
  {
    throw UserError(origin + ": the encrypted Pixel Data holds " + std::to_string(count) + " samples, not the " +
                    std::to_string(std::size_t{ rows } * columns * slices) + " of its frames and channels");
  }
  auto image = CipherImageType::New();
  CipherImageType::SizeType size;
  size[0] = columns;
  size[1] = rows;
  size[2] = slices;
  image->SetRegions(CipherImageType::RegionType(size));
  image->Allocate();
  std::copy(words, words + count, image->GetBufferPointer());
  return image;
}

/** The stored bits of `value` (already in the Bits Stored range): shifted to High Bit, two's complement
 * in the allocated width. */
std::uint32_t
StoredBits(std::int64_t value, const OriginalPixelModule & module)
{
  const unsigned shift = static_cast<unsigned>(module.highBit + 1 - module.bitsStored);
  const std::uint64_t mask = (std::uint64_t{ 1 } << module.bitsAllocated) - 1;
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(value) << shift) & mask);
}

/** The decrypted planes rounded, clamped and packed as the original Pixel Data bytes (little-endian). */
std::vector<std::uint8_t>
PackStoredValues(const PlainImageType & plain, const OriginalPixelModule & module)
{
  const bool isSigned = module.pixelRepresentation == 1;
  const double minimum = isSigned ? -std::ldexp(1.0, module.bitsStored - 1) : 0.0;
  const double maximum =
    isSigned ? std::ldexp(1.0, module.bitsStored - 1) - 1.0 : std::ldexp(1.0, module.bitsStored) - 1.0;
  const std::size_t planeSize = std::size_t{ module.rows } * module.columns;
  const std::size_t bytesPerSample = module.bitsAllocated / 8;
  const std::size_t samples = planeSize * module.frames * module.samplesPerPixel;
  std::vector<std::uint8_t> bytes(samples * bytesPerSample);
  const double * values = plain.GetBufferPointer();
  for (std::uint32_t frame = 0; frame < module.frames; ++frame)
  {
    for (std::uint16_t channel = 0; channel < module.samplesPerPixel; ++channel)
    {
      const double * plane = values + (std::size_t{ frame } * module.samplesPerPixel + channel) * planeSize;
      for (std::size_t pixel = 0; pixel < planeSize; ++pixel)
      {
        const double value =
          std::isnan(plane[pixel]) ? minimum : std::clamp(std::round(plane[pixel]), minimum, maximum);
        const std::uint32_t bits = StoredBits(static_cast<std::int64_t>(value), module);
        const std::size_t frameStart = std::size_t{ frame } * planeSize * module.samplesPerPixel;
        const std::size_t index = module.planarConfiguration == 1
                                    ? frameStart + std::size_t{ channel } * planeSize + pixel
                                    : frameStart + pixel * module.samplesPerPixel + channel;
        for (std::size_t byte = 0; byte < bytesPerSample; ++byte)
        {
          bytes[index * bytesPerSample + byte] = static_cast<std::uint8_t>(bits >> (8 * byte));
        }
      }
    }
  }
  return bytes;
}

/** The Photometric Interpretation of the values encryption saw (DicomPixelData's decoding), for a
 * native file: YBR_FULL_422 was expanded to YBR_FULL; JPEG-family decoders gave RGB for YBR. */
std::string
DecodedPhotometric(const std::string & photometric, E_TransferSyntax originalSyntax)
{
  const DcmXfer syntax(originalSyntax);
  const bool jpegFamily = syntax.isEncapsulated() && originalSyntax != EXS_RLELossless;
  if (jpegFamily && photometric.rfind("YBR", 0) == 0)
  {
    return "RGB";
  }
  if (photometric == "YBR_FULL_422")
  {
    return "YBR_FULL";
  }
  return photometric;
}

} // namespace

NetworkRestoredFile
RestoreDicomImageWithNetwork(DcmFileFormat & encrypted,
                             const dicom::EncryptedParts & parts,
                             const UserKey & key,
                             std::shared_ptr<const NeuralCipher> model,
                             const std::string & origin,
                             unsigned int refinementIterations)
{
  const CipherHeader header = OpenHeader(ByteView(parts.cipherHeader), key, origin);
  if (header.sealed.originalAttributes.empty())
  {
    throw UserError(origin + ": the cipher header holds no original DICOM attributes: cannot rebuild the file");
  }
  const auto item = dicom::ParseModifiedAttributes(
    ByteView(header.sealed.originalAttributes), dicom::EncryptedContentTransferSyntaxUid, origin);
  const OriginalPixelModule module = ReadOriginalPixelModule(*item, *encrypted.getDataset(), origin);

  using FilterType = itk::NeuralDecryptImageFilter<CipherImageType, PlainImageType>;
  auto filter = FilterType::New();
  filter->SetInput(CipherImage(*encrypted.getDataset(), module, origin));
  filter->SetSealedHeader(parts.cipherHeader);
  filter->SetUserKey(key);
  filter->SetModel(std::move(model));
  filter->UseEnvelopeOff();
  filter->SetRefinementIterations(refinementIterations);
  RunFilter([&] { filter->Update(); });
  const PlainImageType * plain = filter->GetOutput();
  const auto size = plain->GetBufferedRegion().GetSize();
  if (size[0] != module.columns || size[1] != module.rows ||
      size[2] != std::size_t{ module.frames } * module.samplesPerPixel)
  {
    throw UserError(origin + ": the cipher header's geometry does not match its original pixel module");
  }

  NetworkRestoredFile result;
  result.pixelDigestMatches = filter->GetPixelDigestMatches();
  result.restored = dicom::RestoredDatasetBuilder::Build(encrypted, *item, origin);
  const E_TransferSyntax originalSyntax = result.restored.transferSyntax;
  result.originalTransferSyntax = originalSyntax;
  result.restored.transferSyntax = EXS_LittleEndianExplicit;
  DcmDataset & dataset = *result.restored.file->getDataset();
  const std::vector<std::uint8_t> bytes = PackStoredValues(*plain, module);
  if (module.bitsAllocated == 8)
  {
    dataset.putAndInsertUint8Array(DCM_PixelData, bytes.data(), static_cast<unsigned long>(bytes.size()));
  }
  else
  {
    std::vector<Uint16> words(bytes.size() / 2);
    for (std::size_t i = 0; i < words.size(); ++i)
    {
      words[i] = static_cast<Uint16>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    }
    dataset.putAndInsertUint16Array(DCM_PixelData, words.data(), static_cast<unsigned long>(words.size()));
  }
  const std::string photometric = DecodedPhotometric(module.photometricInterpretation, originalSyntax);
  if (photometric != module.photometricInterpretation)
  {
    dataset.putAndInsertString(DCM_PhotometricInterpretation, photometric.c_str());
  }
  return result;
}

FileOutcome
RestoreWithoutEnvelope(DcmFileFormat & encrypted,
                       const dicom::EncryptedParts & parts,
                       const std::filesystem::path & outputFile,
                       const NetworkRestoreContext * context,
                       const std::string & origin)
{
  FileOutcome outcome;
  if (context == nullptr)
  {
    outcome.status = FileStatus::Failed;
    outcome.message = "no exact envelope (stripped, or encrypted with --neural-only): restoring it with the network "
                      "needs the user key (--key or --key-env), not a recipient's private key";
    return outcome;
  }
  const NetworkRestoredFile network = RestoreDicomImageWithNetwork(
    encrypted, parts, context->key, context->model(), origin, context->refinementIterations);
  dicom::AtomicFileWriter::Write(
    outputFile,
    [&](const std::filesystem::path & temporary)
    { dicom::SaveDicomFile(*network.restored.file, network.restored.transferSyntax, temporary); });
  outcome.status = FileStatus::NetworkRestored;
  outcome.message = "no exact envelope: pixels decrypted by the network alone (approximate, not bit-exact)";
  if (network.originalTransferSyntax != network.restored.transferSyntax)
  {
    outcome.message += ", written as Explicit VR Little Endian, not the original " +
                       dicom::DescribeTransferSyntax(network.originalTransferSyntax) +
                       " (re-compressing approximate pixels could not give the original bytes)";
  }
  if (!network.pixelDigestMatches)
  {
    outcome.message += "; WARNING: the ciphertext pixels differ from those the cipher header was sealed for";
    std::cerr << ("medcrypt decrypt: warning: " + origin +
                  ": the ciphertext pixels were changed after encryption (pixel digest mismatch); the network "
                  "restore is less accurate\n");
  }
  return outcome;
}

} // namespace medcrypt::cli::tree
