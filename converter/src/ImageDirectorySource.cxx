#include "ImageDirectorySource.h"

#include "ImageReading.h"

#include "medcrypt/Error.h"

#include <ATen/ops/empty.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <ostream>

namespace medcrypt::cli
{

namespace
{

namespace fs = std::filesystem;

/** Image files by name: the usual extensions, or none at all (DICOM files often have none). */
bool
LooksLikeImage(const fs::path & path)
{
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char * const suffixes[] = { ".dcm", ".dicom", ".ima",  ".png", ".mha",
                                           ".mhd", ".nrrd",  ".nhdr", ".nii", ".nii.gz" };
  for (const char * suffix : suffixes)
  {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
    {
      return true;
    }
  }
  return path.extension().empty() && name != "DICOMDIR" && name.front() != '.';
}

/** The voxels of an ITK image as [depth, height, width] float32, min-max normalised to [0, 1];
 * an undefined tensor when the image is constant. */
template<typename TImagePointer>
at::Tensor
NormalisedVoxels(const TImagePointer & image)
{
  using ImageType = std::remove_reference_t<decltype(*image)>;
  constexpr unsigned int dimension = ImageType::ImageDimension;
  const auto size = image->GetLargestPossibleRegion().GetSize();
  const int64_t width = static_cast<int64_t>(size[0]);
  const int64_t height = static_cast<int64_t>(size[1]);
  const int64_t depth = dimension == 3 ? static_cast<int64_t>(size[dimension - 1]) : 1;
  const auto * input = image->GetBufferPointer();
  const int64_t count = width * height * depth;
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (int64_t i = 0; i < count; ++i)
  {
    const double value = static_cast<double>(input[i]);
    if (std::isfinite(value))
    {
      low = std::min(low, value);
      high = std::max(high, value);
    }
  }
  if (!(high > low))
  {
    return at::Tensor();
  }
  at::Tensor voxels = at::empty({ depth, height, width }, at::kFloat);
  float * output = voxels.data_ptr<float>();
  for (int64_t i = 0; i < count; ++i)
  {
    const double value = static_cast<double>(input[i]);
    output[i] = std::isfinite(value) ? static_cast<float>((value - low) / (high - low)) : 0.0f;
  }
  return voxels;
}

} // namespace

ImageDirectorySource::ImageDirectorySource(const std::vector<std::string> & directories,
                                           bool allAxes,
                                           std::ostream & notes)
{
  std::vector<fs::path> files;
  for (const auto & directory : directories)
  {
    std::error_code error;
    if (!fs::is_directory(directory, error))
    {
      throw UserError("--data " + directory + ": not a directory");
    }
    for (fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, error), end;
         it != end;
         it.increment(error))
    {
      if (error)
      {
        break;
      }
      if (it->is_regular_file(error) && LooksLikeImage(it->path()))
      {
        files.push_back(it->path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());

  std::size_t blank = 0;
  for (const auto & file : files)
  {
    at::Tensor voxels;
    try
    {
      voxels = VisitScalarImage(file.string(), [](auto image) { return NormalisedVoxels(image); });
    }
    catch (const UserError & error)
    {
      notes << "note: skipping " << error.what() << "\n";
      continue;
    }
    catch (const std::exception & error)
    {
      notes << "note: skipping " << file.string() << ": " << error.what() << "\n";
      continue;
    }
    if (!voxels.defined())
    {
      notes << "note: skipping " << file.string() << ": the image is constant\n";
      continue;
    }
    const std::size_t volume = m_Volumes.size();
    m_Volumes.push_back({ file.string(), voxels });
    const int axes = allAxes && voxels.size(0) >= 32 ? 3 : 1;
    std::size_t added = 0;
    for (int axis = 0; axis < axes; ++axis)
    {
      for (int64_t index = 0; index < voxels.size(axis); ++index)
      {
        const Slice slice{ volume, axis, index };
        const at::Tensor view = SliceView(slice);
        if (view.max().item<float>() - view.min().item<float>() < 1.0f / 255.0f)
        {
          ++blank;
          continue;
        }
        m_Slices.push_back(slice);
        ++added;
      }
    }
    if (added == 0)
    {
      m_Volumes.pop_back();
    }
  }
  if (blank > 0)
  {
    notes << "note: left out " << blank << " blank slice(s)\n";
  }
}

at::Tensor
ImageDirectorySource::SliceView(const Slice & slice) const
{
  return m_Volumes[slice.volume].voxels.select(slice.axis, slice.index);
}

at::Tensor
ImageDirectorySource::get(std::size_t index)
{
  return SliceView(m_Slices.at(index)).unsqueeze(0).clone(at::MemoryFormat::Contiguous);
}

std::string
ImageDirectorySource::describe(std::size_t index) const
{
  const Slice & slice = m_Slices.at(index);
  return m_Volumes[slice.volume].path + " (slice " + std::to_string(slice.index) + " along axis " +
         std::to_string(slice.axis) + ")";
}

} // namespace medcrypt::cli
