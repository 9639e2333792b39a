#include "AtomicFileWriter.h"

#include "medcrypt/Error.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

namespace medcrypt::dicom
{

namespace fs = std::filesystem;

namespace
{

fs::path
TemporaryPathFor(const fs::path & target)
{
  static std::atomic<unsigned long> counter{ 0 };
  return target.parent_path() / ("." + target.filename().string() + ".medcrypt-partial-" + std::to_string(::getpid()) +
                                 "-" + std::to_string(counter++));
}

/** fsync of a file or directory; returns false on failure. */
bool
SyncPath(const fs::path & path, bool directory)
{
  const int descriptor = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (descriptor < 0)
  {
    return false;
  }
  const bool synced = ::fsync(descriptor) == 0;
  ::close(descriptor);
  return synced;
}

} // namespace

void
AtomicFileWriter::EnsureWritableDirectory(const fs::path & directory)
{
  std::error_code error;
  fs::create_directories(directory, error);
  if (error)
  {
    throw UserError(directory.string() + ": cannot create the output directory (" + error.message() +
                    "): check permissions or choose another output directory");
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0)
  {
    throw UserError(directory.string() + ": the output directory is not writable (" + std::strerror(errno) +
                    "): check permissions or choose another output directory");
  }
}

void
AtomicFileWriter::Write(const fs::path & target, const std::function<void(const fs::path &)> & writeTemporary)
{
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  EnsureWritableDirectory(directory);
  const fs::path temporary = TemporaryPathFor(directory / target.filename());
  std::error_code ignored;
  try
  {
    writeTemporary(temporary);
    if (!fs::is_regular_file(temporary))
    {
      throw UserError(target.string() + ": nothing was written");
    }
    if (!SyncPath(temporary, false))
    {
      throw UserError(target.string() + ": cannot flush the written file to disk (" + std::strerror(errno) + ")");
    }
  }
  catch (...)
  {
    fs::remove(temporary, ignored);
    throw;
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0)
  {
    const std::string reason = std::strerror(errno);
    fs::remove(temporary, ignored);
    throw UserError(target.string() + ": cannot move the written file into place (" + reason + ")");
  }
  SyncPath(directory, true);
}

std::size_t
AtomicFileWriter::RemovePartialFiles(const fs::path & root)
{
  std::size_t removed = 0;
  std::error_code error;
  if (!fs::is_directory(root, error))
  {
    return 0;
  }
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end; it.increment(error))
  {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file(error) && !name.empty() && name.front() == '.' &&
        name.find(".medcrypt-partial-") != std::string::npos)
    {
      removed += fs::remove(it->path(), error) ? 1 : 0;
    }
  }
  return removed;
}

void
AtomicFileWriter::WriteBytes(const fs::path & target, ByteView bytes)
{
  Write(target,
        [&](const fs::path & temporary)
        {
          std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
          out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
          out.close();
          if (!out)
          {
            throw UserError(target.string() + ": cannot write the file (disk full or no permission?)");
          }
        });
}

} // namespace medcrypt::dicom
