"""The Gemini adapter through the real google-genai SDK against the fake server on 127.0.0.1."""
from __future__ import annotations

import json

import pytest
from google.genai import errors

from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig, GeminiUnavailable, MalformedResponseError
from insighta_desktop.resilience import is_transient, retry_after_seconds
from tests.fakes.clock import FakeClock
from tests.fakes.gemini import rate_limited
from tests.fakes.server import Fault

SCHEMA = {"type": "object", "properties": {"summary": {"type": "string"},
                                           "score": {"type": "integer", "minimum": 1}},
          "required": ["summary", "score"]}


@pytest.fixture
def client(fake_gemini):
    return GeminiClient(GeminiConfig(api_key="test-gemini-key", model="gemini-test", base_url=fake_gemini.url,
                                     timeout_s=0.5))


async def test_structured_output_sends_schema_and_parses_the_answer(client, fake_gemini):
    fake_gemini.answer(json.dumps({"summary": "Strong", "score": 4}))
    assert await client.generate_json("Assess", SCHEMA, system="Be fair") == {"summary": "Strong", "score": 4}
    [call] = fake_gemini.calls("generateContent")
    assert call.path.endswith("/models/gemini-test:generateContent")
    assert call.headers["x-goog-api-key"] == "test-gemini-key"
    assert call.body["generationConfig"]["responseMimeType"] == "application/json"
    assert call.body["generationConfig"]["responseJsonSchema"] == SCHEMA
    assert call.body["systemInstruction"]["parts"][0]["text"] == "Be fair"


async def test_streaming_yields_pieces_in_order(client, fake_gemini):
    fake_gemini.answer("The candidate cited latency numbers [T4].")
    pieces = [p async for p in client.stream_text("What did they say?")]
    assert len(pieces) > 1
    assert "".join(pieces) == "The candidate cited latency numbers [T4]."
    [call] = fake_gemini.calls("streamGenerateContent")
    assert call.query == "alt=sse"


async def test_sdk_does_not_retry_on_its_own(client, fake_gemini):
    fake_gemini.fail("generateContent", Fault.error(503))
    with pytest.raises(errors.ServerError) as caught:
        await client.generate_json("x", SCHEMA)
    assert len(fake_gemini.calls("generateContent")) == 1
    assert is_transient(caught.value)


async def test_rate_limit_carries_retry_info(client, fake_gemini):
    fake_gemini.fail("generateContent", rate_limited(retry_delay_s=3))
    with pytest.raises(errors.ClientError) as caught:
        await client.generate_json("x", SCHEMA)
    assert caught.value.code == 429 and is_transient(caught.value)
    assert retry_after_seconds(caught.value) == 3.0


async def test_daily_quota_is_permanent(client, fake_gemini):
    fake_gemini.fail("generateContent", rate_limited(retry_delay_s=3, per_day=True))
    with pytest.raises(errors.ClientError) as caught:
        await client.generate_json("x", SCHEMA)
    assert not is_transient(caught.value)


async def test_wrong_key_is_a_permanent_error(fake_gemini):
    bad = GeminiClient(GeminiConfig(api_key="wrong", base_url=fake_gemini.url, timeout_s=0.5))
    with pytest.raises(errors.ClientError) as caught:
        await bad.generate_json("x", SCHEMA)
    assert caught.value.code == 400 and not is_transient(caught.value)


async def test_slow_answer_times_out_as_a_transient_error(client, fake_gemini):
    fake_gemini.fail("generateContent", Fault.slow(1.0))
    with pytest.raises(Exception) as caught:
        await client.generate_json("x", SCHEMA)
    assert "Timeout" in type(caught.value).__name__ and is_transient(caught.value)


async def test_dropped_connection_is_transient(client, fake_gemini):
    fake_gemini.fail("generateContent", Fault.drop())
    with pytest.raises(Exception) as caught:
        await client.generate_json("x", SCHEMA)
    assert is_transient(caught.value)


async def test_malformed_body_is_reported_and_not_transient(client, fake_gemini):
    fake_gemini.fail("generateContent", Fault.malformed())
    with pytest.raises(MalformedResponseError) as caught:
        await client.generate_json("x", SCHEMA)
    assert not is_transient(caught.value)
    fake_gemini.answer("not json at all")
    with pytest.raises(MalformedResponseError):
        await client.generate_json("x", SCHEMA)


async def test_stream_cut_half_way_raises_a_transient_error(client, fake_gemini):
    fake_gemini.answer("first part, second part, third part")
    fake_gemini.fail("streamGenerateContent", Fault.cut_stream())
    received = []
    with pytest.raises(Exception) as caught:
        async for piece in client.stream_text("x"):
            received.append(piece)
    assert received == ["first part, "]
    assert is_transient(caught.value)


async def test_retry_layer_over_the_adapter_recovers_from_429_then_500(client, fake_gemini):
    clock = FakeClock()
    fake_gemini.fail("generateContent", rate_limited(retry_delay_s=5), Fault.error(500))
    result = await clock.retrying().run(client.generate_json, "x", SCHEMA, task_name="Generate assessment")
    assert set(result) == {"summary", "score"}
    assert clock.waits == [5.0, 2.0]
    assert len(fake_gemini.calls("generateContent")) == 3


def test_config_from_environment_and_settings():
    class Settings:
        gemini_model = "gemini-from-settings"
        gemini_base_url = None

    env = {"GEMINI_API_KEY": "g", "GOOGLE_GEMINI_BASE_URL": "http://127.0.0.1:1", "INSIGHTA_GEMINI_MODEL": "m-env"}
    config = GeminiConfig.resolve(Settings(), None, env)
    assert (config.api_key, config.base_url, config.model) == ("g", "http://127.0.0.1:1", "m-env")
    assert GeminiConfig.resolve(Settings(), None, {"GOOGLE_API_KEY": "a", "GEMINI_API_KEY": "b"}).api_key == "a"
    assert GeminiConfig.resolve(Settings(), None, {}).model == "gemini-from-settings"

    class Credentials:
        def get(self, name):
            return {"gemini_api_key": "from-keychain"}.get(name)

    assert GeminiConfig.resolve(Settings(), Credentials(), env).api_key == "from-keychain"


async def test_missing_key_raises_unavailable_without_network(fake_gemini):
    client = GeminiClient(GeminiConfig(api_key=None, base_url=fake_gemini.url))
    with pytest.raises(GeminiUnavailable):
        await client.generate_json("x", SCHEMA)
    assert fake_gemini.requests == []
