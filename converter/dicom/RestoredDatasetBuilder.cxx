#include "RestoredDatasetBuilder.h"

#include "MedcryptPrivateBlock.h"
#include "ModifiedAttributes.h"

#include "medcrypt/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

namespace medcrypt::dicom
{

namespace
{

/** Rebuilds a pixel sequence from the bytes of block::EncapsulatedPixelData. */
DcmPixelSequence *
ParseEncapsulated(const Uint8 * data, unsigned long size, const std::string & origin)
{
  auto * sequence = new DcmPixelSequence(DcmTag(DCM_PixelSequenceTag));
  unsigned long offset = 0;
  while (offset < size)
  {
    if (size - offset < 8 || data[offset] != 0xFE || data[offset + 1] != 0xFF || data[offset + 2] != 0x00 ||
        data[offset + 3] != 0xE0)
    {
      delete sequence;
      throw UserError(origin + ": the original encapsulated Pixel Data in the envelope is malformed");
    }
    const unsigned long length =
      static_cast<unsigned long>(data[offset + 4]) | (static_cast<unsigned long>(data[offset + 5]) << 8) |
      (static_cast<unsigned long>(data[offset + 6]) << 16) | (static_cast<unsigned long>(data[offset + 7]) << 24);
    offset += 8;
    if (length > size - offset)
    {
      delete sequence;
      throw UserError(origin + ": the original encapsulated Pixel Data in the envelope is truncated");
    }
    auto * item = new DcmPixelItem(DcmTag(DCM_Item, EVR_OB));
    item->putUint8Array(data + offset, length);
    sequence->insert(item);
    offset += length;
  }
  return sequence;
}

} // namespace

RestoredFile
RestoredDatasetBuilder::Build(const DcmFileFormat & encrypted,
                              const DcmItem & modifiedAttributes,
                              const std::string & origin)
{
  DcmItem item(modifiedAttributes);
  const auto itemBlock = FindMedcryptBlock(item);
  OFString syntaxUid;
  if (!itemBlock || item
                      .findAndGetOFString(
                        DcmTagKey(MedcryptPrivateGroup, (*itemBlock << 8) | block::OriginalTransferSyntax), syntaxUid)
                      .bad())
  {
    throw UserError(origin +
                    ": the Modified Attributes item has no original transfer syntax (not written by MedCrypt)");
  }
  const DcmXfer syntax(syntaxUid.c_str());
  if (syntax.getXfer() == EXS_Unknown)
  {
    throw UserError(origin + ": the original transfer syntax " + syntaxUid.c_str() + " is not known to DCMTK");
  }

  RestoredFile restored;
  restored.transferSyntax = syntax.getXfer();
  restored.file = std::make_unique<DcmFileFormat>(encrypted);
  DcmDataset & dataset = *restored.file->getDataset();
  RemoveMedcryptBlock(dataset);
  for (const DcmTagKey & tag : TouchedAttributes())
  {
    dataset.findAndDeleteElement(tag);
  }
  for (unsigned long i = 0; i < item.card(); ++i)
  {
    DcmElement * element = item.getElement(i);
    if (element->getTag().getGroup() == MedcryptPrivateGroup)
    {
      continue;
    }
    dataset.insert(OFstatic_cast(DcmElement *, element->clone()), true);
  }
  const DcmTagKey encapsulatedTag(MedcryptPrivateGroup, (*itemBlock << 8) | block::EncapsulatedPixelData);
  if (item.tagExists(encapsulatedTag))
  {
    const Uint8 * data = nullptr;
    unsigned long size = 0;
    item.findAndGetUint8Array(encapsulatedTag, data, &size);
    DcmPixelSequence * sequence = ParseEncapsulated(data, size, origin);
    auto * pixelData = new DcmPixelData(DcmTag(DCM_PixelData, EVR_OB));
    pixelData->putOriginalRepresentation(restored.transferSyntax, nullptr, sequence);
    dataset.insert(pixelData, true);
  }
  OFString sopInstance;
  if (dataset.findAndGetOFString(DCM_SOPInstanceUID, sopInstance).good())
  {
    restored.file->getMetaInfo()->putAndInsertString(DCM_MediaStorageSOPInstanceUID, sopInstance.c_str());
  }
  return restored;
}

} // namespace medcrypt::dicom
