// medcrypt info: what a file says about its encryption, read without the key.
#include "Commands.h"

#include "DicomCodecs.h"
#include "DicomFileIO.h"
#include "MedcryptPrivateBlock.h"

#include "medcrypt/CipherHeader.h"
#include "medcrypt/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <iostream>
#include <sstream>

namespace medcrypt::cli
{

namespace
{

std::string
Text(DcmItem & item, const DcmTagKey & tag, const std::string & absent = "(absent)")
{
  OFString value;
  return item.findAndGetOFStringArray(tag, value).good() ? std::string(value.c_str()) : absent;
}

void
PrintImageFacts(DcmDataset & dataset, std::ostream & out)
{
  const E_TransferSyntax xfer = dataset.getOriginalXfer();
  const std::string sopClass = Text(dataset, DCM_SOPClassUID, "");
  const char * sopName = sopClass.empty() ? nullptr : dcmFindNameOfUID(sopClass.c_str());
  out << "  SOP class:         " << (sopName ? sopName : (sopClass.empty() ? "(absent)" : sopClass.c_str())) << "\n";
  out << "  modality:          " << Text(dataset, DCM_Modality) << "\n";
  out << "  transfer syntax:   " << (xfer == EXS_Unknown ? std::string("unknown") : dicom::DescribeTransferSyntax(xfer))
      << "\n";
  if (!dataset.tagExists(DCM_PixelData))
  {
    out << "  pixel data:        none (not an image)\n";
    return;
  }
  out << "  size:              " << Text(dataset, DCM_Columns, "?") << " x " << Text(dataset, DCM_Rows, "?")
      << " (columns x rows)\n";
  out << "  frames:            " << Text(dataset, DCM_NumberOfFrames, "1") << "\n";
  out << "  samples per pixel: " << Text(dataset, DCM_SamplesPerPixel, "1") << "\n";
  out << "  photometric:       " << Text(dataset, DCM_PhotometricInterpretation) << "\n";
  out << "  bits:              " << Text(dataset, DCM_BitsStored, "?") << " stored of "
      << Text(dataset, DCM_BitsAllocated, "?") << " allocated, "
      << (Text(dataset, DCM_PixelRepresentation, "0") == "1" ? "signed" : "unsigned") << "\n";
  if (!dicom::IsDecodableTransferSyntax(xfer))
  {
    out << "  note:              this transfer syntax cannot be decoded here; encrypt would refuse the file\n";
  }
}

void
PrintClearHeader(const ClearHeader & clear, std::ostream & out)
{
  out << "  cipher header:     format version " << clear.formatVersion << ", model " << clear.modelId
      << ", key schedule " << ToString(clear.keySchedule) << "\n";
  out << "  original image:    ";
  for (std::size_t i = 0; i < clear.geometry.size.size(); ++i)
  {
    out << (i ? " x " : "") << clear.geometry.size[i];
  }
  out << " " << ToString(clear.pixelType) << ", intensities " << clear.intensityMinimum << " .. "
      << clear.intensityMaximum << "\n";
  out << "  tiles:             " << clear.tiles.columns << " x " << clear.tiles.rows << " x " << clear.tiles.slices
      << " of " << clear.tiles.tileSize << " pixels\n";
  out << "  neural-only:       " << (clear.neuralOnly ? "yes (no exact envelope was written)" : "no") << "\n";
  if (!clear.clearAttributesJson.empty())
  {
    out << "  clear attributes:  " << clear.clearAttributesJson << "\n";
  }
}

} // namespace

int
RunInfo(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "info";
  spec.synopsis = "medcrypt info FILE";
  spec.summary = "Says whether a DICOM file was encrypted by MedCrypt and what its clear cipher header records\n"
                 "(model, key schedule, original geometry, tiles, whether the exact envelope is present),\n"
                 "without the key. For a plain DICOM file it prints the basic image facts.";
  spec.options.add_options()("file", po::value<std::string>()->required()->value_name("FILE"), "DICOM file");
  spec.positional.add("file", 1);
  const auto values = Parse(spec, arguments);
  const std::string path = values["file"].as<std::string>();
  dicom::QuietDicomToolkitLogging();

  auto file = dicom::LoadDicomFile(path);
  DcmDataset & dataset = *file->getDataset();
  const auto parts = dicom::ReadEncryptedParts(dataset, path);
  std::ostream & out = std::cout;
  if (!parts)
  {
    out << path << ": DICOM, not encrypted by MedCrypt\n";
    if (dataset.tagExists(DCM_EncryptedAttributesSequence))
    {
      out << "  note:              it has an Encrypted Attributes Sequence (0400,0500) from another tool\n";
    }
    PrintImageFacts(dataset, out);
    return 0;
  }
  out << path << ": DICOM, encrypted by MedCrypt (DICOM format version " << parts->formatVersion << ")\n";
  out << "  private block:     \"" << dicom::MedcryptPrivateCreator << "\" in group 0099, cipher header "
      << parts->cipherHeader.size() << " bytes\n";
  int status = 0;
  try
  {
    PrintClearHeader(ReadClearPart(ByteView(parts->cipherHeader), path), out);
  }
  catch (const UserError & error)
  {
    out << "  cipher header:     cannot be read: " << error.what() << "\n";
    status = 1;
  }
  if (parts->hasEnvelope)
  {
    out << "  exact envelope:    present (Encrypted Attributes Sequence, " << parts->envelope.size()
        << " bytes of CMS, content transfer syntax " << parts->envelopeTransferSyntaxUid << ")\n";
  }
  else
  {
    out << "  exact envelope:    absent (only the network can decrypt; the result will not be bit-exact)\n";
  }
  out << "  -- the encrypted image --\n";
  PrintImageFacts(dataset, out);
  return status;
}

} // namespace medcrypt::cli
