#ifndef medcryptImageTiles_h
#define medcryptImageTiles_h

#include "medcrypt/TileDigest.h"

#include "itkImage.h"
#include "itkImageRegionConstIterator.h"

#include <optional>
#include <vector>

namespace medcrypt
{

/** One tile of an image: its region (inside the image, before padding) and its place in the grid.
 * 2-D images are cut into tileSize x tileSize squares (the last row and column smaller); 3-D images
 * slice by slice along the last axis, each slice cut the same way. */
template<unsigned int VDimension>
struct ImageTile
{
  itk::ImageRegion<VDimension> region;
  TilePosition position;
};

/** The tile grid of `region` (row = y / tileSize, column = x / tileSize, slice = z). */
template<unsigned int VDimension>
std::vector<ImageTile<VDimension>>
TileRegion(const itk::ImageRegion<VDimension> & region, unsigned int tileSize)
{
  static_assert(VDimension == 2 || VDimension == 3, "MedCrypt tiles 2-D and 3-D images");
  const auto size = region.GetSize();
  const auto index = region.GetIndex();
  const unsigned rows = static_cast<unsigned>((size[1] + tileSize - 1) / tileSize);
  const unsigned columns = static_cast<unsigned>((size[0] + tileSize - 1) / tileSize);
  const unsigned slices = VDimension == 3 ? static_cast<unsigned>(size[VDimension - 1]) : 1u;

  std::vector<ImageTile<VDimension>> tiles;
  tiles.reserve(static_cast<std::size_t>(rows) * columns * slices);
  for (unsigned slice = 0; slice < slices; ++slice)
  {
    for (unsigned row = 0; row < rows; ++row)
    {
      for (unsigned column = 0; column < columns; ++column)
      {
        ImageTile<VDimension> tile;
        typename itk::ImageRegion<VDimension>::IndexType start = index;
        typename itk::ImageRegion<VDimension>::SizeType extent = size;
        start[0] += static_cast<itk::IndexValueType>(column) * tileSize;
        start[1] += static_cast<itk::IndexValueType>(row) * tileSize;
        extent[0] =
          std::min<itk::SizeValueType>(tileSize, size[0] - static_cast<itk::SizeValueType>(column) * tileSize);
        extent[1] = std::min<itk::SizeValueType>(tileSize, size[1] - static_cast<itk::SizeValueType>(row) * tileSize);
        if constexpr (VDimension == 3)
        {
          start[2] += slice;
          extent[2] = 1;
        }
        tile.region = itk::ImageRegion<VDimension>(start, extent);
        tile.position = TilePosition{ row, column, slice };
        tiles.push_back(tile);
      }
    }
  }
  return tiles;
}

/** h and p of one tile (docs/format.md): its samples in row-major order (x fastest) in their stored
 * type, little-endian; the position is appended when the image has more than one tile or slice. */
template<typename TImage>
TileDigest
DigestTile(const TImage * image,
           const itk::ImageRegion<TImage::ImageDimension> & region,
           const std::optional<TilePosition> & position)
{
  using PixelType = typename TImage::PixelType;
  TileDigester digester;
  std::vector<PixelType> row(region.GetSize(0));
  itk::ImageRegionConstIterator<TImage> it(image, region);
  std::size_t filled = 0;
  for (it.GoToBegin(); !it.IsAtEnd(); ++it)
  {
    row[filled++] = it.Get();
    if (filled == row.size())
    {
      digester.Add(row.data(), filled);
      filled = 0;
    }
  }
  return digester.Finish(position);
}

} // namespace medcrypt

#endif
