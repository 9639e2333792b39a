// medcryptWriteTinyModel OUT [SEED]: writes an untrained `tiny` model file (32 x 32 tiles) for the
// Python binding tests, which cannot create one themselves, and prints its model id.
#include "TinyModelFile.h"

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

int
main(int argc, char * argv[])
{
  if (argc < 2 || argc > 3)
  {
    std::cerr << "usage: medcryptWriteTinyModel OUT [SEED]" << std::endl;
    return 2;
  }
  try
  {
    const std::uint64_t seed = argc == 3 ? std::stoull(argv[2]) : 1;
    std::cout << medcrypt::testing::WriteTinyModelFile(argv[1], seed) << std::endl;
  }
  catch (const std::exception & error)
  {
    std::cerr << "medcryptWriteTinyModel: " << error.what() << std::endl;
    return 1;
  }
  return 0;
}
