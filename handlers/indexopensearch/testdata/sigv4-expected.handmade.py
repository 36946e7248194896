"""The Signature Version 4 indexopensearch must send, computed with botocore.

TestTheSignatureIsTheOneBotocoreComputes (sigv4_test.go) sends one fixed
request through the handler (fixed credentials, clock, region, host, post)
and compares the Authorization header that reaches the domain with the one
this script computes with botocore's SigV4Auth: an implementation of the
signing process independent of the aws-sdk-go-v2 signer the handler uses.

Inputs: the request exactly as the handler sends it (method, path, query,
the headers it sets, the Content-Length Go's transport sends) and its body,
sigv4-body.handmade.json, which the Go test checks byte for byte against the
body the handler sent. botocore adds X-Amz-Date and X-Amz-Security-Token, as
the Go signer does, and leaves User-Agent unsigned, as the Go signer does.

Before signing, the script checks botocore itself against AWS's published
test-suite vector get-vanilla (from boto/botocore tests/unit/auth/
aws4_testsuite/get-vanilla/get-vanilla.authz).

Run from handlers/indexopensearch (botocore 1.43.11 produced the committed
output):

    python3 testdata/sigv4-expected.handmade.py > testdata/sigv4-expected.handmade.json
"""

import datetime
import hashlib
import json
import pathlib
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = pathlib.Path(__file__).parent


def sign(method, url, headers, body, creds, service, region, when):
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    auth = SigV4Auth(creds, service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        auth.add_auth(req)
    # The canonical request and string to sign as add_auth built them, that
    # is before it added the Authorization header, shown for a reviewer.
    authorization = req.headers["Authorization"]
    del req.headers["Authorization"]
    canonical = auth.canonical_request(req)
    sts = auth.string_to_sign(req, canonical)
    assert authorization.endswith("Signature=" + auth.signature(sts, req))
    req.headers["Authorization"] = authorization
    return req, canonical, sts


# botocore agrees with AWS's own vector before it is trusted with ours.
vanilla, _, _ = sign(
    "GET", "https://example.amazonaws.com/", {}, b"",
    Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    "service", "us-east-1", datetime.datetime(2015, 8, 30, 12, 36, 0),
)
assert vanilla.headers["Authorization"] == (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
), vanilla.headers["Authorization"]

host = "search-blog-abc123.eu-west-1.es.amazonaws.com"
target = "/posts/_doc/drafts%2F2023%2006%3Frev=2?version=1688205600000&version_type=external"
body = (HERE / "sigv4-body.handmade.json").read_bytes()
body_sha256 = hashlib.sha256(body).hexdigest()
headers = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "User-Agent": "stepforge-indexopensearch",
    "X-Amz-Content-Sha256": body_sha256,
    "Content-Length": str(len(body)),
}
creds = Credentials(
    "AKIDEXAMPLE",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "IQoJb3JpZ2luX2VjEHUaCWV1LXdlc3QtMSJHMEUCIQDexampleSessionToken",
)
req, canonical, sts = sign(
    "PUT", "https://" + host + target, headers, body, creds,
    "es", "eu-west-1", datetime.datetime(2023, 6, 23, 9, 31, 7),
)
print(json.dumps({
    "host": host,
    "target": "PUT " + target,
    "x_amz_date": req.headers["X-Amz-Date"],
    "x_amz_content_sha256": body_sha256,
    "canonical_request": canonical,
    "string_to_sign": sts,
    "authorization": req.headers["Authorization"],
}, indent=2))
