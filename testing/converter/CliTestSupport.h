#ifndef medcrypt_CliTestSupport_h
#define medcrypt_CliTestSupport_h

#include "ProgramRunning.h"

#include <string>

namespace medcrypt::testing
{

/** What a run of the medcrypt executable produced. */
using CommandResult = ProgramResult;

/** Runs `medcrypt ARGS` through /bin/sh (args are passed verbatim: quote them yourself). */
CommandResult
RunMedcrypt(const std::string & arguments, const std::string & environment = "");

/** Writes a 2-D uint8 MetaImage (.mha) with im(x, y) = (7 x + 3 y) mod 256. */
void
WriteRampImage(const std::string & path, int width, int height);

} // namespace medcrypt::testing

#endif
