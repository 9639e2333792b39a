// Measures what cipher format versions 2 to 4 add to encryption (docs/design.md, "the keyed ciphertext
// permutation"): deriving a tile's permutation (HKDF + AES-256-CTR + Fisher-Yates) and applying it, and
// format 4's pool digests, against the network's encryption of the same tile in the same run (the
// baseline); and what format 4 adds to the decryption of a changed tile (the refinement where its pools
// are intact) against the decoder alone. Prints the ratios.
//
//   medcrypt_bench_ciphertext_permutation [--model FILE] [--repeats N]
//
// The model defaults to the shipped one; LibTorch runs on one thread so that the two are comparable.
#include "medcrypt/CiphertextPermutation.h"
#include "medcrypt/NeuralCipher.h"
#include "medcrypt/PoolDigests.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
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

  std::vector<std::uint16_t> samples(pixels);
  std::transform(cipher.begin(),
                 cipher.end(),
                 samples.begin(),
                 [](float c) { return static_cast<std::uint16_t>(std::lround(c * 65535.0f)); });
  const double digests =
    SecondsPerCall(repeats * 10, [&] { (void)medcrypt::ComputePoolDigests(samples.data(), tile, 16); });
  std::cout << "format 4: pool digests of one tile:                  " << digests * 1e3
            << " ms, ratio digests / network " << digests / network << "\n";

  // Decryption of a tile of which one 16 x 16 pool in eight changed (as a crop leaves it).
  std::vector<float> authentic(pixels, 1.0f);
  for (std::size_t i = 0; i < pixels; ++i)
  {
    authentic[i] = (i / tile / 16 + i % tile / 16) % 8 == 0 ? 0.0f : 1.0f;
  }
  std::vector<float> decrypted(pixels);
  const double decoder =
    SecondsPerCall(repeats, [&] { model->Decrypt(cipher.data(), 1, &keys, parameters.data(), decrypted.data(), 0); });
  const double refined = SecondsPerCall(
    repeats,
    [&] { model->Decrypt(cipher.data(), 1, &keys, parameters.data(), decrypted.data(), 3, authentic.data()); });
  std::cout << "decoder alone, one tile (baseline):                   " << decoder * 1e3 << " ms\n"
            << "format 4: a changed tile refined where intact, 3 steps: " << refined * 1e3
            << " ms, ratio refined / decoder " << refined / decoder << "\n";
  return 0;
}
