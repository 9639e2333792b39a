#ifndef medcrypt_SlicerCliModule_h
#define medcrypt_SlicerCliModule_h

// The 3D Slicer CLI protocol for an executable module, without SlicerExecutionModel: `--xml` prints
// the module's XML description; otherwise the command line is parsed (Boost.Program_options) from the
// parameters that XML declares, the module runs, and its return parameters are printed as
// `name = value` lines and written to the --returnparameterfile file that Slicer reads.

#include "SlicerCliDescription.h"

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace medcrypt::slicer
{

/** The values of one run, by parameter <name>. */
class SlicerCliValues
{
public:
  /** True when the command line gave the parameter or the XML declares a default for it. */
  bool
  Has(const std::string & name) const;

  /** The value as text; std::logic_error when the module asks for a parameter it has no value for (call
   * Has() first for optional ones). */
  const std::string &
  String(const std::string & name) const;

  /** The value of a <boolean>: true when its flag was given (or its default is "true"). */
  bool
  Flag(const std::string & name) const;

  /** Sets a value (used by ParseSlicerCliArguments). */
  void
  Set(const std::string & name, const std::string & value);

private:
  std::map<std::string, std::string> m_Values;
};

/** Parses the arguments after the program name against `description`: every <longflag> becomes
 * --longflag (a switch for <boolean>, taking a value otherwise), every <index> parameter a positional
 * argument in index order (all required); "--returnparameterfile FILE" when the module has return
 * parameters. Integer and floating-point values and string-enumeration choices are checked. Throws
 * medcrypt::UserError with the usage for unknown options, missing or malformed values. */
SlicerCliValues
ParseSlicerCliArguments(const SlicerCliDescription & description, const std::vector<std::string> & arguments);

/** The usage text of a module: its title and every argument with its description. */
std::string
SlicerCliUsage(const SlicerCliDescription & description, const std::string & program);

/** Return parameter values in the order the module reports them: (name, value). */
using SlicerCliReturnValues = std::vector<std::pair<std::string, double>>;

/** Formats a return value so that reading it back gives the same double (17 significant digits). */
std::string
FormatReturnValue(double value);

/** Runs a module: prints `xml` for --xml, the usage for --help; otherwise parses the arguments, calls
 * `body` and reports its return values (they must be exactly the module's return parameters) as
 * `name = value` lines on stdout and in the --returnparameterfile file (written under a temporary name
 * and renamed). A medcrypt::UserError or any other exception is printed as "<program>: error: ..." on
 * stderr and gives exit status 1. Returns the exit status for main(). */
int
RunSlicerCliModule(const std::string & xml,
                   int argc,
                   char ** argv,
                   const std::function<SlicerCliReturnValues(const SlicerCliValues &)> & body);

} // namespace medcrypt::slicer

#endif
