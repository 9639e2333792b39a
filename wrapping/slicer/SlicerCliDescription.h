#ifndef medcrypt_SlicerCliDescription_h
#define medcrypt_SlicerCliDescription_h

// The parameters a 3D Slicer CLI module declares in its XML description (Slicer's "executable"
// schema), read from the XML itself so that the command-line parser is built from the same text that
// `--xml` prints: the two cannot drift apart.

#include <string>
#include <vector>

namespace medcrypt::slicer
{

/** One parameter element (<image>, <file>, <boolean>, <integer>, <float>, <string-enumeration>, ...). */
struct SlicerCliParameter
{
  std::string tag;      // the element name, e.g. "image", "boolean"
  std::string name;     // <name>: how the module refers to the value
  std::string label;    // <label>
  std::string channel;  // <channel>: "input" or "output" ("input" when absent)
  std::string longflag; // <longflag> without leading dashes; empty for index parameters
  int index = -1;       // <index>: position among the positional arguments; -1: none
  bool hasDefault = false;
  std::string defaultValue;          // <default>
  std::vector<std::string> elements; // <element> choices of a string-enumeration
  std::string description;           // <description>

  /** True for an output value the module reports (no flag, no index): Slicer reads it from the
   * --returnparameterfile file. */
  bool
  IsReturnParameter() const
  {
    return channel == "output" && longflag.empty() && index < 0;
  }
};

/** A module's description: the header elements and every parameter in document order. */
struct SlicerCliDescription
{
  std::string title;
  std::string category;
  std::string version;
  std::vector<SlicerCliParameter> parameters;

  /** True when some parameter is a return parameter. */
  bool
  HasReturnParameters() const;
};

/** Parses a module's XML description. Throws std::logic_error naming the problem when the text is not
 * well-formed XML of Slicer's executable schema (no <executable> root, a parameter without <name>, neither
 * or both of <longflag> and <index> on an input, a non-numeric index): a defect of the module, not of
 * the user's input. */
SlicerCliDescription
ParseSlicerCliDescription(const std::string & xml);

} // namespace medcrypt::slicer

#endif
