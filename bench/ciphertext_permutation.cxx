// Measures what cipher format versions 2 and 3 add to encryption (docs/design.md, "the keyed ciphertext
// permutation"): deriving a tile's permutation (HKDF + AES-256-CTR + Fisher-Yates) and applying it,
// against the network's encryption of the same tile in the same run (the baseline), and prints the ratio.
//
//   medcrypt_bench_ciphertext_permutation [--model FILE] [--repeats N]
//
// The model defaults to the shipped one; LibTorch runs on one thread so that the two are comparable.
#include "medcrypt/CiphertextPermutation.h"
#include "medcrypt/NeuralCipher.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace
{

template<typename F>
double
SecondsPerCall(int repeats, F && call)
{
  call(); // warm-up
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i)
  {
    call();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / repeats;
}

} // namespace

int
main(int argc, char * argv[])
{
  std::string modelPath = medcrypt::NeuralCipher::DefaultModelPath();
  int repeats = 20;
  for (int i = 1; i + 1 < argc; i += 2)
  {
    const std::string option = argv[i];
    if (option == "--model")
    {
      modelPath = argv[i + 1];
    }
    else if (option == "--repeats")
    {
      repeats = std::max(1, std::atoi(argv[i + 1]));
    }
  }
  medcrypt::NeuralCipher::SetThreads(1);
  const auto model = medcrypt::NeuralCipher::Load(modelPath);
  const unsigned tile = static_cast<unsigned>(model->TileSize());
  const std::size_t pixels = std::size_t{ tile } * tile;

  std::mt19937 random(1);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> plain(pixels);
  for (auto & v : plain)
  {
    v = uniform(random);
  }
  std::vector<float> cipher(pixels);
  std::vector<float> stored(pixels);
  std::vector<float> parameters(model->ParametersPerTile());
  medcrypt::TileKeyParameters keys;
  keys.x0 = { 0.1, 0.2, 0.3, 0.4 };

  const double network =
    SecondsPerCall(repeats, [&] { model->Encrypt(plain.data(), 1, &keys, cipher.data(), parameters.data()); });
  std::cout << "tile " << tile << " x " << tile << ", model " << model->ModelId().substr(0, 12) << ", 1 thread\n"
            << "network encryption of one tile (baseline):           " << network * 1e3 << " ms\n";
  for (const std::uint32_t version : { 2u, 3u })
  {
    const medcrypt::CiphertextLayout layout = medcrypt::CiphertextLayoutOf(version);
    const double permutation = SecondsPerCall(repeats * 10,
                                              [&]
                                              {
                                                keys.x0[0] = uniform(random) * 0.5 + 0.25; // a new tile's keys
                                                const auto order = medcrypt::CiphertextPermutation(keys, tile, layout);
                                                medcrypt::PermuteTile(order, cipher.data(), stored.data());
                                              });
    std::cout << "format " << version << ": permutation of one tile (derive + apply): " << permutation * 1e3
              << " ms, ratio permutation / network " << permutation / network << "\n";
  }
  return 0;
}
