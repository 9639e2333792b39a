#include "PhantomDicomSeries.h"

#include "DicomFileIO.h"
#include "DicomUid.h"
#include "medcrypt/Error.h"

#include "itkImage.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <openssl/sha.h>

#include <array>
#include <iomanip>
#include <sstream>
#include <system_error>

namespace medcrypt::cli
{

namespace
{

using VolumeType = itk::Image<short, 3>;

/** The secret behind the phantom's UIDs: SHA-256 of a fixed label and the seed. */
std::array<std::uint8_t, SHA256_DIGEST_LENGTH>
UidSecret(std::uint64_t seed)
{
  const std::string label = "medcrypt/phantom-series/" + std::to_string(seed);
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char *>(label.data()), label.size(), digest.data());
  return digest;
}

std::string
DecimalString(double value)
{
  std::ostringstream text;
  text << std::setprecision(10) << value;
  return text.str();
}

void
Put(DcmDataset & dataset, const DcmTagKey & tag, const std::string & value)
{
  if (dataset.putAndInsertString(tag, value.c_str()).bad())
  {
    throw std::runtime_error("cannot set " + tag.toString() + " in the phantom dataset");
  }
}

/** Attributes with fixed values that every slice shares (patient, study, series, equipment, pixel module). */
struct FixedAttribute
{
  DcmTagKey tag;
  const char * value;
};
const FixedAttribute fixedAttributes[] = {
  { DCM_SOPClassUID, UID_CTImageStorage },
  { DCM_SpecificCharacterSet, "ISO_IR 100" },
  { DCM_PatientName, "Phantom^SheppLogan" },
  { DCM_PatientBirthDate, "" },
  { DCM_PatientSex, "O" },
  { DCM_StudyDate, "20260101" },
  { DCM_StudyTime, "120000" },
  { DCM_ReferringPhysicianName, "" },
  { DCM_StudyID, "1" },
  { DCM_AccessionNumber, "" },
  { DCM_StudyDescription, "MedCrypt synthetic head phantom" },
  { DCM_Modality, "CT" },
  { DCM_SeriesNumber, "1" },
  { DCM_PositionReferenceIndicator, "" },
  { DCM_Manufacturer, "MedCrypt (synthetic)" },
  { DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL" },
  { DCM_KVP, "120" },
  { DCM_AcquisitionNumber, "1" },
  { DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0" },
  { DCM_PatientPosition, "HFS" },
  { DCM_SamplesPerPixel, "1" },
  { DCM_PhotometricInterpretation, "MONOCHROME2" },
  { DCM_BitsAllocated, "16" },
  { DCM_BitsStored, "16" },
  { DCM_HighBit, "15" },
  { DCM_PixelRepresentation, "1" },
  { DCM_RescaleIntercept, "0" },
  { DCM_RescaleSlope, "1" },
  { DCM_RescaleType, "HU" },
  { DCM_WindowCenter, "40" },
  { DCM_WindowWidth, "400" },
};

/** The attributes that every slice shares: the fixed ones, and the UIDs and names made from the seed. */
void
PutSeriesAttributes(DcmDataset & dataset, ByteView secret, const PhantomOptions & options)
{
  for (const auto & attribute : fixedAttributes)
  {
    Put(dataset, attribute.tag, attribute.value);
  }
  Put(dataset, DCM_StudyInstanceUID, dicom::DeriveUid(secret, "study"));
  Put(dataset, DCM_SeriesInstanceUID, dicom::DeriveUid(secret, "series"));
  Put(dataset, DCM_FrameOfReferenceUID, dicom::DeriveUid(secret, "frame-of-reference"));
  Put(dataset, DCM_PatientID, "MEDCRYPT-PHANTOM-" + std::to_string(options.seed));
  Put(dataset, DCM_SeriesDescription, "Shepp-Logan phantom, seed " + std::to_string(options.seed));
}

/** One slice's own attributes and pixels. */
void
PutSlice(DcmDataset & dataset, ByteView secret, const VolumeType * volume, unsigned slice)
{
  const auto size = volume->GetLargestPossibleRegion().GetSize();
  const auto spacing = volume->GetSpacing();
  const double z = slice * spacing[2];
  Put(dataset, DCM_SOPInstanceUID, dicom::DeriveUid(secret, "instance/" + std::to_string(slice)));
  Put(dataset, DCM_InstanceNumber, std::to_string(slice + 1));
  Put(dataset, DCM_Rows, std::to_string(size[1]));
  Put(dataset, DCM_Columns, std::to_string(size[0]));
  Put(dataset, DCM_PixelSpacing, DecimalString(spacing[1]) + "\\" + DecimalString(spacing[0]));
  Put(dataset, DCM_SliceThickness, DecimalString(spacing[2]));
  Put(dataset,
      DCM_ImagePositionPatient,
      DecimalString(-0.5 * size[0] * spacing[0]) + "\\" + DecimalString(-0.5 * size[1] * spacing[1]) + "\\" +
        DecimalString(z));
  Put(dataset, DCM_SliceLocation, DecimalString(z));
  const std::size_t pixels = static_cast<std::size_t>(size[0]) * size[1];
  const short * samples = volume->GetBufferPointer() + pixels * slice;
  if (dataset.putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16 *>(samples), pixels).bad())
  {
    throw std::runtime_error("cannot set the phantom's pixel data");
  }
}

} // namespace

std::size_t
WritePhantomDicomSeries(const PhantomOptions & options, const std::filesystem::path & directory)
{
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error)
  {
    throw UserError(directory.string() + ": cannot create the directory (" + error.message() +
                    "); choose a writable place for --dicom-series");
  }
  const auto volume = MakeSheppLoganPhantom<VolumeType>(options);
  const auto secretBytes = UidSecret(options.seed);
  const ByteView secret(secretBytes);
  std::size_t bytes = 0;
  for (unsigned slice = 0; slice < options.slices; ++slice)
  {
    DcmFileFormat file;
    DcmDataset & dataset = *file.getDataset();
    PutSeriesAttributes(dataset, secret, options);
    PutSlice(dataset, secret, volume, slice);
    std::ostringstream name;
    name << "IM" << std::setw(4) << std::setfill('0') << slice + 1 << ".dcm";
    const auto path = directory / name.str();
    dicom::SaveDicomFile(file, EXS_LittleEndianExplicit, path);
    bytes += std::filesystem::file_size(path);
  }
  return bytes;
}

} // namespace medcrypt::cli
