#!/usr/bin/env python3
"""The model configs in schemas/ are valid under schemas/model_config.schema.json, and the schema's transformer keys
are exactly the ones the C loader knows (model/config_transformer.c). python3-jsonschema: scripts/setup.sh installs it."""
import json
import os
import re
import sys

import jsonschema

src = os.environ.get("WP_SOURCE_DIR", ".")
schema = json.load(open(f"{src}/schemas/model_config.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
for name in ("wan2.2-t2v-a14b.json", "wan-tiny.json"):
    jsonschema.validate(json.load(open(f"{src}/schemas/{name}")), schema, cls=jsonschema.Draft202012Validator)
    print(f"valid: schemas/{name}")
loader = open(f"{src}/model/config_transformer.c").read()
known = set(re.findall(r'\[KEY_\w+\] = \{"(\w+)"', loader))
documented = set(schema["properties"]["transformer"]["properties"])
if known != documented:
    print(f"transformer keys differ: loader only {sorted(known - documented)}, schema only {sorted(documented - known)}")
    sys.exit(1)
print(f"transformer keys: {len(known)} in both the loader and the schema")
