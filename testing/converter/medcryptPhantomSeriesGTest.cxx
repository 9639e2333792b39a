// `medcrypt phantom --dicom-series`: a synthetic CT series that DCMTK reads back with the phantom's
// exact samples, one series UID, distinct instance UIDs, and the same files for the same seed.
#include "CliTestSupport.h"
#include "DicomFileIO.h"
#include "medcryptSheppLoganPhantom.h"

#include "itkImage.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

namespace
{

using medcrypt::testing::RunMedcrypt;
using medcrypt::testing::TemporaryDirectory;

std::string
StringOf(DcmDataset & dataset, const DcmTagKey & tag)
{
  OFString value;
  EXPECT_TRUE(dataset.findAndGetOFStringArray(tag, value).good()) << tag.toString();
  return value.c_str();
}

std::string
FileBytes(const std::string & path)
{
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(PhantomSeries, DicomFilesHoldThePhantomSlicesOfOneSeries)
{
  TemporaryDirectory directory;
  const auto run = RunMedcrypt("phantom --dicom-series " + directory / "ct" + " --slices 3 --size 32 --seed 7");
  ASSERT_EQ(run.status, 0) << run.errors;

  medcrypt::PhantomOptions options;
  options.size = 32;
  options.slices = 3;
  options.seed = 7;
  const auto volume = medcrypt::MakeSheppLoganPhantom<itk::Image<short, 3>>(options);

  std::set<std::string> seriesUids;
  std::set<std::string> instanceUids;
  for (unsigned slice = 0; slice < 3; ++slice)
  {
    const auto path = directory / ("ct/IM000" + std::to_string(slice + 1) + ".dcm");
    const auto file = medcrypt::dicom::LoadDicomFile(path);
    DcmDataset & dataset = *file->getDataset();
    seriesUids.insert(StringOf(dataset, DCM_SeriesInstanceUID));
    instanceUids.insert(StringOf(dataset, DCM_SOPInstanceUID));
    EXPECT_EQ(StringOf(dataset, DCM_InstanceNumber), std::to_string(slice + 1));
    EXPECT_EQ(StringOf(dataset, DCM_Modality), "CT");

    const Uint16 * pixels = nullptr;
    unsigned long count = 0;
    ASSERT_TRUE(dataset.findAndGetUint16Array(DCM_PixelData, pixels, &count).good());
    ASSERT_EQ(count, 32u * 32u);
    const short * expected = volume->GetBufferPointer() + slice * 32 * 32;
    for (unsigned long i = 0; i < count; ++i)
    {
      ASSERT_EQ(static_cast<short>(pixels[i]), expected[i]) << "slice " << slice << " sample " << i;
    }
  }
  EXPECT_EQ(seriesUids.size(), 1u);
  EXPECT_EQ(instanceUids.size(), 3u);

  // The same options give byte-identical files (UIDs come from the seed, not from the clock).
  ASSERT_EQ(RunMedcrypt("phantom --dicom-series " + directory / "again" + " --slices 3 --size 32 --seed 7").status, 0);
  EXPECT_EQ(FileBytes(directory / "ct/IM0002.dcm"), FileBytes(directory / "again/IM0002.dcm"));
}

TEST(PhantomSeries, NeedsExactlyOneOutput)
{
  TemporaryDirectory directory;
  const auto both = RunMedcrypt("phantom --out " + directory / "a.mha" + " --dicom-series " + directory / "b");
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.errors.find("exactly one of --out"), std::string::npos) << both.errors;
  EXPECT_EQ(RunMedcrypt("phantom").status, 2);
}

} // namespace
