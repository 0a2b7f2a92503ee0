"""The Python anchors: the W1, W2 and W3 workloads through the official client or requests.

Usage: python anchor.py closeio|requests w1|w2|w3 [IDS_FILE]
The sandbox's URL and key come from BENCH_BASE_URL and BENCH_API_KEY. The imports stay
inside the timed process on purpose: a script pays for them on every run.
"""

import os
import sys

client, workload = sys.argv[1], sys.argv[2]
base_url, api_key = os.environ["BENCH_BASE_URL"], os.environ["BENCH_API_KEY"]

if client == "closeio":
    import closeio_api

    api = closeio_api.Client(api_key)
    # The client has no option for another server; its requests go to base_url + path.
    api.base_url = base_url + "/"
    get = api.get
else:
    import requests

    http = requests.Session()
    http.auth = (api_key, "")

    def get(path, params=None):
        response = http.get(f"{base_url}/{path}/", params=params)
        response.raise_for_status()
        return response.json()


if workload == "w1":
    print(get("me")["first_name"])
elif workload == "w2":
    count = name_bytes = skip = 0
    while True:
        page = get("lead", params={"_limit": 100, "_skip": skip})
        for lead in page["data"]:
            count += 1
            # Bytes, not characters, to match Lua's # operator.
            name_bytes += len(lead["name"].encode())
        if not page["has_more"]:
            break
        skip += 100
    print(count, name_bytes)
elif workload == "w3":
    count = name_bytes = 0
    with open(sys.argv[3]) as ids:
        for line in ids:
            lead = get("lead/" + line.strip())
            count += 1
            name_bytes += len(lead["name"].encode())
    print(count, name_bytes)
else:
    sys.exit(f"unknown workload {workload}")
