"""Optional language-model access over an OpenAI-compatible chat API (off by default)."""
