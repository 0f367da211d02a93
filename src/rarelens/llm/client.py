"""A minimal OpenAI-compatible chat client (DeepSeek, vLLM, Ollama and OpenAI all speak it).

Standard library only, so RareLens needs no SDK; configured by base URL, model and key, from
arguments or the environment (RARELENS_LLM_URL, RARELENS_LLM_MODEL, RARELENS_LLM_KEY). The
model is only ever a proposer: every id it returns is validated by the caller.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass


class ModelError(Exception):
    """The model server could not be reached or answered something that is not a chat reply."""


@dataclass(frozen=True, slots=True)
class ChatClient:
    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 60.0

    @classmethod
    def from_env(cls) -> ChatClient | None:
        """The configured client, or None when no model is configured (the default)."""
        url = os.environ.get("RARELENS_LLM_URL", "").strip()
        model = os.environ.get("RARELENS_LLM_MODEL", "").strip()
        if not url or not model:
            return None
        return cls(url, model, os.environ.get("RARELENS_LLM_KEY", ""))

    def complete(self, messages: list[dict[str, str]], *, temperature: float = 0.0) -> str:
        url = self.base_url.rstrip("/") + "/chat/completions"
        body = json.dumps({"model": self.model, "messages": messages, "temperature": temperature}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ModelError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ModelError(f"{url}: cannot reach the model server ({exc})") from None
        except json.JSONDecodeError:
            raise ModelError(f"{url}: the reply is not JSON") from None
        try:
            return str(payload["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError):
            raise ModelError(f"{url}: the reply has no choices[0].message.content") from None
