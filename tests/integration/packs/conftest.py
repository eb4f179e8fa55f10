from tests.fakes.fixtures import _gemini_server, _resend_server, fake_gemini, fake_resend  # noqa: F401
