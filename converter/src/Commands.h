#ifndef medcrypt_Commands_h
#define medcrypt_Commands_h

#include "CommandLine.h"

namespace medcrypt::cli
{

// One function per subcommand, each in its own Command<Name>.cxx. Each returns the exit status.
int
RunKeygen(const Arguments & arguments);
int
RunKeys(const Arguments & arguments);
int
RunPhantom(const Arguments & arguments);
int
RunMetrics(const Arguments & arguments);
int
RunModel(const Arguments & arguments);
int
RunTrain(const Arguments & arguments);
int
RunAverage(const Arguments & arguments);
int
RunCalibrate(const Arguments & arguments);

int
RunInfo(const Arguments & arguments);
int
RunEncrypt(const Arguments & arguments);
int
RunDecrypt(const Arguments & arguments);
int
RunEvaluate(const Arguments & arguments);

} // namespace medcrypt::cli

#endif
