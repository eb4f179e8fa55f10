"""Masking emails and phone numbers in transcripts: real-looking sentences, and numbers that must stay."""
from __future__ import annotations

import json

import pytest

from insighta_desktop.packs.redaction import EMAIL_MASK, PHONE_MASK, redact_json_text, redact_text

E, P = EMAIL_MASK, PHONE_MASK


@pytest.mark.parametrize("said, masked", [
    ("Sure, you can email me at amara.diallo@example.com.", f"Sure, you can email me at {E}."),
    ("My work address is k.asante+jobs@mail.example.co.uk, but I rarely check it.",
     f"My work address is {E}, but I rarely check it."),
    ("(write to FATIMA_HASSAN@Example.NG) and copy véronique.mukendi@exemple.fr!", f"(write to {E}) and copy {E}!"),
    ("Emails: a@b.io;c.d@e-f.org", f"Emails: {E};{E}"),
    ("Call me on +234 803 123 4567 after six.", f"Call me on {P} after six."),
    ("Lagos office: +234-1-280-6000, mobile 0803 123 4567.", f"Lagos office: {P}, mobile {P}."),
    ("In London I'm on +44 (0)20 7946 0958, or 020 7946 0958 from the UK.",
     f"In London I'm on {P}, or {P} from the UK."),
    ("US line (415) 555-0132, or 415-555-0132, or 415.555.0132.", f"US line {P}, or {P}, or {P}."),
    ("Reach me on +1-415-555-0132 any time.", f"Reach me on {P} any time."),
    ("Nairobi: +254 712 345678 or 0712345678.", f"Nairobi: {P} or {P}."),
    ("Paris: +33 6 12 34 56 78, from abroad 0033 6 12 34 56 78, locally 06 12 34 56 78.",
     f"Paris: {P}, from abroad {P}, locally {P}."),
    ("Berlin +49 30 1234567; compact +2348031234567.", f"Berlin {P}; compact {P}."),
    ("WhatsApp: 0803-123-4567", f"WhatsApp: {P}"),
    ("my mobile is 555 0132, text me any time", f"my mobile is {P}, text me any time"),
    ("Tel. 2709 4455 (office hours)", f"Tel. {P} (office hours)"),
])
def test_emails_and_phone_numbers_in_sentences_are_masked(said, masked):
    assert redact_text(said)[0] == masked


@pytest.mark.parametrize("said", [
    "We started at 14:05 and finished at 15:40:12 on 2026-11-20.",
    "The meeting is 2026-11-20T14:05:00Z, then 20.11.2026, then 11/20/2026 and 05.06.24.",
    "I am 34, my manager is 52 and I have 12 years of experience.",
    "I worked there from 2019 to 2023 (2019-2023), and before that 2015–2018.",
    "Latency fell from 4 s to 300 ms; p95 is 1200 ms at 5000000 rows and 1,200,000 users.",
    "The salary band was $120,000 to $145,000, about 12.5% above the market.",
    "We ran Python 3.11.2, PostgreSQL 15.4 and version 0.11.2 of the client; IP 192.168.10.200.",
    "The table had 12345678 rows in 2024, and ticket #10042 covered it.",
    "Score 4/5; ZIP 00100 Nairobi; PO Box 12345-00100; room 0.5.",
    "See https://example.com/jobs/12345678 or write to user@localhost.",
    "The number of rows was 98765432 and the number is growing.",
    "Between 100-1000 users, with 250 000 requests a day.",
])
def test_times_ages_years_dates_and_other_numbers_stay(said):
    masked, counts = redact_text(said)
    assert masked == said
    assert (counts.emails, counts.phones) == (0, 0)


def test_counts_say_what_was_masked():
    _, counts = redact_text("a@example.com, b@example.com and +234 803 123 4567 at 14:05")
    assert (counts.emails, counts.phones) == (2, 1)


def test_masking_inside_json_keeps_the_document_and_leaves_clean_text_untouched():
    turns = [{"speaker": "candidate", "content": "Mail me: ada@example.com or call 0803 123 4567", "sequence_no": 3,
              "timestamp_sec": 1700000000.5}, {"speaker": "ai", "content": "Thanks — noted at 14:05."}]
    text = json.dumps(turns)
    masked, counts = redact_json_text(text)
    assert (counts.emails, counts.phones) == (1, 1)
    data = json.loads(masked)
    assert data[0]["content"] == f"Mail me: {E} or call {P}"
    assert data[0]["timestamp_sec"] == 1700000000.5 and data[1] == turns[1]
    clean = json.dumps([turns[1]], indent=3)
    assert redact_json_text(clean) == (clean, redact_json_text(clean)[1])  # byte for byte when nothing is found
    assert redact_json_text("not json: ada@example.com")[0] == f"not json: {E}"
