// The paper's metrics over numpy arrays with the ITK calculators of filters/ (the code behind
// `medcrypt metrics`): entropy (Eq. 8), adjacent-pixel correlation (Eq. 10-13), NPCR/UACI (Eq. 16-19),
// PSNR (Eq. 27) and SSIM (Eq. 26).
#include "Bindings.h"
#include "NumpyImages.h"

#include "itkAdjacentPixelCorrelationCalculator.h"
#include "itkDifferentialAttackMetricsCalculator.h"
#include "itkImageEntropyCalculator.h"
#include "itkPeakSignalToNoiseRatioCalculator.h"
#include "itkStructuralSimilarityCalculator.h"

#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace medcrypt::python
{

namespace
{

/** Calls visitor(imageA, imageB) with both arrays as itk::Image<T, D> of their common dtype and
 * dimension. TypeError when the dtypes differ, ValueError when the shapes differ. */
template<typename TVisitor>
decltype(auto)
VisitArrayPair(const py::array & a, const py::array & b, TVisitor && visitor)
{
  const SampleType typeA = SampleTypeOfArray(a, "a");
  const SampleType typeB = SampleTypeOfArray(b, "b");
  if (typeA != typeB)
  {
    throw py::type_error("a is " + NumpyName(typeA) + ", b is " + NumpyName(typeB) +
                         ": the pair metrics compare arrays of one dtype (cast one with .astype())");
  }
  ImageDimensionOfArray(b, "b");
  const std::vector<py::ssize_t> shapeA(a.shape(), a.shape() + a.ndim());
  const std::vector<py::ssize_t> shapeB(b.shape(), b.shape() + b.ndim());
  if (shapeA != shapeB)
  {
    throw py::value_error("a and b have different shapes: the pair metrics compare arrays of one shape");
  }
  return VisitArray(a,
                    "a",
                    [&](auto tag, unsigned int dimension)
                    {
                      using PixelType = typename decltype(tag)::Type;
                      if (dimension == 2)
                      {
                        return visitor(ImageFromArray<PixelType, 2>(a), ImageFromArray<PixelType, 2>(b));
                      }
                      return visitor(ImageFromArray<PixelType, 3>(a), ImageFromArray<PixelType, 3>(b));
                    });
}

/** The direction of adjacent_correlation from 'h', 'v' or 'd' (or the full words). */
itk::AdjacentPixelDirectionEnum
DirectionFromString(const std::string & name)
{
  if (name == "h" || name == "horizontal")
  {
    return itk::AdjacentPixelDirectionEnum::Horizontal;
  }
  if (name == "v" || name == "vertical")
  {
    return itk::AdjacentPixelDirectionEnum::Vertical;
  }
  if (name == "d" || name == "diagonal")
  {
    return itk::AdjacentPixelDirectionEnum::Diagonal;
  }
  throw py::value_error("direction '" + name + "': use 'h' (horizontal), 'v' (vertical) or 'd' (diagonal)");
}

} // namespace

void
RegisterMetrics(py::module_ & module)
{
  module.def(
    "entropy",
    [](const py::array & a, unsigned int bits)
    {
      return VisitArray(a,
                        "a",
                        [&](auto tag, unsigned int dimension)
                        {
                          using PixelType = typename decltype(tag)::Type;
                          const auto compute = [&](auto image)
                          {
                            auto calculator = itk::ImageEntropyCalculator<typename decltype(image)::ObjectType>::New();
                            calculator->SetImage(image);
                            calculator->SetNumberOfBits(bits);
                            calculator->Compute();
                            return calculator->GetEntropy();
                          };
                          return dimension == 2 ? compute(ImageFromArray<PixelType, 2>(a))
                                                : compute(ImageFromArray<PixelType, 3>(a));
                        });
    },
    py::arg("a"),
    py::arg("bits") = 8,
    "Shannon entropy in bits (paper Eq. 8) of the array's N-bit view (N = bits): integers shifted to unsigned "
    "then >> (B - N), floating values binned between their minimum and maximum.");

  module.def(
    "adjacent_correlation",
    [](const py::array & a, const std::string & direction, std::uint64_t pairs, std::uint64_t seed)
    {
      const auto directionEnum = DirectionFromString(direction);
      return VisitArray(
        a,
        "a",
        [&](auto tag, unsigned int dimension)
        {
          using PixelType = typename decltype(tag)::Type;
          const auto compute = [&](auto image)
          {
            auto calculator = itk::AdjacentPixelCorrelationCalculator<typename decltype(image)::ObjectType>::New();
            calculator->SetImage(image);
            calculator->SetDirection(directionEnum);
            calculator->SetNumberOfPairs(pairs);
            calculator->SetSeed(seed);
            calculator->Compute();
            return calculator->GetCorrelation();
          };
          return dimension == 2 ? compute(ImageFromArray<PixelType, 2>(a)) : compute(ImageFromArray<PixelType, 3>(a));
        });
    },
    py::arg("a"),
    py::arg("direction") = "h",
    py::arg("pairs") = 0,
    py::arg("seed") = 0,
    "Correlation coefficient of adjacent pixels (paper Eq. 10-13) along 'h' (x + 1), 'v' (y + 1) or 'd' "
    "(x + 1, y + 1); 3-D arrays pool their slices. pairs=0 uses every adjacent pair, pairs=n draws n pairs with "
    "std::mt19937_64(seed) (the paper uses 10000).");

  module.def(
    "npcr_uaci",
    [](const py::array & a, const py::array & b, std::optional<double> maximumValue)
    {
      return VisitArrayPair(a,
                            b,
                            [&](auto first, auto second)
                            {
                              auto calculator =
                                itk::DifferentialAttackMetricsCalculator<typename decltype(first)::ObjectType>::New();
                              calculator->SetFirstImage(first);
                              calculator->SetSecondImage(second);
                              if (maximumValue)
                              {
                                calculator->SetMaximumValue(*maximumValue);
                              }
                              calculator->Compute();
                              return std::make_pair(calculator->GetNPCR(), calculator->GetUACI());
                            });
    },
    py::arg("a"),
    py::arg("b"),
    py::arg("maximum_value") = py::none(),
    "(NPCR, UACI) in percent of two arrays of one shape and dtype (paper Eq. 16-19). UACI divides by F: "
    "2^B - 1 for B-bit integers, max - min of both arrays for floating types, or maximum_value when given.");

  module.def(
    "psnr",
    [](const py::array & a, const py::array & b, std::optional<double> dataRange)
    {
      return VisitArrayPair(a,
                            b,
                            [&](auto reference, auto test)
                            {
                              auto calculator =
                                itk::PeakSignalToNoiseRatioCalculator<typename decltype(reference)::ObjectType>::New();
                              calculator->SetReferenceImage(reference);
                              calculator->SetTestImage(test);
                              if (dataRange)
                              {
                                calculator->SetDataRange(*dataRange);
                              }
                              calculator->Compute();
                              return calculator->GetPSNR();
                            });
    },
    py::arg("a"),
    py::arg("b"),
    py::arg("data_range") = py::none(),
    "PSNR in dB of b against the reference a (paper Eq. 27): 10 log10(L^2 / MSE), L = data_range, default 255 "
    "for 8-bit dtypes and max - min of a otherwise; inf for identical arrays.");

  module.def(
    "ssim",
    [](const py::array & a, const py::array & b, std::optional<double> dataRange)
    {
      return VisitArrayPair(a,
                            b,
                            [&](auto reference, auto test)
                            {
                              auto calculator =
                                itk::StructuralSimilarityCalculator<typename decltype(reference)::ObjectType>::New();
                              calculator->SetReferenceImage(reference);
                              calculator->SetTestImage(test);
                              if (dataRange)
                              {
                                calculator->SetDataRange(*dataRange);
                              }
                              calculator->Compute();
                              return calculator->GetSSIM();
                            });
    },
    py::arg("a"),
    py::arg("b"),
    py::arg("data_range") = py::none(),
    "Mean SSIM of b against the reference a (paper Eq. 26): 11 x 11 Gaussian window (sigma 1.5), valid windows, "
    "3-D arrays averaged over slices; L as for psnr.");
}

} // namespace medcrypt::python
