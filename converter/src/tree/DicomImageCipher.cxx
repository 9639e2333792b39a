#include "DicomImageCipher.h"

#include "DicomCodecs.h"
#include "DicomFileIO.h"
#include "DicomPixelData.h"
#include "MedcryptPrivateBlock.h"
#include "ModifiedAttributes.h"

#include "../CipherCommandSupport.h"

#include "itkImage.h"
#include "itkNeuralEncryptImageFilter.h"
#include "medcrypt/CipherHeader.h"
#include "medcrypt/Envelope.h"
#include "medcrypt/Error.h"
#include "medcrypt/KeyDerivation.h"
#include "medcrypt/TileDigest.h"
#include "medcryptCipherImage.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcostrmb.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

namespace medcrypt::cli::tree
{

namespace
{

/** The ciphertext planes and the sealed header of the network (ExactEnvelope off: the DICOM envelope
 * is sealed here, from the DICOM attributes). */
struct NetworkCiphertext
{
  dicom::EncryptedFrames frames;
  std::vector<std::uint8_t> sealedHeader;
};

/** Runs the cipher network over the frames x channels of `pixels` as one 3-D image of `TPixel`. */
template<typename TPixel>
NetworkCiphertext
EncryptPlanes(const dicom::DicomPixelData & pixels, const DicomEncryptionContext & context)
{
  using InputImageType = itk::Image<TPixel, 3>;
  const dicom::PixelFormat & format = pixels.Format();
  auto image = InputImageType::New();
  typename InputImageType::SizeType size;
  size[0] = format.columns;
  size[1] = format.rows;
  size[2] = std::size_t{ format.frames } * format.samplesPerPixel;
  image->SetRegions(typename InputImageType::RegionType(size));
  image->Allocate();
  TPixel * buffer = image->GetBufferPointer();
  for (std::uint32_t frame = 0; frame < format.frames; ++frame)
  {
    for (std::uint16_t channel = 0; channel < format.samplesPerPixel; ++channel)
    {
      const auto plane = pixels.Plane(frame, channel);
      TPixel * slice = buffer + (std::size_t{ frame } * format.samplesPerPixel + channel) * format.PlaneSize();
      std::transform(plane.begin(), plane.end(), slice, [](std::int64_t value) { return static_cast<TPixel>(value); });
    }
  }

  auto filter = itk::NeuralEncryptImageFilter<InputImageType>::New();
  filter->SetInput(image);
  filter->SetModel(context.model);
  filter->SetUserKey(context.key);
  filter->SetKeySchedule(context.schedule);
  filter->SetExactEnvelope(false);
  RunFilter([&] { filter->Update(); });

  const auto * cipher = filter->GetOutput();
  const auto cipherSize = cipher->GetBufferedRegion().GetSize();
  NetworkCiphertext result;
  result.frames.columns = static_cast<std::uint32_t>(cipherSize[0]);
  result.frames.rows = static_cast<std::uint32_t>(cipherSize[1]);
  result.frames.frames = format.frames;
  result.frames.samplesPerPixel = format.samplesPerPixel;
  const std::size_t count = cipher->GetBufferedRegion().GetNumberOfPixels();
  result.frames.samples.assign(cipher->GetBufferPointer(), cipher->GetBufferPointer() + count);
  result.sealedHeader = filter->GetSealedHeader();
  return result;
}

/** The bytes of `dataset` encoded in `xfer` without group lengths (to compare two datasets element by
 * element). Works on a copy. */
std::vector<std::uint8_t>
EncodedDataset(const DcmDataset & dataset, E_TransferSyntax xfer, const std::string & origin)
{
  DcmDataset copy(dataset);
  copy.loadAllDataIntoMemory();
  copy.computeGroupLengthAndPadding(EGL_withoutGL, EPD_noChange, xfer, EET_ExplicitLength);
  const Uint32 length = copy.getLength(xfer, EET_ExplicitLength);
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(length) + 1024);
  DcmOutputBufferStream stream(buffer.data(), static_cast<offile_off_t>(buffer.size()));
  copy.transferInit();
  const OFCondition status = copy.write(stream, xfer, EET_ExplicitLength, nullptr);
  copy.transferEnd();
  if (status.bad())
  {
    throw UserError(origin + ": verification cannot encode the dataset in " + dicom::DescribeTransferSyntax(xfer) +
                    ": " + status.text());
  }
  void * data = nullptr;
  offile_off_t written = 0;
  stream.flushBuffer(data, written);
  buffer.resize(static_cast<std::size_t>(written));
  return buffer;
}

/** The tag of the first element at which two encoded datasets differ, as "(gggg,eeee)" (or "the end"). */
std::string
FirstDifference(DcmDataset & expected, DcmDataset & actual)
{
  const unsigned long count = std::max(expected.card(), actual.card());
  for (unsigned long i = 0; i < count; ++i)
  {
    DcmElement * a = expected.getElement(i);
    DcmElement * b = actual.getElement(i);
    if (a == nullptr || b == nullptr || a->getTag() != b->getTag() || a->compare(*b) != 0)
    {
      const DcmElement * named = a != nullptr ? a : b;
      return named == nullptr ? std::string("the end") : std::string(named->getTag().toString().c_str());
    }
  }
  return "the end";
}

} // namespace

DicomEncryptionContext::DicomEncryptionContext(const UserKey & key_,
                                               std::shared_ptr<const NeuralCipher> model_,
                                               KeySchedule schedule_,
                                               std::vector<std::string> recipientCertificates_)
  : key(key_)
  , model(std::move(model_))
  , schedule(schedule_)
  , recipientCertificates(std::move(recipientCertificates_))
  , builder(DeriveSubkey(key_, UidKeyInfo).View())
{
  if (!model)
  {
    throw std::invalid_argument("DicomEncryptionContext: no model");
  }
}

std::unique_ptr<DcmFileFormat>
EncryptDicomImage(DcmFileFormat & original, const DicomEncryptionContext & context, const std::string & origin)
{
  const auto pixels = dicom::DicomPixelData::Decode(*original.getDataset(), origin);
  NetworkCiphertext ciphertext = VisitSampleType(pixels.StoredSampleType(),
                                                 [&](auto tag)
                                                 {
                                                   using PixelType = typename decltype(tag)::Type;
                                                   return EncryptPlanes<PixelType>(pixels, context);
                                                 });

  // The header of the network, completed with the DICOM originals and resealed.
  CipherHeader header = OpenHeader(ByteView(ciphertext.sealedHeader), context.key, origin);
  header.clear.neuralOnly = false;
  header.sealed.originalAttributes =
    dicom::SerializeModifiedAttributes(*dicom::CollectModifiedAttributes(original, false, origin));

  dicom::EncryptedParts parts;
  parts.cipherHeader = SealHeader(header, context.key);
  parts.hasEnvelope = true;
  parts.envelopeTransferSyntaxUid = dicom::EncryptedContentTransferSyntaxUid;
  const auto plaintext = dicom::SerializeModifiedAttributes(*dicom::CollectModifiedAttributes(original, true, origin));
  parts.envelope = SealEnvelope(ByteView(plaintext), context.key, context.recipientCertificates);
  return context.builder.Build(original, ciphertext.frames, parts, origin);
}

EnvelopeOpener
EnvelopeOpener::WithKey(const UserKey & key)
{
  EnvelopeOpener opener;
  opener.m_Key = key;
  return opener;
}

EnvelopeOpener
EnvelopeOpener::WithPrivateKey(std::string certificateFile, std::string privateKeyFile)
{
  EnvelopeOpener opener;
  opener.m_CertificateFile = std::move(certificateFile);
  opener.m_PrivateKeyFile = std::move(privateKeyFile);
  return opener;
}

std::vector<std::uint8_t>
EnvelopeOpener::Open(ByteView envelope, const std::string & origin) const
{
  if (m_Key)
  {
    return OpenEnvelope(envelope, *m_Key, origin);
  }
  return OpenEnvelopeWithPrivateKey(envelope, m_CertificateFile, m_PrivateKeyFile, origin);
}

dicom::RestoredFile
RestoreDicomImage(DcmFileFormat & encrypted, const EnvelopeOpener & opener, const std::string & origin)
{
  const auto parts = dicom::ReadEncryptedParts(*encrypted.getDataset(), origin);
  if (!parts)
  {
    throw UserError(origin + ": has no MedCrypt block: not encrypted by medcrypt");
  }
  if (!parts->hasEnvelope)
  {
    throw UserError(origin + ": has no exact envelope (encrypted with --neural-only, or the envelope was stripped)");
  }
  const auto plaintext = opener.Open(ByteView(parts->envelope), origin);
  const auto item = dicom::ParseModifiedAttributes(ByteView(plaintext), parts->envelopeTransferSyntaxUid, origin);
  return dicom::RestoredDatasetBuilder::Build(encrypted, *item, origin);
}

void
VerifyEncryptedFile(const std::filesystem::path & encryptedFile,
                    DcmFileFormat & original,
                    const UserKey & key,
                    const std::string & origin)
{
  const std::string failure = origin + ": verification failed: ";
  auto written = dicom::LoadDicomFile(encryptedFile);
  DcmDataset & dataset = *written->getDataset();
  const auto parts = dicom::ReadEncryptedParts(dataset, origin);
  if (!parts || !parts->hasEnvelope)
  {
    throw UserError(failure + "the written file has no MedCrypt block or no exact envelope");
  }
  const CipherHeader header = OpenHeader(ByteView(parts->cipherHeader), key, origin);
  const Uint16 * words = nullptr;
  unsigned long count = 0;
  if (dataset.findAndGetUint16Array(DCM_PixelData, words, &count).bad() || words == nullptr)
  {
    throw UserError(failure + "the written file has no 16-bit Pixel Data");
  }
  TileDigester digester;
  digester.Add(words, count);
  if (digester.Finish(std::nullopt).h != header.clear.pixelDigest)
  {
    throw UserError(failure + "the written ciphertext pixels differ from those the cipher header records");
  }

  const auto restored = RestoreDicomImage(*written, EnvelopeOpener::WithKey(key), origin);
  const E_TransferSyntax originalXfer = dicom::EffectiveTransferSyntax(*original.getDataset());
  if (restored.transferSyntax != originalXfer)
  {
    throw UserError(failure + "the restored transfer syntax " + dicom::DescribeTransferSyntax(restored.transferSyntax) +
                    " is not the original " + dicom::DescribeTransferSyntax(originalXfer));
  }
  if (EncodedDataset(*restored.file->getDataset(), originalXfer, origin) !=
      EncodedDataset(*original.getDataset(), originalXfer, origin))
  {
    throw UserError(failure + "the restored dataset differs from the input, first at " +
                    FirstDifference(*original.getDataset(), *restored.file->getDataset()));
  }
}

} // namespace medcrypt::cli::tree
