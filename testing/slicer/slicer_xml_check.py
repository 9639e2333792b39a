#!/usr/bin/python3
"""Checks the Slicer CLI modules given on the command line against their own XML descriptions.

For each module: `MODULE --xml` must print well-formed XML of Slicer's executable schema (parsed here by
xml.etree, independently of the module's reader), and the module's command-line parser must accept
exactly what that XML declares: a command line with every <longflag> and <index> parameter gets past
parsing (the module then fails on the nonexistent files, naming one of them), while a misspelt longflag,
an undeclared option, a missing positional volume, a positional volume given as --name and a value
outside a string-enumeration are refused as argument errors.
"""
import subprocess
from concurrent.futures import ThreadPoolExecutor
import sys
import xml.etree.ElementTree as ET

PARSE_ERROR = "run with --help for the arguments"
MISSING_DIR = "/nonexistent-medcrypt-xml-check"
HEADER_ELEMENTS = ["category", "title", "description", "version", "documentation-url", "license", "contributor"]
PARAMETER_TAGS = {"image", "file", "directory", "boolean", "integer", "float", "double", "string",
                  "string-enumeration", "integer-enumeration", "point", "region", "transform", "geometry"}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def run(module, arguments):
    result = subprocess.run([module] + arguments, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


def parameters_of(module, root):
    """The parameter elements of the description, checked against the schema."""
    check(root.tag == "executable", f"{module}: root element is <{root.tag}>, not <executable>")
    for name in HEADER_ELEMENTS:
        check(root.find(name) is not None, f"{module}: no <{name}> element")
    check((root.findtext("category") or "").strip() == "Security.MedCrypt", f"{module}: category is not Security.MedCrypt")
    parameters = []
    for group in root.findall("parameters"):
        check(group.find("label") is not None, f"{module}: a <parameters> group has no <label>")
        for element in group:
            if element.tag in ("label", "description"):
                continue
            check(element.tag in PARAMETER_TAGS, f"{module}: unknown parameter element <{element.tag}>")
            parameters.append(element)
    names = [p.findtext("name", "").strip() for p in parameters]
    check(all(names) and len(set(names)) == len(names), f"{module}: parameter names missing or repeated: {names}")
    for p in parameters:
        name = p.findtext("name", "").strip()
        for child in ("label", "channel", "description"):
            check(p.find(child) is not None, f"{module}: parameter {name} has no <{child}>")
        check(p.findtext("channel", "").strip() in ("input", "output"), f"{module}: parameter {name}: bad channel")
        has_flag = p.find("longflag") is not None
        has_index = p.find("index") is not None
        returned = p.findtext("channel", "").strip() == "output" and not has_flag and not has_index
        check(has_flag != has_index or returned, f"{module}: parameter {name} needs exactly one of longflag/index")
    indices = sorted(int(p.findtext("index")) for p in parameters if p.find("index") is not None)
    check(indices == list(range(len(indices))), f"{module}: indices are not 0..n-1: {indices}")
    return parameters


def value_for(p):
    tag = p.tag
    name = p.findtext("name").strip()
    if tag in ("image", "file", "directory"):
        return f"{MISSING_DIR}/{name}.nrrd" if tag == "image" else f"{MISSING_DIR}/{name}.bin"
    if tag.endswith("-enumeration"):
        return (p.findtext("default") or p.find("element").text).strip()
    if tag == "integer":
        return "1"
    if tag in ("float", "double"):
        return "0.5"
    return "text"


def command_line(parameters, replace=None, drop=None):
    """Every parameter given: positional volumes in index order, then every longflag."""
    replace = replace or {}
    positional = sorted((p for p in parameters if p.find("index") is not None), key=lambda p: int(p.findtext("index")))
    arguments = [value_for(p) for p in positional if p is not drop]
    for p in parameters:
        flag = p.findtext("longflag")
        if flag is None or p is drop:
            continue
        option = "--" + replace.get(flag.strip().lstrip("-"), flag.strip().lstrip("-"))
        if p.tag == "boolean":
            arguments.append(option)
        else:
            arguments += [option, value_for(p)]
    return arguments


def check_module(module):
    """Checks one module; the runs after --xml go in parallel (each start of a module loads its libraries)."""
    status, xml, errors = run(module, ["--xml"])
    if not check(status == 0, f"{module} --xml: exit status {status}: {errors}"):
        return
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        check(False, f"{module} --xml: not well-formed XML: {error}")
        return
    parameters = parameters_of(module, root)
    flags = [p.findtext("longflag").strip().lstrip("-") for p in parameters if p.find("longflag") is not None]
    positional = sorted((p for p in parameters if p.find("index") is not None), key=lambda p: int(p.findtext("index")))

    accepted = lambda status, errors: status == 1 and PARSE_ERROR not in errors and MISSING_DIR in errors
    refused = lambda status, errors: status == 1 and PARSE_ERROR in errors
    # (arguments, predicate of (status, stderr), what it shows)
    cases = [
        # Everything the XML declares is accepted: the module runs and fails on a nonexistent file it names.
        (command_line(parameters), accepted, "the declared arguments are accepted"),
        # The parser refuses what the XML does not declare.
        (command_line(parameters) + ["--undeclaredOption", "1"], refused, "--undeclaredOption is refused"),
    ]
    if flags:
        cases.append((command_line(parameters, replace={flags[0]: flags[0] + "Misspelt"}), refused,
                      f"--{flags[0]}Misspelt is refused"))
    if positional:
        last = positional[-1]
        name = last.findtext("name").strip()
        cases.append((command_line(parameters, drop=last),
                      lambda status, errors, name=name: status == 1 and f"missing argument {name}" in errors,
                      f"leaving out {name} is refused"))
        # An index parameter is positional only: not also a --name option.
        cases.append((command_line(parameters, drop=last) + ["--" + name, value_for(last)], refused,
                      f"--{name} (an index parameter) is refused"))
    for p in parameters:
        if p.tag != "string-enumeration":
            continue
        flag = p.findtext("longflag").strip().lstrip("-")
        for choice in [e.text.strip() for e in p.findall("element")] + ["notAChoice"]:
            arguments = command_line(parameters)
            arguments[arguments.index("--" + flag) + 1] = choice
            if choice == "notAChoice":
                cases.append((arguments, lambda status, errors: status == 1 and "is not one of" in errors,
                              f"--{flag} notAChoice is refused"))
            else:
                cases.append((arguments, accepted, f"--{flag} {choice} is accepted"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda case: run(module, case[0]), cases))
        usage = pool.submit(run, module, ["--help"]).result()
    for (arguments, predicate, what), (status, _, errors) in zip(cases, results):
        check(predicate(status, errors), f"{module}: not so that {what}: status {status}, {' '.join(arguments)}: {errors}")

    # --help lists every longflag.
    check(usage[0] == 0, f"{module} --help: exit status {usage[0]}")
    for flag in flags:
        check(f"--{flag}" in usage[1], f"{module} --help does not list --{flag}")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: slicer_xml_check.py MODULE...")
    for module in sys.argv[1:]:
        check_module(module)
    for failure in failures:
        print("FAIL:", failure)
    if failures:
        sys.exit(1)
    print(f"{len(sys.argv) - 1} modules: XML well-formed, every declared argument accepted, undeclared ones refused")


if __name__ == "__main__":
    main()
