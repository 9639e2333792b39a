#ifndef medcrypt_cli_PhantomDicomSeries_h
#define medcrypt_cli_PhantomDicomSeries_h
// A synthetic CT series (the Shepp-Logan phantom) as DICOM files, so that the README's main job, the
// benchmarks and the tests have a realistic archive without patient data.
#include "medcryptSheppLoganPhantom.h"

#include <cstddef>
#include <filesystem>

namespace medcrypt::cli
{

/** Writes `options.slices` CT Image Storage files (one frame each, 16-bit signed, Hounsfield units with
 * slope 1 and intercept 0, Explicit VR Little Endian) named IM0001.dcm, IM0002.dcm, ... into
 * `directory` (created when missing). Patient, study and series attributes are fictitious; every UID is
 * a 2.25 UID derived from options.seed, so the same options always give the same files. Returns the
 * number of bytes written. Throws UserError naming the file when a file cannot be written. */
std::size_t
WritePhantomDicomSeries(const PhantomOptions & options, const std::filesystem::path & directory);

} // namespace medcrypt::cli

#endif
