"""One reading of [T…] citation markers for the chat service and the chat panel."""
from __future__ import annotations

from insighta_desktop.interviews.citations import cited_turn_numbers, replace_references
from insighta_desktop.interviews.model import Citation
from insighta_desktop.ui.interviews.chat_panel import linkify


def test_markers_single_lists_and_ranges_once_each_in_order():
    assert cited_turn_numbers("See [T2-T4], [t4, T7], [T 9–11] and [T99] but not T5 or (T6).") == \
        [2, 3, 4, 7, 9, 10, 11, 99]
    assert cited_turn_numbers("no markers [here]") == []
    assert len(cited_turn_numbers("[T1-T100000]")) == 51  # a runaway range is capped


def test_the_panel_links_exactly_the_references_the_service_reads():
    text = "Latency [T4], retries [T2-T3] and [T9] & <b>"
    cited = [Citation("turn-4", 4, "00:01:00", "Candidate"), Citation("turn-2", 2, "00:00:30", "Candidate")]
    html = linkify(text, cited)
    assert "[<a href='turn:turn-4'>T4</a>]" in html
    assert "[<a href='turn:turn-2'>T2-T3</a>]" in html  # a range links to its first turn
    assert "[T9]" in html and "turn:turn-9" not in html  # not among the citations: plain text
    assert "&amp; &lt;b&gt;" in html


def test_replace_references_leaves_text_outside_markers_alone():
    assert replace_references("T1 [T1, T2] T2", lambda n, ref: f"<{n}>") == "T1 [<1>, <2>] T2"
