#ifndef medcrypt_python_NumpyImages_h
#define medcrypt_python_NumpyImages_h

// numpy arrays <-> itk::Image: the dtype dispatch over the sample types MedCrypt stores and copies in
// both directions. numpy C order (z, y, x), as SimpleITK's and itk's GetArrayFromImage give it, is ITK's
// index order reversed: array shape (rows, columns) is ITK size (columns, rows).

#include "medcrypt/SampleType.h"
#include "medcryptCipherImage.h"

#include "itkImage.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace medcrypt::python
{

namespace py = pybind11;

/** numpy's name of an array's dtype, e.g. "int64". */
inline std::string
DtypeName(const py::array & array)
{
  return array.dtype().attr("name").cast<std::string>();
}

/** The SampleType of a numpy array's dtype (uint8 ... float64, any byte order). Throws TypeError for
 * other dtypes (int64, bool, complex, ...), saying which dtypes work. */
inline SampleType
SampleTypeOfArray(const py::array & array, const char * argument)
{
  const py::dtype dtype = array.dtype();
  const char kind = dtype.kind();
  const auto size = dtype.itemsize();
  if (kind == 'u' || kind == 'i')
  {
    const bool isSigned = kind == 'i';
    switch (size)
    {
      case 1:
        return isSigned ? SampleType::Int8 : SampleType::UInt8;
      case 2:
        return isSigned ? SampleType::Int16 : SampleType::UInt16;
      case 4:
        return isSigned ? SampleType::Int32 : SampleType::UInt32;
      default:
        break;
    }
  }
  else if (kind == 'f' && (size == 4 || size == 8))
  {
    return size == 4 ? SampleType::Float32 : SampleType::Float64;
  }
  throw py::type_error(std::string(argument) + ": arrays of dtype " + DtypeName(array) +
                       " are not supported; MedCrypt takes uint8, int8, uint16, int16, uint32, int32, float32 or "
                       "float64 (convert with .astype(), e.g. numpy's default int64 to int32 when the values fit)");
}

/** Throws ValueError unless the array is 2-D (y, x) or 3-D (z, y, x). */
inline unsigned int
ImageDimensionOfArray(const py::array & array, const char * argument)
{
  if (array.ndim() != 2 && array.ndim() != 3)
  {
    throw py::value_error(std::string(argument) + ": is a " + std::to_string(array.ndim()) +
                          "-D array; MedCrypt takes 2-D (y, x) and 3-D (z, y, x) arrays");
  }
  return static_cast<unsigned int>(array.ndim());
}

/** Calls visitor(SampleTag<T>{}, dimension) with the ITK pixel type of the array's dtype and its
 * dimension (2 or 3), after the checks of SampleTypeOfArray and ImageDimensionOfArray. */
template<typename TVisitor>
decltype(auto)
VisitArray(const py::array & array, const char * argument, TVisitor && visitor)
{
  const SampleType type = SampleTypeOfArray(array, argument);
  const unsigned int dimension = ImageDimensionOfArray(array, argument);
  return VisitSampleType(type, [&](auto tag) { return visitor(tag, dimension); });
}

/** A copy of `array` (any byte order and strides; its dtype must be TPixel's kind and size) as an
 * itk::Image<TPixel, D> whose size is the shape reversed. `spacing` and `origin` are in ITK order
 * (x, y[, z]), like SimpleITK's GetSpacing(); unset: 1 and 0. Throws ValueError for lists of another length
 * and for spacing that is not positive and finite. */
template<typename TPixel, unsigned int D>
typename itk::Image<TPixel, D>::Pointer
ImageFromArray(const py::array & array,
               const std::optional<std::vector<double>> & spacing = std::nullopt,
               const std::optional<std::vector<double>> & origin = std::nullopt)
{
  using ImageType = itk::Image<TPixel, D>;
  const auto contiguous = py::array_t<TPixel, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!contiguous)
  {
    throw py::error_already_set();
  }
  typename ImageType::SizeType size;
  for (unsigned int i = 0; i < D; ++i)
  {
    size[i] = static_cast<itk::SizeValueType>(contiguous.shape(D - 1 - i));
  }
  auto image = ImageType::New();
  image->SetRegions(typename ImageType::RegionType(size));
  for (const auto & [values, name] : { std::pair{ &spacing, "spacing" }, std::pair{ &origin, "origin" } })
  {
    if (*values && (*values)->size() != D)
    {
      throw py::value_error(std::string(name) + ": give " + std::to_string(D) + " numbers in ITK order (x, y" +
                            (D == 3 ? ", z" : "") + "), not " + std::to_string((*values)->size()));
    }
  }
  if (spacing && !std::all_of(spacing->begin(), spacing->end(), [](double v) { return std::isfinite(v) && v > 0.0; }))
  {
    throw py::value_error("spacing: every value must be positive and finite");
  }
  if (spacing)
  {
    typename ImageType::SpacingType itkSpacing;
    std::copy(spacing->begin(), spacing->end(), itkSpacing.Begin());
    image->SetSpacing(itkSpacing);
  }
  if (origin)
  {
    typename ImageType::PointType itkOrigin;
    std::copy(origin->begin(), origin->end(), itkOrigin.Begin());
    image->SetOrigin(itkOrigin);
  }
  image->Allocate();
  std::copy_n(contiguous.data(), contiguous.size(), image->GetBufferPointer());
  return image;
}

/** A copy of an image's buffered pixels as a numpy array of shape (size[D-1], ..., size[0]). */
template<typename TImage>
py::array_t<typename TImage::PixelType>
ArrayFromImage(const TImage * image)
{
  constexpr unsigned int D = TImage::ImageDimension;
  const auto size = image->GetBufferedRegion().GetSize();
  std::vector<py::ssize_t> shape(D);
  for (unsigned int i = 0; i < D; ++i)
  {
    shape[i] = static_cast<py::ssize_t>(size[D - 1 - i]);
  }
  py::array_t<typename TImage::PixelType> array(shape);
  std::copy_n(image->GetBufferPointer(), image->GetBufferedRegion().GetNumberOfPixels(), array.mutable_data());
  return array;
}

/** The numpy name of a sample type: "uint8" ... "float64" (SampleType's own names). */
inline std::string
NumpyName(SampleType type)
{
  return std::string(ToString(type));
}

} // namespace medcrypt::python

#endif
