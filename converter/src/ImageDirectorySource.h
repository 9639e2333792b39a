#ifndef medcrypt_ImageDirectorySource_h
#define medcrypt_ImageDirectorySource_h

// Training images from directory trees, read with ITK (the model library itself reads no files).

#include "medcrypt/TrainingImageSource.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace medcrypt::cli
{

/** Every readable scalar image (DICOM, PNG, MetaImage, NRRD, NIfTI) found recursively under the
 * given directories, held in memory as 2-D slices in [0, 1].
 *
 * * Each file is min-max normalised over all its voxels (in its stored type, NaN ignored).
 * * A 2-D image is one slice; a 3-D volume contributes every slice along its last axis and, with
 *   `allAxes`, also every slice along the other two axes when it has at least 32 slices (thinner
 *   stacks give slices too narrow to crop).
 * * Slices whose own range is below one 8-bit level (blank slices) are left out.
 * * Files are visited in sorted path order, so the same directories give the same indices.
 * * Unreadable files (not an image, colour, 4-D, broken) are skipped with a note on `notes`. */
class ImageDirectorySource : public TrainingImageSource
{
public:
  ImageDirectorySource(const std::vector<std::string> & directories, bool allAxes, std::ostream & notes);

  std::size_t
  size() const override
  {
    return m_Slices.size();
  }

  /** Slice `index` as a float32 tensor [1, H, W] in [0, 1] (a copy). */
  at::Tensor
  get(std::size_t index) override;

  /** "path (slice k along axis a)". */
  std::string
  describe(std::size_t index) const override;

  /** Number of image files that contributed slices. */
  std::size_t
  FileCount() const
  {
    return m_Volumes.size();
  }

private:
  struct Volume
  {
    std::string path;
    at::Tensor voxels; // [depth, height, width], float32 in [0, 1]
  };
  struct Slice
  {
    std::size_t volume;
    int axis; // 0: along the last ITK axis (z); 1: along y; 2: along x
    int64_t index;
  };

  at::Tensor
  SliceView(const Slice & slice) const;

  std::vector<Volume> m_Volumes;
  std::vector<Slice> m_Slices;
};

} // namespace medcrypt::cli

#endif
