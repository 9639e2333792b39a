#include "MedcryptPrivateBlock.h"

#include "medcrypt/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrlo.h>
#include <dcmtk/dcmdata/dcvrobow.h>

namespace medcrypt::dicom
{

namespace
{
std::string
CreatorAt(DcmItem & item, std::uint16_t element)
{
  OFString value;
  if (item.findAndGetOFString(DcmTagKey(MedcryptPrivateGroup, element), value).bad())
  {
    return std::string();
  }
  std::string text = value.c_str();
  while (!text.empty() && text.back() == ' ')
  {
    text.pop_back();
  }
  return text;
}

std::vector<std::uint8_t>
GetBytes(DcmItem & item, const DcmTagKey & tag)
{
  const Uint8 * data = nullptr;
  unsigned long count = 0;
  if (item.findAndGetUint8Array(tag, data, &count).bad() || (count > 0 && data == nullptr))
  {
    return {};
  }
  return std::vector<std::uint8_t>(data, data + count);
}
/** A UL value, also when a rewrite in implicit VR without MedCrypt's private dictionary turned it into UN
 * (then its four little-endian bytes are read). */
std::optional<Uint32>
GetUint32Lenient(DcmItem & item, const DcmTagKey & tag)
{
  Uint32 value = 0;
  if (item.findAndGetUint32(tag, value).good())
  {
    return value;
  }
  const auto bytes = GetBytes(item, tag);
  if (bytes.size() != 4)
  {
    return std::nullopt;
  }
  return Uint32{ bytes[0] } | (Uint32{ bytes[1] } << 8) | (Uint32{ bytes[2] } << 16) | (Uint32{ bytes[3] } << 24);
}
} // namespace

std::optional<std::uint16_t>
FindMedcryptBlock(DcmItem & item)
{
  for (std::uint16_t element = 0x10; element <= 0xFF; ++element)
  {
    if (CreatorAt(item, element) == MedcryptPrivateCreator)
    {
      return element;
    }
  }
  return std::nullopt;
}

std::uint16_t
ReserveMedcryptBlock(DcmItem & item, const std::string & origin)
{
  if (const auto existing = FindMedcryptBlock(item))
  {
    return *existing;
  }
  for (std::uint16_t element = 0x10; element <= 0xFF; ++element)
  {
    if (!item.tagExists(DcmTagKey(MedcryptPrivateGroup, element)))
    {
      item.putAndInsertString(DcmTag(MedcryptPrivateGroup, element, EVR_LO), MedcryptPrivateCreator);
      return element;
    }
  }
  throw UserError(origin + ": private group 0099 has no free private-creator slot for \"" +
                  std::string(MedcryptPrivateCreator) + "\"");
}

DcmTag
MedcryptTag(std::uint16_t block, std::uint8_t offset, DcmEVR vr)
{
  DcmTag tag(MedcryptPrivateGroup, static_cast<Uint16>((block << 8) | offset), vr);
  tag.setPrivateCreator(MedcryptPrivateCreator);
  return tag;
}

void
RemoveMedcryptBlock(DcmItem & item)
{
  const auto block = FindMedcryptBlock(item);
  if (!block)
  {
    return;
  }
  for (unsigned long i = item.card(); i-- > 0;)
  {
    DcmElement * element = item.getElement(i);
    const DcmTagKey key = element->getTag();
    if (key.getGroup() == MedcryptPrivateGroup && (key.getElement() == *block || (key.getElement() >> 8) == *block))
    {
      delete item.remove(element);
    }
  }
}

void
WriteEncryptedParts(DcmItem & dataset, const EncryptedParts & parts, const std::string & origin)
{
  const std::uint16_t blockNumber = ReserveMedcryptBlock(dataset, origin);
  dataset.putAndInsertUint32(MedcryptTag(blockNumber, block::FormatVersion, EVR_UL), parts.formatVersion);
  dataset.putAndInsertUint32(MedcryptTag(blockNumber, block::CipherHeaderLength, EVR_UL),
                             static_cast<Uint32>(parts.cipherHeader.size()));
  dataset.putAndInsertUint8Array(MedcryptTag(blockNumber, block::CipherHeader, EVR_OB),
                                 parts.cipherHeader.data(),
                                 static_cast<unsigned long>(parts.cipherHeader.size()));
  dataset.findAndDeleteElement(DCM_EncryptedAttributesSequence);
  if (parts.hasEnvelope)
  {
    DcmItem * item = nullptr;
    if (dataset.findOrCreateSequenceItem(DCM_EncryptedAttributesSequence, item, 0).bad() || item == nullptr)
    {
      throw std::runtime_error("cannot create the Encrypted Attributes Sequence");
    }
    item->putAndInsertString(DCM_EncryptedContentTransferSyntaxUID, parts.envelopeTransferSyntaxUid.c_str());
    item->putAndInsertUint8Array(
      DCM_EncryptedContent, parts.envelope.data(), static_cast<unsigned long>(parts.envelope.size()));
  }
}

std::optional<EncryptedParts>
ReadEncryptedParts(DcmItem & dataset, const std::string & origin)
{
  const auto blockNumber = FindMedcryptBlock(dataset);
  if (!blockNumber)
  {
    return std::nullopt;
  }
  EncryptedParts parts;
  const auto version =
    GetUint32Lenient(dataset, DcmTagKey(MedcryptPrivateGroup, (*blockNumber << 8) | block::FormatVersion));
  if (!version)
  {
    throw UserError(origin + ": the MEDCRYPT private block has no format version: the file is damaged");
  }
  if (*version != MedcryptDicomFormatVersion)
  {
    throw UserError(origin + ": MEDCRYPT DICOM format version " + std::to_string(*version) +
                    " is not known to this program (it reads version " + std::to_string(MedcryptDicomFormatVersion) +
                    "); use a newer medcrypt");
  }
  parts.formatVersion = *version;
  const DcmTagKey headerTag(MedcryptPrivateGroup, (*blockNumber << 8) | block::CipherHeader);
  if (!dataset.tagExists(headerTag))
  {
    throw UserError(origin + ": the MEDCRYPT private block has no cipher header: the file is damaged");
  }
  parts.cipherHeader = GetBytes(dataset, headerTag);
  const auto headerLength =
    GetUint32Lenient(dataset, DcmTagKey(MedcryptPrivateGroup, (*blockNumber << 8) | block::CipherHeaderLength));
  if (headerLength && std::size_t{ *headerLength } + 1 == parts.cipherHeader.size() && parts.cipherHeader.back() == 0)
  {
    parts.cipherHeader.pop_back(); // the padding of an odd-length OB value
  }
  DcmItem * item = nullptr;
  if (dataset.findAndGetSequenceItem(DCM_EncryptedAttributesSequence, item, 0).good() && item != nullptr &&
      item->tagExists(DCM_EncryptedContent))
  {
    OFString syntax;
    item->findAndGetOFString(DCM_EncryptedContentTransferSyntaxUID, syntax);
    parts.hasEnvelope = true;
    parts.envelopeTransferSyntaxUid = syntax.c_str();
    parts.envelope = GetBytes(*item, DCM_EncryptedContent);
  }
  return parts;
}

} // namespace medcrypt::dicom
