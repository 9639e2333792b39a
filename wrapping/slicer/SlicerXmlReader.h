#ifndef medcrypt_SlicerXmlReader_h
#define medcrypt_SlicerXmlReader_h

// Reads the XML of Slicer module descriptions with expat into a tree of elements and their text
// (attributes, comments and processing instructions are dropped). Every character of the text is kept,
// entities and CDATA included (ITK's DOM reader trims text around entities).

#include <string>
#include <vector>

namespace medcrypt::slicer
{

/** One element: its name, its text (all text children concatenated, entities decoded) and its child
 * elements in document order. */
struct XmlElement
{
  std::string name;
  std::string text;
  std::vector<XmlElement> children;

  /** The first child element called `name`, or nullptr. */
  const XmlElement *
  Child(const std::string & name) const;
};

/** Reads a whole document and returns its root element. Throws std::logic_error "XML is not well-formed
 * (line N): <expat's reason> (inside <innermost open element>)" for anything that is not well-formed
 * (unclosed or mismatched elements, undefined entities, text after the root, ...). */
XmlElement
ReadXmlDocument(const std::string & text);

} // namespace medcrypt::slicer

#endif
