#include "ModifiedAttributes.h"

#include "DicomCodecs.h"
#include "MedcryptPrivateBlock.h"

#include "medcrypt/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <zlib.h>

#include <stdexcept>

namespace medcrypt::dicom
{

namespace
{

/** (FFFE,E000) items of an encapsulated Pixel Data value, little-endian. */
std::vector<std::uint8_t>
EncapsulatedBytes(DcmPixelSequence & sequence)
{
  std::vector<std::uint8_t> bytes;
  for (unsigned long i = 0; i < sequence.card(); ++i)
  {
    DcmPixelItem * item = nullptr;
    if (sequence.getItem(item, i).bad() || item == nullptr)
    {
      throw std::runtime_error("cannot read an encapsulated Pixel Data item");
    }
    Uint8 * data = nullptr;
    const Uint32 length = item->getLength();
    if (length > 0 && (item->getUint8Array(data).bad() || data == nullptr))
    {
      throw std::runtime_error("cannot read an encapsulated Pixel Data fragment");
    }
    const std::uint8_t header[8] = { 0xFE,
                                     0xFF,
                                     0x00,
                                     0xE0,
                                     static_cast<std::uint8_t>(length),
                                     static_cast<std::uint8_t>(length >> 8),
                                     static_cast<std::uint8_t>(length >> 16),
                                     static_cast<std::uint8_t>(length >> 24) };
    bytes.insert(bytes.end(), header, header + 8);
    bytes.insert(bytes.end(), data, data + length);
  }
  return bytes;
}

std::vector<std::uint8_t>
RawDeflate(const std::vector<std::uint8_t> & input)
{
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
  {
    throw std::runtime_error("zlib deflateInit2 failed");
  }
  std::vector<std::uint8_t> output(deflateBound(&stream, static_cast<uLong>(input.size())));
  stream.next_in = const_cast<Bytef *>(input.data());
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = output.data();
  stream.avail_out = static_cast<uInt>(output.size());
  const int result = deflate(&stream, Z_FINISH);
  output.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END)
  {
    throw std::runtime_error("zlib deflate failed");
  }
  return output;
}

std::vector<std::uint8_t>
RawInflate(ByteView input, const std::string & origin)
{
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
  {
    throw std::runtime_error("zlib inflateInit2 failed");
  }
  std::vector<std::uint8_t> output;
  std::uint8_t chunk[65536];
  stream.next_in = const_cast<Bytef *>(input.data());
  stream.avail_in = static_cast<uInt>(input.size());
  int result = Z_OK;
  do
  {
    stream.next_out = chunk;
    stream.avail_out = sizeof(chunk);
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END)
    {
      inflateEnd(&stream);
      throw UserError(origin + ": the Modified Attributes content is not valid deflated data");
    }
    output.insert(output.end(), chunk, chunk + (sizeof(chunk) - stream.avail_out));
  } while (result != Z_STREAM_END && stream.avail_in > 0);
  inflateEnd(&stream);
  if (result != Z_STREAM_END)
  {
    throw UserError(origin + ": the Modified Attributes content ends before its deflate stream does");
  }
  return output;
}

} // namespace

const std::vector<DcmTagKey> &
ColourDescriptionAttributes()
{
  static const std::vector<DcmTagKey> tags = {
    DCM_RedPaletteColorLookupTableDescriptor,
    DCM_GreenPaletteColorLookupTableDescriptor,
    DCM_BluePaletteColorLookupTableDescriptor,
    DCM_AlphaPaletteColorLookupTableDescriptor,
    DCM_PaletteColorLookupTableUID,
    DCM_RedPaletteColorLookupTableData,
    DCM_GreenPaletteColorLookupTableData,
    DCM_BluePaletteColorLookupTableData,
    DCM_AlphaPaletteColorLookupTableData,
    DCM_SegmentedRedPaletteColorLookupTableData,
    DCM_SegmentedGreenPaletteColorLookupTableData,
    DCM_SegmentedBluePaletteColorLookupTableData,
    DCM_SegmentedAlphaPaletteColorLookupTableData,
    DCM_ICCProfile,
    DCM_ColorSpace,
  };
  return tags;
}

const std::vector<DcmTagKey> &
TouchedAttributes()
{
  static const std::vector<DcmTagKey> tags = []
  {
    std::vector<DcmTagKey> touched = {
      DCM_ImageType,
      DCM_SOPInstanceUID,
      DCM_DerivationDescription,
      DCM_SeriesInstanceUID,
      DCM_SamplesPerPixel,
      DCM_PhotometricInterpretation,
      DCM_PlanarConfiguration,
      DCM_Rows,
      DCM_Columns,
      DCM_BitsAllocated,
      DCM_BitsStored,
      DCM_HighBit,
      DCM_PixelRepresentation,
      DCM_SmallestImagePixelValue,
      DCM_LargestImagePixelValue,
      DCM_SmallestPixelValueInSeries,
      DCM_LargestPixelValueInSeries,
      DCM_PixelPaddingValue,
      DCM_PixelPaddingRangeLimit,
      DCM_BurnedInAnnotation,
      DCM_WindowCenter,
      DCM_WindowWidth,
      DCM_RescaleIntercept,
      DCM_RescaleSlope,
      DCM_RescaleType,
      DCM_WindowCenterWidthExplanation,
      DCM_VOILUTFunction,
      DCM_ModalityLUTSequence,
      DCM_VOILUTSequence,
      DCM_PixelDataProviderURL,
      DCM_EncryptedAttributesSequence,
      DCM_PresentationLUTShape,
      DCM_SharedFunctionalGroupsSequence,
      DCM_PerFrameFunctionalGroupsSequence,
      DCM_ExtendedOffsetTable,
      DCM_ExtendedOffsetTableLengths,
      DCM_PixelData,
    };
    const auto & colour = ColourDescriptionAttributes();
    touched.insert(touched.end(), colour.begin(), colour.end());
    return touched;
  }();
  return tags;
}

std::unique_ptr<DcmItem>
CollectModifiedAttributes(DcmFileFormat & original, bool includePixelData, const std::string & origin)
{
  if (original.loadAllDataIntoMemory().bad())
  {
    throw UserError(origin + ": cannot read the whole file into memory (truncated?)");
  }
  DcmDataset & dataset = *original.getDataset();
  const E_TransferSyntax xfer = EffectiveTransferSyntax(dataset);
  auto item = std::make_unique<DcmItem>(DcmTag(DCM_Item));
  for (const DcmTagKey & tag : TouchedAttributes())
  {
    const bool pixelTag =
      tag == DCM_PixelData || tag == DCM_ExtendedOffsetTable || tag == DCM_ExtendedOffsetTableLengths;
    if (pixelTag && !includePixelData)
    {
      continue;
    }
    DcmElement * element = nullptr;
    if (dataset.findAndGetElement(tag, element).bad() || element == nullptr)
    {
      continue;
    }
    if (tag == DCM_PixelData && DcmXfer(xfer).isEncapsulated())
    {
      continue; // below, as exact bytes
    }
    item->insert(OFstatic_cast(DcmElement *, element->clone()), true);
  }
  const std::uint16_t blockNumber = ReserveMedcryptBlock(*item, origin);
  item->putAndInsertString(MedcryptTag(blockNumber, block::OriginalTransferSyntax, EVR_UI), DcmXfer(xfer).getXferID());
  if (includePixelData && DcmXfer(xfer).isEncapsulated() && dataset.tagExists(DCM_PixelData))
  {
    DcmElement * element = nullptr;
    dataset.findAndGetElement(DCM_PixelData, element);
    auto * pixelData = OFstatic_cast(DcmPixelData *, element);
    DcmPixelSequence * sequence = nullptr;
    if (pixelData->getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || sequence == nullptr)
    {
      throw UserError(origin + ": cannot read the encapsulated Pixel Data");
    }
    const auto bytes = EncapsulatedBytes(*sequence);
    item->putAndInsertUint8Array(MedcryptTag(blockNumber, block::EncapsulatedPixelData, EVR_OB),
                                 bytes.data(),
                                 static_cast<unsigned long>(bytes.size()));
  }
  return item;
}

std::vector<std::uint8_t>
SerializeModifiedAttributes(const DcmItem & item)
{
  DcmDataset dataset;
  DcmSequenceOfItems * sequence = new DcmSequenceOfItems(DCM_ModifiedAttributesSequence);
  sequence->append(new DcmItem(item));
  dataset.insert(sequence);
  const Uint32 length = dataset.getLength(EXS_LittleEndianExplicit, EET_ExplicitLength);
  std::vector<std::uint8_t> plain(static_cast<std::size_t>(length) + 16);
  DcmOutputBufferStream stream(plain.data(), static_cast<offile_off_t>(plain.size()));
  dataset.transferInit();
  const OFCondition status = dataset.write(stream, EXS_LittleEndianExplicit, EET_ExplicitLength, nullptr);
  dataset.transferEnd();
  if (status.bad())
  {
    throw std::runtime_error(std::string("cannot encode the Modified Attributes Sequence: ") + status.text());
  }
  void * written = nullptr;
  offile_off_t writtenLength = 0;
  stream.flushBuffer(written, writtenLength);
  plain.resize(static_cast<std::size_t>(writtenLength));
  return RawDeflate(plain);
}

std::unique_ptr<DcmItem>
ParseModifiedAttributes(ByteView bytes, const std::string & transferSyntaxUid, const std::string & origin)
{
  std::vector<std::uint8_t> plain;
  if (transferSyntaxUid == EncryptedContentTransferSyntaxUid)
  {
    plain = RawInflate(bytes, origin);
  }
  else if (transferSyntaxUid == "1.2.840.10008.1.2.1")
  {
    plain = bytes.ToVector();
  }
  else
  {
    throw UserError(origin + ": Encrypted Content Transfer Syntax \"" + transferSyntaxUid +
                    "\" is not supported (MedCrypt writes " + EncryptedContentTransferSyntaxUid + ")");
  }
  DcmDataset dataset;
  DcmInputBufferStream stream;
  stream.setBuffer(plain.data(), static_cast<offile_off_t>(plain.size()));
  stream.setEos();
  dataset.transferInit();
  const OFCondition status = dataset.read(stream, EXS_LittleEndianExplicit, EGL_noChange, DCM_MaxReadLength);
  dataset.transferEnd();
  DcmItem * item = nullptr;
  DcmSequenceOfItems * sequence = nullptr;
  if (status.bad() || dataset.findAndGetSequence(DCM_ModifiedAttributesSequence, sequence).bad() ||
      sequence == nullptr || sequence->card() != 1 || (item = sequence->getItem(0)) == nullptr)
  {
    throw UserError(origin + ": the decrypted content is not one Modified Attributes Sequence item" +
                    (status.bad() ? std::string(" (") + status.text() + ")" : std::string()));
  }
  return std::make_unique<DcmItem>(*item);
}

} // namespace medcrypt::dicom
