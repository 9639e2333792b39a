#ifndef medcrypt_Error_h
#define medcrypt_Error_h

#include <stdexcept>
#include <string>

namespace medcrypt
{

/** An error caused by the user's input (a file, a key, an option): the message says what is wrong
 * and what to do. Command-line tools print it without a stack of internal detail. */
class UserError : public std::runtime_error
{
public:
  explicit UserError(const std::string & message)
    : std::runtime_error(message)
  {
  }
};

} // namespace medcrypt

#endif
