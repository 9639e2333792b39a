#include "CliTestSupport.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace medcrypt::testing
{

namespace
{

std::string
ReadWhole(const std::string & path)
{
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

CommandResult
RunMedcrypt(const std::string & arguments, const std::string & environment)
{
  TemporaryDirectory capture;
  const std::string  command = environment + " " MEDCRYPT_EXECUTABLE " " + arguments + " >" + (capture / "out") +
                              " 2>" + (capture / "err") + " </dev/null";
  const int          raw = std::system(command.c_str());
  CommandResult      result;
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  result.output = ReadWhole(capture / "out");
  result.errors = ReadWhole(capture / "err");
  return result;
}

TemporaryDirectory::TemporaryDirectory()
{
  char pattern[] = "/tmp/medcrypt-cli-XXXXXX";
  if (::mkdtemp(pattern) == nullptr)
  {
    throw std::runtime_error("cannot create a temporary directory");
  }
  m_Path = pattern;
}

TemporaryDirectory::~TemporaryDirectory()
{
  const std::string command = "rm -rf '" + m_Path + "'";
  if (std::system(command.c_str()) != 0)
  {
    std::fprintf(stderr, "warning: could not remove %s\n", m_Path.c_str());
  }
}

void
WriteTextFile(const std::string & path, const std::string & text)
{
  std::ofstream out(path, std::ios::binary);
  out << text;
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
