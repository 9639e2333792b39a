// Example: the paper's image metrics inside an ordinary ITK pipeline.
//
// Reads an image, smooths it with a Gaussian, and reports entropy and adjacent-pixel correlation
// of both, and PSNR and SSIM of the smoothed image against the original.
//
//   SmoothingMetrics INPUT [SIGMA_MM]
#include "itkAdjacentPixelCorrelationCalculator.h"
#include "itkCastImageFilter.h"
#include "itkImageEntropyCalculator.h"
#include "itkImageFileReader.h"
#include "itkPeakSignalToNoiseRatioCalculator.h"
#include "itkSmoothingRecursiveGaussianImageFilter.h"
#include "itkStructuralSimilarityCalculator.h"

#include <cstdlib>
#include <iostream>

using ImageType = itk::Image<short, 2>;

void
Describe(const char * name, const ImageType * image)
{
  auto entropy = itk::ImageEntropyCalculator<ImageType>::New();
  entropy->SetImage(image);
  entropy->SetNumberOfBits(8);
  entropy->Compute();
  auto correlation = itk::AdjacentPixelCorrelationCalculator<ImageType>::New();
  correlation->SetImage(image);
  correlation->Compute(); // horizontal neighbours, all pairs
  std::cout << name << ": entropy (8-bit view) " << entropy->GetEntropy() << " bits, horizontal correlation "
            << correlation->GetCorrelation() << "\n";
}

int
main(int argc, char * argv[])
{
  if (argc < 2)
  {
    std::cerr << "usage: " << argv[0] << " INPUT [SIGMA_MM]\n";
    return EXIT_FAILURE;
  }
  const double sigma = argc > 2 ? std::atof(argv[2]) : 1.0;
  try
  {
    const ImageType::Pointer original = itk::ReadImage<ImageType>(argv[1]);

    using SmootherType = itk::SmoothingRecursiveGaussianImageFilter<ImageType, ImageType>;
    auto smoother = SmootherType::New();
    smoother->SetInput(original);
    smoother->SetSigma(sigma);
    smoother->Update();
    const ImageType * smoothed = smoother->GetOutput();

    Describe("original", original);
    Describe("smoothed", smoothed);

    auto psnr = itk::PeakSignalToNoiseRatioCalculator<ImageType>::New();
    psnr->SetReferenceImage(original);
    psnr->SetTestImage(smoothed);
    psnr->Compute();
    auto ssim = itk::StructuralSimilarityCalculator<ImageType>::New();
    ssim->SetReferenceImage(original);
    ssim->SetTestImage(smoothed);
    ssim->Compute();
    std::cout << "smoothed vs original: PSNR " << psnr->GetPSNR() << " dB, SSIM " << ssim->GetSSIM() << "\n";
  }
  catch (const itk::ExceptionObject & error)
  {
    std::cerr << error.GetDescription() << "\n";
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}
