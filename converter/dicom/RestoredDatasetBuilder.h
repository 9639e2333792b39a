#ifndef medcrypt_RestoredDatasetBuilder_h
#define medcrypt_RestoredDatasetBuilder_h

#include <dcmtk/dcmdata/dcfilefo.h>

#include <memory>
#include <string>

namespace medcrypt::dicom
{

/** A restored file and the transfer syntax to write it in (the original one). */
struct RestoredFile
{
  std::unique_ptr<DcmFileFormat> file;
  E_TransferSyntax transferSyntax = EXS_LittleEndianExplicit;
};

/** Rebuilds the original dataset from an encrypted one and the decrypted Modified Attributes item. */
class RestoredDatasetBuilder
{
public:
  /** A copy of `encrypted` with every TouchedAttributes() element removed, MedCrypt's private block
   * removed, and every element of `modifiedAttributes` put back (its own MedCrypt block excepted: the
   * original transfer syntax and, for compressed originals, the encapsulated Pixel Data, which becomes
   * the Pixel Data's representation in that syntax, byte for byte). Media Storage SOP Instance UID is
   * set from the restored SOP Instance UID. Writing the result in `transferSyntax` gives the original
   * attributes and Pixel Data. Throws UserError naming `origin` when the item lacks the original
   * transfer syntax or holds malformed encapsulated Pixel Data. */
  static RestoredFile
  Build(const DcmFileFormat & encrypted, const DcmItem & modifiedAttributes, const std::string & origin);
};

} // namespace medcrypt::dicom

#endif
