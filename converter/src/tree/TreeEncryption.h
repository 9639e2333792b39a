#ifndef medcrypt_TreeEncryption_h
#define medcrypt_TreeEncryption_h

#include "../CommandLine.h"

namespace medcrypt::cli::tree
{

/** Adds the encrypt-only tree option --verify. */
void
AddTreeEncryptionOptions(CommandSpec & spec);

/** `medcrypt encrypt ... IN_DIR OUT_DIR` (the options of RunEncrypt, IN a directory): encrypts every
 * image of the tree (DicomImageCipher), copies non-image DICOM and DICOMDIR, skips non-DICOM files, and
 * with --verify restores each written file in memory and compares it with its input before it counts as
 * done. Returns the exit status (RunTreeConversion). */
int
RunTreeEncryption(const po::variables_map & values);

} // namespace medcrypt::cli::tree

#endif
