// The MedCryptMetrics Slicer CLI module: its return parameters, on stdout and in the
// --returnparameterfile file, against values worked out by hand.
#include "SlicerTestSupport.h"

#include "itkImage.h"
#include "itkImageFileWriter.h"
#include "itkStructuralSimilarityCalculator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

namespace
{

using medcrypt::testing::Contains;
using medcrypt::testing::RunProgram;
using medcrypt::testing::TemporaryDirectory;

using ImageType = itk::Image<unsigned char, 2>;

/** r(x, y) = 16 x + y on 16 x 16 pixels: every value 0..255 exactly once. */
ImageType::Pointer
MakeReference()
{
  auto image = ImageType::New();
  image->SetRegions(itk::Size<2>{ { 16, 16 } });
  image->Allocate();
  for (unsigned int y = 0; y < 16; ++y)
  {
    for (unsigned int x = 0; x < 16; ++x)
    {
      image->SetPixel({ { x, y } }, static_cast<unsigned char>(16 * x + y));
    }
  }
  return image;
}

/** The `name = value` lines of `text`, parsed. */
std::map<std::string, double>
ParseReturnParameters(const std::string & text)
{
  std::map<std::string, double> values;
  std::istringstream lines(text);
  std::string name;
  std::string equals;
  std::string value;
  while (lines >> name >> equals >> value)
  {
    EXPECT_EQ(equals, "=") << text;
    values[name] = std::stod(value);
  }
  return values;
}

TEST(SlicerMetricsModule, ReturnParametersEqualHandComputedValues)
{
  TemporaryDirectory directory;
  const auto referencePath = directory / "reference.nrrd";
  const auto testPath = directory / "test.nrrd";
  const auto reference = MakeReference();
  auto test = MakeReference();
  for (unsigned int x = 0; x < 16; ++x)
  {
    test->SetPixel({ { x, 0 } }, 0); // row y = 0 held 16 x; now 0
  }
  itk::WriteImage(reference, referencePath);
  itk::WriteImage(test, testPath);

  const auto returnFile = directory / "returned.txt";
  const auto result =
    RunProgram(MEDCRYPT_SLICER_METRICS, referencePath + " " + testPath + " --returnparameterfile " + returnFile);
  ASSERT_EQ(result.status, 0) << result.errors;
  std::ifstream in(returnFile);
  const std::string fileText((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto fromFile = ParseReturnParameters(fileText);
  EXPECT_EQ(fromFile, ParseReturnParameters(result.output)); // the same lines on stdout
  ASSERT_EQ(fromFile.size(), 5u) << fileText;

  // By hand: 16 pixels (x, 0) changed from 16 x to 0, x = 0..15 (15 of them really change).
  // MSE = sum (16 x)^2 / 256 = 256 * 1240 / 256 = 1240; PSNR = 10 log10(255^2 / 1240).
  EXPECT_NEAR(fromFile.at("psnr"), 10.0 * std::log10(255.0 * 255.0 / 1240.0), 1e-12);
  // Test histogram: 0 occurs 16 times, 240 other values once: H = (16/256) 4 + 240 (1/256) 8 = 7.75 bits.
  EXPECT_NEAR(fromFile.at("entropy"), 7.75, 1e-12);
  // NPCR = 100 * 15 / 256; UACI = 100 / 256 * sum(16 x) / 255 = 100 * 1920 / (256 * 255).
  EXPECT_NEAR(fromFile.at("npcr"), 100.0 * 15.0 / 256.0, 1e-12);
  EXPECT_NEAR(fromFile.at("uaci"), 100.0 * 1920.0 / (256.0 * 255.0), 1e-12);
  // SSIM has no short hand form: the module must report what the calculator (checked against numpy in
  // medcryptMetricsGTest) computes, to the 17 digits it prints.
  auto ssim = itk::StructuralSimilarityCalculator<ImageType>::New();
  ssim->SetReferenceImage(reference);
  ssim->SetTestImage(test);
  ssim->Compute();
  EXPECT_DOUBLE_EQ(fromFile.at("ssim"), ssim->GetSSIM());
  EXPECT_LT(ssim->GetSSIM(), 1.0);
}

TEST(SlicerMetricsModule, VolumesOfDifferentTypesAreRefusedWithoutReturnFile)
{
  TemporaryDirectory directory;
  const auto referencePath = directory / "reference.nrrd";
  const auto testPath = directory / "test.nrrd";
  itk::WriteImage(MakeReference(), referencePath);
  auto other = itk::Image<short, 2>::New();
  other->SetRegions(itk::Size<2>{ { 16, 16 } });
  other->Allocate(true);
  itk::WriteImage(other, testPath);
  const auto returnFile = directory / "returned.txt";
  const auto result =
    RunProgram(MEDCRYPT_SLICER_METRICS, referencePath + " " + testPath + " --returnparameterfile " + returnFile);
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(Contains(result.errors, testPath + ": is a 2-D short volume")) << result.errors;
  EXPECT_FALSE(std::filesystem::exists(returnFile));
}

} // namespace
