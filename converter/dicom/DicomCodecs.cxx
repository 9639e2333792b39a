#include "DicomCodecs.h"

#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdlib>
#include <mutex>

namespace medcrypt::dicom
{

namespace
{
void
CleanupCodecs()
{
  DJDecoderRegistration::cleanup();
  DJEncoderRegistration::cleanup();
  DJLSDecoderRegistration::cleanup();
  DJLSEncoderRegistration::cleanup();
  DcmRLEDecoderRegistration::cleanup();
  DcmRLEEncoderRegistration::cleanup();
}
} // namespace

void
RegisterDicomCodecs()
{
  static std::once_flag once;
  std::call_once(once,
                 []
                 {
                   DJDecoderRegistration::registerCodecs();
                   DJEncoderRegistration::registerCodecs();
                   DJLSDecoderRegistration::registerCodecs();
                   DJLSEncoderRegistration::registerCodecs();
                   DcmRLEDecoderRegistration::registerCodecs();
                   DcmRLEEncoderRegistration::registerCodecs();
                   std::atexit(CleanupCodecs);
                 });
}

void
QuietDicomToolkitLogging()
{
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
}

bool
IsDecodableTransferSyntax(E_TransferSyntax xfer)
{
  const DcmXfer info(xfer);
  if (xfer == EXS_Unknown)
  {
    return false;
  }
  if (!info.isEncapsulated())
  {
    return true;
  }
  switch (xfer)
  {
    case EXS_RLELossless:
    case EXS_JPEGProcess1:
    case EXS_JPEGProcess2_4:
    case EXS_JPEGProcess6_8:
    case EXS_JPEGProcess10_12:
    case EXS_JPEGProcess14:
    case EXS_JPEGProcess14SV1:
    case EXS_JPEGLSLossless:
    case EXS_JPEGLSLossy:
      return true;
    default:
      return false;
  }
}

E_TransferSyntax
EffectiveTransferSyntax(const DcmDataset & dataset)
{
  if (dataset.getOriginalXfer() != EXS_Unknown)
  {
    return dataset.getOriginalXfer();
  }
  if (dataset.getCurrentXfer() != EXS_Unknown)
  {
    return dataset.getCurrentXfer();
  }
  return EXS_LittleEndianExplicit;
}

std::string
DescribeTransferSyntax(E_TransferSyntax xfer)
{
  const DcmXfer info(xfer);
  return std::string(info.getXferName()) + " (" + info.getXferID() + ")";
}

} // namespace medcrypt::dicom
