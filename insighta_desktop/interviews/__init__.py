"""Interview review: transcript with fallback, exports, AI assessments, recruiter chat, email outbox (no Qt)."""
