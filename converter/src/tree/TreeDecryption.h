#ifndef medcrypt_TreeDecryption_h
#define medcrypt_TreeDecryption_h

#include "../CommandLine.h"

namespace medcrypt::cli::tree
{

/** Adds the decrypt-only tree options --private-key KEY.pem and --certificate CERT.pem. */
void
AddTreeDecryptionOptions(CommandSpec & spec);

/** `medcrypt decrypt ... IN_DIR OUT_DIR` (the options of RunDecrypt, IN a directory): restores every
 * MedCrypt-encrypted image of the tree bit-exactly from its exact envelope, opened with the user key or,
 * with --private-key and --certificate, as a certificate recipient (no user key needed); copies other
 * DICOM files (non-image objects, DICOMDIR, images that were not encrypted), skips non-DICOM files.
 * Returns the exit status (RunTreeConversion). */
int
RunTreeDecryption(const po::variables_map & values);

} // namespace medcrypt::cli::tree

#endif
