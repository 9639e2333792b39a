#include "EncryptedDatasetBuilder.h"

#include "DicomUid.h"
#include "ModifiedAttributes.h"

#include "medcrypt/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <stdexcept>

namespace medcrypt::dicom
{

namespace
{

/** Window of the full unsigned 16-bit range (PS3.3 C.11.2.1.2.1: linear function). */
constexpr const char * FullRangeWindowCenter = "32767.5";
constexpr const char * FullRangeWindowWidth = "65536";

void
Put(DcmItem & item, const DcmTagKey & tag, const std::string & value)
{
  if (item.putAndInsertOFStringArray(tag, value.c_str()).bad())
  {
    throw std::runtime_error("cannot set attribute " + std::string(tag.toString().c_str()));
  }
}

/** Rescale 0/1 and full-range window where they are present: the stored values are ciphertext now. */
void
MakeValueTransformsConsistent(DcmItem & item)
{
  if (item.tagExists(DCM_RescaleIntercept))
  {
    Put(item, DCM_RescaleIntercept, "0");
  }
  if (item.tagExists(DCM_RescaleSlope))
  {
    Put(item, DCM_RescaleSlope, "1");
  }
  if (item.tagExists(DCM_WindowCenter) || item.tagExists(DCM_WindowWidth))
  {
    Put(item, DCM_WindowCenter, FullRangeWindowCenter);
    Put(item, DCM_WindowWidth, FullRangeWindowWidth);
  }
  item.findAndDeleteElement(DCM_WindowCenterWidthExplanation);
  item.findAndDeleteElement(DCM_VOILUTFunction);
  item.findAndDeleteElement(DCM_VOILUTSequence);
  item.findAndDeleteElement(DCM_ModalityLUTSequence);
}

/** The same inside the enhanced multi-frame functional groups (Pixel Value Transformation, Frame VOI
 * LUT and their combined macro). */
void
FixFunctionalGroups(DcmItem & dataset, const DcmTagKey & groupsTag)
{
  DcmSequenceOfItems * groups = nullptr;
  if (dataset.findAndGetSequence(groupsTag, groups).bad() || groups == nullptr)
  {
    return;
  }
  for (unsigned long i = 0; i < groups->card(); ++i)
  {
    DcmItem * group = groups->getItem(i);
    for (const DcmTagKey & macro : { DCM_PixelValueTransformationSequence, DCM_FrameVOILUTSequence })
    {
      DcmSequenceOfItems * sequence = nullptr;
      if (group->findAndGetSequence(macro, sequence).good() && sequence != nullptr)
      {
        for (unsigned long j = 0; j < sequence->card(); ++j)
        {
          MakeValueTransformsConsistent(*sequence->getItem(j));
        }
      }
    }
  }
}

std::uint32_t
FrameCount(DcmItem & dataset)
{
  Sint32 frames = 0;
  if (dataset.findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1)
  {
    return 1;
  }
  return static_cast<std::uint32_t>(frames);
}

} // namespace

EncryptedDatasetBuilder::EncryptedDatasetBuilder(ByteView uidSecret)
  : m_UidSecret(uidSecret)
{
  if (uidSecret.empty())
  {
    throw std::invalid_argument("EncryptedDatasetBuilder: the UID secret is empty");
  }
}

std::string
EncryptedDatasetBuilder::ReplacementUid(const std::string & originalUid) const
{
  return DeriveUid(m_UidSecret.View(), originalUid);
}

std::unique_ptr<DcmFileFormat>
EncryptedDatasetBuilder::Build(DcmFileFormat & original,
                               const EncryptedFrames & frames,
                               const EncryptedParts & parts,
                               const std::string & origin) const
{
  if (original.loadAllDataIntoMemory().bad())
  {
    throw UserError(origin + ": cannot read the whole file into memory (truncated?)");
  }
  DcmDataset & source = *original.getDataset();
  Uint16 originalSamples = 1;
  source.findAndGetUint16(DCM_SamplesPerPixel, originalSamples);
  if (frames.frames != FrameCount(source) || frames.samplesPerPixel != originalSamples ||
      (frames.samplesPerPixel != 1 && frames.samplesPerPixel != 3) || frames.rows == 0 || frames.columns == 0 ||
      frames.rows > 0xFFFF || frames.columns > 0xFFFF ||
      frames.samples.size() != std::size_t{ frames.rows } * frames.columns * frames.frames * frames.samplesPerPixel)
  {
    throw std::invalid_argument("EncryptedDatasetBuilder::Build: the encrypted frames of " + origin +
                                " do not match its frame count or samples per pixel, or their sample count is wrong");
  }

  auto output = std::make_unique<DcmFileFormat>(original);
  DcmDataset & dataset = *output->getDataset();
  DcmMetaInfo & meta = *output->getMetaInfo();

  // UIDs.
  OFString uid;
  if (dataset.findAndGetOFString(DCM_SOPInstanceUID, uid).good() && !uid.empty())
  {
    const std::string replacement = ReplacementUid(uid.c_str());
    Put(dataset, DCM_SOPInstanceUID, replacement);
    Put(meta, DCM_MediaStorageSOPInstanceUID, replacement);
  }
  if (dataset.findAndGetOFString(DCM_SeriesInstanceUID, uid).good() && !uid.empty())
  {
    Put(dataset, DCM_SeriesInstanceUID, ReplacementUid(uid.c_str()));
  }

  // Derived image.
  OFString imageType;
  std::string types = "DERIVED\\SECONDARY";
  if (dataset.findAndGetOFStringArray(DCM_ImageType, imageType).good())
  {
    std::string rest = imageType.c_str();
    for (int skip = 0; skip < 2; ++skip)
    {
      const auto separator = rest.find('\\');
      rest = separator == std::string::npos ? std::string() : rest.substr(separator + 1);
    }
    if (!rest.empty())
    {
      types += "\\" + rest;
    }
  }
  Put(dataset, DCM_ImageType, types);
  Put(dataset, DCM_DerivationDescription, EncryptedDerivationDescription);
  Put(dataset, DCM_BurnedInAnnotation, "NO");

  // Pixel module of the ciphertext.
  for (const DcmTagKey & tag : { DCM_SmallestImagePixelValue,
                                 DCM_LargestImagePixelValue,
                                 DCM_SmallestPixelValueInSeries,
                                 DCM_LargestPixelValueInSeries,
                                 DCM_PixelPaddingValue,
                                 DCM_PixelPaddingRangeLimit,
                                 DCM_PixelDataProviderURL,
                                 DCM_ExtendedOffsetTable,
                                 DCM_ExtendedOffsetTableLengths,
                                 DCM_PixelData })
  {
    dataset.findAndDeleteElement(tag);
  }
  for (const DcmTagKey & tag : ColourDescriptionAttributes())
  {
    dataset.findAndDeleteElement(tag);
  }
  dataset.putAndInsertUint16(DCM_SamplesPerPixel, frames.samplesPerPixel);
  Put(dataset, DCM_PhotometricInterpretation, frames.samplesPerPixel == 1 ? "MONOCHROME2" : "RGB");
  if (frames.samplesPerPixel == 1)
  {
    dataset.findAndDeleteElement(DCM_PlanarConfiguration);
  }
  else
  {
    dataset.putAndInsertUint16(DCM_PlanarConfiguration, 1);
  }
  dataset.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(frames.rows));
  dataset.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(frames.columns));
  dataset.putAndInsertUint16(DCM_BitsAllocated, 16);
  dataset.putAndInsertUint16(DCM_BitsStored, 16);
  dataset.putAndInsertUint16(DCM_HighBit, 15);
  dataset.putAndInsertUint16(DCM_PixelRepresentation, 0);
  MakeValueTransformsConsistent(dataset);
  if (dataset.tagExists(DCM_PresentationLUTShape))
  {
    Put(dataset, DCM_PresentationLUTShape, "IDENTITY");
  }
  FixFunctionalGroups(dataset, DCM_SharedFunctionalGroupsSequence);
  FixFunctionalGroups(dataset, DCM_PerFrameFunctionalGroupsSequence);
  if (dataset
        .putAndInsertUint16Array(
          DCM_PixelData, frames.samples.data(), static_cast<unsigned long>(frames.samples.size()))
        .bad())
  {
    throw std::runtime_error("cannot set the encrypted Pixel Data of " + origin);
  }

  // What decryption needs.
  WriteEncryptedParts(dataset, parts, origin);
  return output;
}

} // namespace medcrypt::dicom
