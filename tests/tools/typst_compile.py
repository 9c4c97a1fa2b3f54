"""Compiles a Typst project with the PyPI `typst` package, an independent
build of the Typst compiler, as `typst compile` would.

Usage: typst_compile.py MAIN.typ OUT.pdf FONT_DIR STANDARD...
Exit 0 when compiled, 1 on a compile error, 3 when the package is missing.
"""

import sys

try:
    import typst
except ImportError:
    print("the `typst` package is not installed (pip install typst)", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    main_file, out, fonts, standards = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    try:
        typst.compile(
            main_file,
            output=out,
            font_paths=[fonts],
            ignore_system_fonts=True,
            pdf_standards=standards,
        )
    except Exception as err:  # the binding raises its own error types
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
