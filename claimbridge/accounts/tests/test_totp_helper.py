"""The test authenticator agrees with RFC 6238's published test vectors."""

import base64

import pytest

from claimbridge.accounts.tests.helpers import totp_code

# RFC 6238, appendix B: SHA-1 with the ASCII key "12345678901234567890"; the
# RFC's 8-digit values, of which an authenticator app shows the last 6.
SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("at", "expected"),
    [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924")],
)
def test_codes_match_the_rfc_test_vectors(at, expected):
    assert totp_code(SECRET, at=at) == expected[-6:]
