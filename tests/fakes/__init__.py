"""Fake remote services (Gemini, Resend) served over real HTTP on 127.0.0.1 for tests."""
