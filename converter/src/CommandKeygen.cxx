// medcrypt keygen: a new random user key file, mode 0600.
#include "Commands.h"

#include "medcrypt/UserKey.h"

#include <iostream>

namespace medcrypt::cli
{

int
RunKeygen(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "keygen";
  spec.synopsis = "medcrypt keygen --out KEYFILE [--mu MU] [--burn-in N] [--overwrite]";
  spec.summary = "Writes a new user key (b1..b4 from OpenSSL's RAND_bytes) as a JSON key file with mode 0600.\n"
                 "Keep it secret and keep a copy: without it nothing encrypted with it can be restored.\n"
                 "With --from-env VAR the key is stretched (scrypt) from the passphrase in that environment variable.";
  spec.options.add_options()(
    "out,o", po::value<std::string>()->required()->value_name("KEYFILE"), "key file to create")(
    "mu", po::value<double>()->default_value(UserKey::DefaultMu), "logistic-map parameter, 3.5699 <= mu <= 4")(
    "burn-in", po::value<int>()->default_value(UserKey::DefaultBurnIn), "logistic-map iterations discarded")(
    "from-env",
    po::value<std::string>()->value_name("VAR"),
    "derive the key from the passphrase in environment variable VAR instead of random bytes")(
    "overwrite", po::bool_switch(), "replace an existing key file");
  spec.positional.add("out", 1);
  const auto values = Parse(spec, arguments);

  UserKey key =
    values.count("from-env") ? UserKeyFromEnvironment(values["from-env"].as<std::string>()) : GenerateUserKey();
  key.mu = values["mu"].as<double>();
  key.burnIn = values["burn-in"].as<int>();
  key.Validate();
  const auto path = values["out"].as<std::string>();
  SaveUserKeyFile(key, path, values["overwrite"].as<bool>());
  std::cout << "wrote key file " << path << " (mode 0600, mu " << key.mu << ", burn-in " << key.burnIn << ")\n";
  return 0;
}

} // namespace medcrypt::cli
