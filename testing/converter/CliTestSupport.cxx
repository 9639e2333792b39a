#include "CliTestSupport.h"

#include <fstream>

namespace medcrypt::testing
{

CommandResult
RunMedcrypt(const std::string & arguments, const std::string & environment)
{
  return RunProgram(MEDCRYPT_EXECUTABLE, arguments, environment);
}

void
WriteRampImage(const std::string & path, int width, int height)
{
  std::ofstream out(path, std::ios::binary);
  out << "ObjectType = Image\nNDims = 2\nDimSize = " << width << " " << height
      << "\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n";
  for (int y = 0; y < height; ++y)
  {
    for (int x = 0; x < width; ++x)
    {
      out.put(static_cast<char>((7 * x + 3 * y) % 256));
    }
  }
}

} // namespace medcrypt::testing
