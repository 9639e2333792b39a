#include "DicomFileIO.h"

#include "DicomCodecs.h"

#include "medcrypt/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <array>
#include <fstream>

namespace medcrypt::dicom
{

namespace
{
bool
PlausibleFirstGroup(std::uint16_t group)
{
  return group == 0x0000 || group == 0x0002 || group == 0x0008;
}
} // namespace

DicomFileShape
SniffDicomFile(const std::filesystem::path & path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
  {
    throw UserError(path.string() + ": cannot open the file for reading (check that it exists and is readable)");
  }
  std::array<unsigned char, 132> head{};
  in.read(reinterpret_cast<char *>(head.data()), head.size());
  const auto count = static_cast<std::size_t>(in.gcount());
  if (count == head.size() && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M')
  {
    return DicomFileShape::Part10;
  }
  if (count < 8)
  {
    return DicomFileShape::NotDicom;
  }
  const std::uint16_t littleGroup = static_cast<std::uint16_t>(head[0] | (head[1] << 8));
  const std::uint16_t bigGroup = static_cast<std::uint16_t>((head[0] << 8) | head[1]);
  return PlausibleFirstGroup(littleGroup) || PlausibleFirstGroup(bigGroup) ? DicomFileShape::RawDataset
                                                                           : DicomFileShape::NotDicom;
}

std::unique_ptr<DcmFileFormat>
LoadDicomFile(const std::filesystem::path & path, std::uint32_t maxReadLength)
{
  RegisterDicomCodecs();
  if (SniffDicomFile(path) == DicomFileShape::NotDicom)
  {
    throw UserError(path.string() + ": not a DICOM file (no \"DICM\" prefix and no DICOM element at its start)");
  }
  auto file = std::make_unique<DcmFileFormat>();
  const OFCondition status = file->loadFile(OFFilename(path.c_str()),
                                            EXS_Unknown,
                                            EGL_noChange,
                                            maxReadLength == 0 ? DCM_MaxReadLength : maxReadLength,
                                            ERM_autoDetect);
  if (status.bad())
  {
    throw UserError(path.string() + ": cannot read it as DICOM: " + status.text() +
                    " (the file is truncated or corrupt, or not DICOM)");
  }
  return file;
}

void
SaveDicomFile(DcmFileFormat & file, E_TransferSyntax xfer, const std::filesystem::path & path)
{
  const OFCondition status =
    file.saveFile(OFFilename(path.c_str()), xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0, EWM_updateMeta);
  if (status.bad())
  {
    throw UserError(path.string() + ": cannot write the DICOM file in " + DescribeTransferSyntax(xfer) + ": " +
                    status.text() + " (check free space and permissions of the output directory)");
  }
}

} // namespace medcrypt::dicom
