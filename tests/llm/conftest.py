"""Fixtures of the LLM client tests: the scripted OpenAI-compatible server (`scripted_llm`)."""

from tests.llm.scripted_server import scripted_llm

__all__ = ["scripted_llm"]
