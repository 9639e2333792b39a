#include "ProgramRunning.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
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

ProgramResult
RunProgram(const std::string & program, const std::string & arguments, const std::string & environment)
{
  TemporaryDirectory capture;
  const std::string command = environment + " " + program + " " + arguments + " >" + (capture / "out") + " 2>" +
                              (capture / "err") + " </dev/null";
  const int raw = std::system(command.c_str());
  ProgramResult result;
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  result.output = ReadWhole(capture / "out");
  result.errors = ReadWhole(capture / "err");
  return result;
}

TemporaryDirectory::TemporaryDirectory()
{
  char pattern[] = "/tmp/medcrypt-test-XXXXXX";
  if (::mkdtemp(pattern) == nullptr)
  {
    throw std::runtime_error("cannot create a temporary directory");
  }
  m_Path = pattern;
}

TemporaryDirectory::~TemporaryDirectory()
{
  std::error_code ignored;
  std::filesystem::remove_all(m_Path, ignored);
}

void
WriteTextFile(const std::string & path, const std::string & text)
{
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::uint8_t>
ReadBytes(const std::string & path)
{
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void
WriteBytes(const std::string & path, const std::vector<std::uint8_t> & bytes)
{
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

} // namespace medcrypt::testing
