#ifndef medcryptCipherImage_h
#define medcryptCipherImage_h

// What the neural encryption and decryption filters share: the metadata keys that carry the cipher
// header and the exact envelope with a ciphertext image, the image geometry as the cipher header
// records it, the pixel digest of a ciphertext, and a dispatch from a stored SampleType to its C++ type.

#include "medcrypt/ByteView.h"
#include "medcrypt/CipherHeader.h"
#include "medcrypt/SampleType.h"
#include "medcrypt/TileDigest.h"

#include "itkImage.h"
#include "itkMetaDataObject.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medcrypt
{

/** MetaDataDictionary key of the sealed cipher header (std::string holding the header's bytes). */
inline constexpr const char * CipherHeaderMetaDataKey = "MedCrypt.Header";
/** MetaDataDictionary key of the exact envelope (std::string holding the envelope's bytes). */
inline constexpr const char * EnvelopeMetaDataKey = "MedCrypt.Envelope";

/** The bytes of a dictionary entry of type std::string, or nothing when the key is absent. */
inline std::optional<std::vector<std::uint8_t>>
ReadBytesMetaData(const itk::MetaDataDictionary & dictionary, const std::string & key)
{
  std::string value;
  if (!itk::ExposeMetaData<std::string>(dictionary, key, value))
  {
    return std::nullopt;
  }
  return std::vector<std::uint8_t>(value.begin(), value.end());
}

/** Stores `bytes` under `key` as a std::string of bytes. */
inline void
WriteBytesMetaData(itk::MetaDataDictionary & dictionary,
                   const std::string & key,
                   const std::vector<std::uint8_t> & bytes)
{
  itk::EncapsulateMetaData<std::string>(dictionary, key, std::string(bytes.begin(), bytes.end()));
}

/** Removes the cipher header and envelope entries. Image writers store std::string entries in the
 * file header (MetaImage, NRRD), where binary bytes do not belong: strip them before writing and keep
 * the bytes in the sidecar (medcryptSidecar.h). */
inline void
RemoveCipherMetaData(itk::MetaDataDictionary & dictionary)
{
  for (const char * key : { CipherHeaderMetaDataKey, EnvelopeMetaDataKey })
  {
    if (dictionary.HasKey(key))
    {
      dictionary.Erase(key);
    }
  }
}

/** The geometry of an image's largest possible region as the cipher header records it. */
template<typename TImage>
ImageGeometry
GeometryOf(const TImage * image)
{
  constexpr unsigned int D = TImage::ImageDimension;
  ImageGeometry geometry;
  const auto size = image->GetLargestPossibleRegion().GetSize();
  for (unsigned int i = 0; i < D; ++i)
  {
    geometry.size.push_back(size[i]);
    geometry.spacing.push_back(image->GetSpacing()[i]);
    geometry.origin.push_back(image->GetOrigin()[i]);
  }
  for (unsigned int i = 0; i < D; ++i)
  {
    for (unsigned int j = 0; j < D; ++j)
    {
      geometry.direction.push_back(image->GetDirection()(i, j));
    }
  }
  return geometry;
}

/** The size of the ciphertext image of a tile grid: every tile whole (columns T x rows T [x slices]),
 * so that no ciphertext sample of a padded edge tile is lost. */
template<unsigned int VDimension>
itk::Size<VDimension>
CipherImageSize(const TileGrid & grid)
{
  itk::Size<VDimension> size;
  size[0] = static_cast<itk::SizeValueType>(grid.columns) * grid.tileSize;
  size[1] = static_cast<itk::SizeValueType>(grid.rows) * grid.tileSize;
  if constexpr (VDimension == 3)
  {
    size[2] = grid.slices;
  }
  return size;
}

/** The pixel digest of a ciphertext (docs/format.md): SHA-256 of its buffered samples, little-endian,
 * x fastest, then y, then slice. The image must be buffered whole. */
template<typename TCipherImage>
std::array<std::uint8_t, 32>
CipherPixelDigest(const TCipherImage * image)
{
  TileDigester digester;
  digester.Add(image->GetBufferPointer(), image->GetBufferedRegion().GetNumberOfPixels());
  return digester.Finish(std::nullopt).h;
}

/** A C++ type carried as a value, for VisitSampleType. */
template<typename T>
struct SampleTag
{
  using Type = T;
};

/** Calls visitor(SampleTag<T>{}) with the ITK pixel type T of a stored SampleType (unsigned char,
 * signed char, unsigned short, short, unsigned int, int, float, double). */
template<typename TVisitor>
decltype(auto)
VisitSampleType(SampleType type, TVisitor && visitor)
{
  switch (type)
  {
    case SampleType::UInt8:
      return visitor(SampleTag<unsigned char>{});
    case SampleType::Int8:
      return visitor(SampleTag<signed char>{});
    case SampleType::UInt16:
      return visitor(SampleTag<unsigned short>{});
    case SampleType::Int16:
      return visitor(SampleTag<short>{});
    case SampleType::UInt32:
      return visitor(SampleTag<unsigned int>{});
    case SampleType::Int32:
      return visitor(SampleTag<int>{});
    case SampleType::Float32:
      return visitor(SampleTag<float>{});
    case SampleType::Float64:
      break;
  }
  return visitor(SampleTag<double>{});
}

} // namespace medcrypt

#endif
