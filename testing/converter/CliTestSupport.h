#ifndef medcrypt_CliTestSupport_h
#define medcrypt_CliTestSupport_h

#include <string>

namespace medcrypt::testing
{

/** What a run of the medcrypt executable produced. */
struct CommandResult
{
  int         status = -1; // exit status
  std::string output;      // stdout
  std::string errors;      // stderr
};

/** Runs `medcrypt ARGS` through /bin/sh (args are passed verbatim: quote them yourself). */
CommandResult
RunMedcrypt(const std::string & arguments, const std::string & environment = "");

/** A fresh temporary directory, removed with its contents when the object dies. */
class TemporaryDirectory
{
public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory &) = delete;
  TemporaryDirectory &
  operator=(const TemporaryDirectory &) = delete;

  const std::string &
  Path() const
  {
    return m_Path;
  }
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

/** Writes a 2-D uint8 MetaImage (.mha) with im(x, y) = (7 x + 3 y) mod 256. */
void
WriteRampImage(const std::string & path, int width, int height);

} // namespace medcrypt::testing

#endif
