#ifndef medcrypt_AtomicFileWriter_h
#define medcrypt_AtomicFileWriter_h

#include "medcrypt/ByteView.h"

#include <cstddef>
#include <filesystem>
#include <functional>

namespace medcrypt::dicom
{

/** Writes files so that a reader (or an interrupted run) never sees a partial one: the content goes to a
 * temporary name in the target's directory (".<name>.medcrypt-partial-<pid>-<n>"), is flushed to disk,
 * and is then renamed over the target (atomic within one file system). Missing directories are created.
 * When writing fails, the temporary file is removed and nothing appears under the target name. */
class AtomicFileWriter
{
public:
  /** Calls `writeTemporary` with the temporary path, which it must create and fill (for example with
   * DCMTK's saveFile), then renames it to `target`. Exceptions from `writeTemporary` propagate after the
   * temporary file is removed. Throws UserError naming the directory when it cannot be created or
   * written, and naming the target when the rename fails. */
  static void
  Write(const std::filesystem::path & target,
        const std::function<void(const std::filesystem::path &)> & writeTemporary);

  /** Write() for a byte buffer. */
  static void
  WriteBytes(const std::filesystem::path & target, ByteView bytes);

  /** Removes the temporary files that an interrupted run left below `root` (names starting with "." and
   * containing ".medcrypt-partial-"), so that a resumed run starts clean; returns how many were removed.
   * Other files are never touched. */
  static std::size_t
  RemovePartialFiles(const std::filesystem::path & root);

  /** Creates `directory` (and its parents) if needed and checks that files can be created in it.
   * Throws UserError naming it otherwise ("not writable: check permissions or choose another output"). */
  static void
  EnsureWritableDirectory(const std::filesystem::path & directory);
};

} // namespace medcrypt::dicom

#endif
