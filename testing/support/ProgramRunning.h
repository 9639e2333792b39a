#ifndef medcrypt_ProgramRunning_h
#define medcrypt_ProgramRunning_h

// Running a program as a user would (exit status, stdout, stderr), scratch directories and whole-file
// reads and writes: what the command-line tests of converter/ and the Slicer module tests of wrapping/slicer share.

#include <cstdint>
#include <string>
#include <vector>

namespace medcrypt::testing
{

/** What a run of a program produced. */
struct ProgramResult
{
  int status = -1;    // exit status (-1: killed by a signal)
  std::string output; // stdout
  std::string errors; // stderr
};

/** Runs `environment program arguments` through /bin/sh with stdin from /dev/null (arguments verbatim:
 * quote them yourself). */
ProgramResult
RunProgram(const std::string & program, const std::string & arguments, const std::string & environment = "");

/** A fresh temporary directory, removed with its contents when the object dies. */
class TemporaryDirectory
{
public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory &) = delete;
  TemporaryDirectory &
  operator=(const TemporaryDirectory &) = delete;

  /** The directory's path. */
  const std::string &
  Path() const
  {
    return m_Path;
  }

  /** The path of `name` inside the directory. */
  std::string
  operator/(const std::string & name) const
  {
    return m_Path + "/" + name;
  }

private:
  std::string m_Path;
};

/** True when `part` occurs in `text`. */
inline bool
Contains(const std::string & text, const std::string & part)
{
  return text.find(part) != std::string::npos;
}

/** Writes `text` to `path`. */
void
WriteTextFile(const std::string & path, const std::string & text);

/** The bytes of the file at `path` (none when it cannot be read). */
std::vector<std::uint8_t>
ReadBytes(const std::string & path);

/** Writes `bytes` to `path`, replacing what was there. */
void
WriteBytes(const std::string & path, const std::vector<std::uint8_t> & bytes);

} // namespace medcrypt::testing

#endif
