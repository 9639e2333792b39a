#include "EvaluationInputs.h"

#include "medcrypt/Error.h"

#include "itkImageIOFactory.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace medcrypt::evaluate
{

namespace
{

/** True when some ITK reader recognises `path` (from its name or its first bytes). */
bool
IsImageFile(const std::string & path)
{
  return itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::IOFileModeEnum::ReadMode).IsNotNull();
}

} // namespace

std::vector<std::string>
FindEvaluationImages(const std::vector<std::string> & inputs)
{
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto & input : inputs)
  {
    std::error_code error;
    const auto status = fs::status(input, error);
    if (error || !fs::exists(status))
    {
      throw UserError(input + ": no such file or directory; give image files or directories of images");
    }
    if (!fs::is_directory(status))
    {
      files.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(input, fs::directory_options::skip_permission_denied, error), end;
         !error && it != end;
         it.increment(error))
    {
      std::error_code typeError;
      if (it->is_regular_file(typeError) && !typeError && IsImageFile(it->path().string()))
      {
        found.push_back(it->path().string());
      }
    }
    if (error)
    {
      throw UserError(input + ": cannot list the directory (" + error.message() + ")");
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

} // namespace medcrypt::evaluate
