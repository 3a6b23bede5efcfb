"""A flow tool: reads {"text": ...} as JSON on stdin, prints word and sentence counts as JSON."""
import json
import re
import sys

arguments = json.load(sys.stdin)
text = arguments.get("text", "")
sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
print(json.dumps({"words": len(text.split()), "sentences": len(sentences)}))
