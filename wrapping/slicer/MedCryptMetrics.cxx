// MedCryptMetrics: the 3D Slicer CLI module that reports PSNR, SSIM, entropy, NPCR and UACI of two
// volumes as Slicer return parameters (MedCryptMetrics.xml declares them; `medcrypt metrics` computes the
// same from the shell).
#include "ImageReading.h"
#include "MedCryptMetricsXml.h"
#include "SlicerCliModule.h"

#include "itkDifferentialAttackMetricsCalculator.h"
#include "itkImageEntropyCalculator.h"
#include "itkPeakSignalToNoiseRatioCalculator.h"
#include "itkStructuralSimilarityCalculator.h"

#include <type_traits>

namespace
{

using namespace medcrypt;

/** The metrics of `test` against `reference` (same type), in the order of the XML's return parameters. */
template<typename TImage>
slicer::SlicerCliReturnValues
CompareVolumes(const TImage * reference, const TImage * test, unsigned int entropyBits)
{
  auto psnr = itk::PeakSignalToNoiseRatioCalculator<TImage>::New();
  psnr->SetReferenceImage(reference);
  psnr->SetTestImage(test);
  psnr->Compute();
  auto ssim = itk::StructuralSimilarityCalculator<TImage>::New();
  ssim->SetReferenceImage(reference);
  ssim->SetTestImage(test);
  ssim->Compute();
  auto entropy = itk::ImageEntropyCalculator<TImage>::New();
  entropy->SetImage(test);
  entropy->SetNumberOfBits(entropyBits);
  entropy->Compute();
  auto differential = itk::DifferentialAttackMetricsCalculator<TImage>::New();
  differential->SetFirstImage(reference);
  differential->SetSecondImage(test);
  differential->Compute();
  return { { "psnr", psnr->GetPSNR() },
           { "ssim", ssim->GetSSIM() },
           { "entropy", entropy->GetEntropy() },
           { "npcr", differential->GetNPCR() },
           { "uaci", differential->GetUACI() } };
}

} // namespace

int
main(int argc, char * argv[])
{
  return slicer::RunSlicerCliModule(
    slicer::ModuleXml,
    argc,
    argv,
    [](const slicer::SlicerCliValues & values)
    {
      const std::string referencePath = values.String("referenceVolume");
      const std::string testPath = values.String("testVolume");
      const long bits = std::stol(values.String("entropyBits"));
      if (bits < 1 || bits > 16)
      {
        throw UserError("--entropyBits " + values.String("entropyBits") + ": choose 1 to 16");
      }
      const cli::ImageFileInfo reference = cli::ReadImageFileInfo(referencePath);
      const cli::ImageFileInfo test = cli::ReadImageFileInfo(testPath);
      if (test.component != reference.component || test.dimension != reference.dimension)
      {
        throw UserError(testPath + ": is a " + std::to_string(test.dimension) + "-D " +
                        itk::ImageIOBase::GetComponentTypeAsString(test.component) + " volume, " + referencePath +
                        " a " + std::to_string(reference.dimension) + "-D " +
                        itk::ImageIOBase::GetComponentTypeAsString(reference.component) +
                        " one: compare volumes of one pixel type and dimension");
      }
      return cli::VisitScalarImage(
        referencePath,
        [&](auto referenceImage)
        {
          using ImageType = std::remove_reference_t<decltype(*referenceImage)>;
          const auto testImage = cli::ReadImage<typename ImageType::PixelType, ImageType::ImageDimension>(testPath);
          return CompareVolumes<ImageType>(referenceImage, testImage, static_cast<unsigned int>(bits));
        });
    });
}
