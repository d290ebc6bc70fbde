#!/usr/bin/env python3
"""Generate a Python client from the spec with openapi-python-client and fail on any warning
but the unsupported media types (the pain.001 XML file and receipt files, which it cannot
model), then import the client and build a typed call to approve a grant.

Usage: .ci/python_client.py OPENAPI_PYTHON_CLIENT_BINARY PYTHON OUTPUT_DIR
"""

import os
import re
import shutil
import subprocess
import sys

generator, python, out = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
spec = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "openapi", "pactum.json")
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
config = os.path.join(out, "config.yml")
with open(config, "w") as f:
    f.write("post_hooks: []\n")  # no formatter run: its absence would be a warning of its own
result = subprocess.run(
    [generator, "generate", "--path", spec, "--config", config, "--meta", "none", "--output-path",
     os.path.join(out, "pactum_api_client")],
    capture_output=True, text=True)
output = result.stdout + result.stderr
if result.returncode != 0:
    sys.exit(output)
warnings = re.findall(r"^WARNING parsing (.+?)\.\n\n(.+?)$", output, flags=re.M)
unexpected = [(where, why) for where, why in warnings if "Unsupported content_type" not in why]
other = [line for line in output.splitlines() if line.startswith(("Unable", "Error", "Skipping"))]
if unexpected or other:
    sys.exit("openapi-python-client warned:\n" + "\n".join(f"{w}: {why}" for w, why in unexpected) + "\n".join(other))
print(f"generated with {len(warnings)} warnings, all unsupported media types", flush=True)
check = """
from pactum_api_client import AuthenticatedClient
from pactum_api_client.api.grants import approve_grant
from pactum_api_client.models import ApproveRequest
client = AuthenticatedClient(base_url="http://127.0.0.1:1", token="t")
kwargs = approve_grant._get_kwargs(id="0193e5a2-7c4b-7d1e-9f3a-5b6c7d8e9f01", body=ApproveRequest(approved_cents=250000), idempotency_key="k")
assert kwargs["headers"]["Idempotency-Key"] == "k", kwargs
print("the client imports and builds an approval with its Idempotency-Key")
"""
subprocess.run([python, "-c", check], cwd=out, check=True)
