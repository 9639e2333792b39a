#ifndef medcrypt_python_EncryptedImage_h
#define medcrypt_python_EncryptedImage_h

// medcrypt.EncryptedImage on the C++ side: what NeuralEncryptImageFilter produces, held in memory
// (ciphertext pixels, sealed cipher header, exact envelope, geometry), and its conversions to and from
// the itk::Image + MetaDataDictionary form that the filters and medcryptCiphertextFiles.h use.

#include "NumpyImages.h"

#include "medcrypt/CipherHeader.h"
#include "medcryptCipherImage.h"

#include "itkImage.h"

#include <pybind11/numpy.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace medcrypt::python
{

namespace py = pybind11;

/** A ciphertext with its sidecar's content. The pixels are a read-only uint16 array in numpy order;
 * spacing and origin are in ITK order (x, y[, z]) and direction is the ITK direction matrix, row-major. */
struct EncryptedImage
{
  py::array_t<std::uint16_t> pixels;
  std::vector<std::uint8_t> header;
  std::optional<std::vector<std::uint8_t>> envelope;
  std::vector<double> spacing;
  std::vector<double> origin;
  std::vector<double> direction;

  /** The number of dimensions of the ciphertext (2 or 3). */
  unsigned int
  Dimension() const
  {
    return static_cast<unsigned int>(pixels.ndim());
  }
};

/** An EncryptedImage from a ciphertext image whose MetaDataDictionary holds the header (and the
 * envelope when there is one), as NeuralEncryptImageFilter and ReadCiphertextWithSidecar give it. */
template<typename TCipherImage>
EncryptedImage
EncryptedImageFromCiphertext(const TCipherImage * image)
{
  constexpr unsigned int D = TCipherImage::ImageDimension;
  EncryptedImage result;
  result.pixels = ArrayFromImage(image);
  result.pixels.attr("setflags")(py::arg("write") = false);
  const auto & dictionary = image->GetMetaDataDictionary();
  result.header = ReadBytesMetaData(dictionary, CipherHeaderMetaDataKey).value_or(std::vector<std::uint8_t>{});
  result.envelope = ReadBytesMetaData(dictionary, EnvelopeMetaDataKey);
  if (result.envelope && result.envelope->empty())
  {
    result.envelope.reset();
  }
  for (unsigned int i = 0; i < D; ++i)
  {
    result.spacing.push_back(image->GetSpacing()[i]);
    result.origin.push_back(image->GetOrigin()[i]);
    for (unsigned int j = 0; j < D; ++j)
    {
      result.direction.push_back(image->GetDirection()[i][j]);
    }
  }
  return result;
}

/** The ciphertext as an itk::Image<unsigned short, D> with the header and envelope in its
 * MetaDataDictionary, ready for NeuralDecryptImageFilter or WriteCiphertextWithSidecar. */
template<unsigned int D>
typename itk::Image<unsigned short, D>::Pointer
CiphertextFromEncryptedImage(const EncryptedImage & encrypted)
{
  using CipherImageType = itk::Image<unsigned short, D>;
  auto image = ImageFromArray<unsigned short, D>(encrypted.pixels, encrypted.spacing, encrypted.origin);
  typename CipherImageType::DirectionType direction;
  for (unsigned int i = 0; i < D; ++i)
  {
    for (unsigned int j = 0; j < D; ++j)
    {
      direction[i][j] = encrypted.direction[i * D + j];
    }
  }
  image->SetDirection(direction);
  auto & dictionary = image->GetMetaDataDictionary();
  WriteBytesMetaData(dictionary, CipherHeaderMetaDataKey, encrypted.header);
  if (encrypted.envelope)
  {
    WriteBytesMetaData(dictionary, EnvelopeMetaDataKey, *encrypted.envelope);
  }
  return image;
}

} // namespace medcrypt::python

#endif
