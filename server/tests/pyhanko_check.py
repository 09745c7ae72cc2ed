"""pyHanko's verdict on the signature of a Pingyi minutes PDF (#9).

An implementation independent of ours (server/src/signing.rs) and of poppler's
pdfsig: pyHanko must find exactly one embedded signature that is intact (the
digest of the signed byte ranges matches the signed attributes), valid (the RSA
signature over those attributes verifies with the embedded certificate) and
covers the entire file (nothing appended after signing).

Trust is reported, not required: a self-signed certificate is trusted by nobody
until a reader adds it. The trust roots are the certificates in CERT.pem when
given (the platform's), else the signer's own certificate, so that pyHanko never
falls back to the operating system's TLS roots.

Usage: python pyhanko_check.py MINUTES.pdf [CERT.pem]
Exit status: 0 accepted, 1 rejected, 2 pyHanko missing or bad usage.
Run by server/tests/integration/minutes.rs and e2e/tests/archive.test.mjs with the
venv that `make pdf-tools` creates (target/tools/pyhanko).
"""

import sys


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        from pyhanko.keys import load_certs_from_pemder
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import (
            SignatureCoverageLevel,
            validate_pdf_signature,
        )
        from pyhanko_certvalidator import ValidationContext
    except ImportError as e:
        print(f"pyHanko is not installed for {sys.executable}: {e}", file=sys.stderr)
        return 2
    pdf, cert = argv[1], argv[2] if len(argv) == 3 else None
    problems = []
    try:
        with open(pdf, "rb") as f:
            # Strict syntax, as `pyhanko sign validate` reads by default.
            reader = PdfFileReader(f)
            signatures = reader.embedded_signatures
            if len(signatures) != 1:
                print(f"rejected: {len(signatures)} embedded signatures, expected 1")
                return 1
            sig = signatures[0]
            roots = list(load_certs_from_pemder([cert])) if cert else [sig.signer_cert]
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots))
            print(status.pretty_print_details())
            if not status.intact:
                problems.append("not intact: the signed bytes do not match the digest")
            if not status.valid:
                problems.append("not valid: the signature does not verify")
            if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
                problems.append(f"coverage {status.coverage}, not the entire file")
            print(f"trusted (reported only): {status.trusted}")
    except Exception as e:  # an unreadable or malformed file is a rejection too
        print(f"rejected: {type(e).__name__}: {e}")
        return 1
    if problems:
        print("rejected: " + "; ".join(problems))
        return 1
    print("accepted: intact, valid, covering the entire file")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
