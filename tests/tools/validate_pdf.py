"""Validates a PDF with `page` (PyPI page-validation) against profiles.

Usage: validate_pdf.py FILE PROFILE...   (profiles as page names them: 2b, ua1, ...)
Prints one line per failed rule, "PROFILE RULE: message". Exit 0 when the
file conforms to every profile, 1 when it does not, 3 when page is missing.
"""

import sys

try:
    import page
except ImportError:
    print("the `page` validator is not installed (pip install page-validation)", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    path, profiles = sys.argv[1], sys.argv[2:]
    conforms = True
    for profile in profiles:
        report = page.validate_pdf(path, profile=profile)
        if not report.is_compliant:
            conforms = False
            for failure in report.failures:
                print(f"{profile} {failure.rule_id}: {failure.message}")
    return 0 if conforms else 1


if __name__ == "__main__":
    sys.exit(main())
