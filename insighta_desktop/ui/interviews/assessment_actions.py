"""What the assessment panel's buttons do for the Interviews tab: generate (or fill in by hand), preview and send.

Each flow runs as a task for one interview and reports only while that interview is shown; failures become a
sentence in the tab's banner with the way forward as buttons (Open Settings, Fill in by hand…, Open Outbox, Retry in
90 s when Gemini asked to wait); a Generate stopped by Gemini's pause is offered again on the pause banner.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from insighta_desktop.interviews.assessments import GeminiNotConfigured
from insighta_desktop.interviews.failures import SETTINGS, explain
from insighta_desktop.interviews.model import Assessment, EmailDraft
from insighta_desktop.resilience import CircuitOpenError, ServerAsksToWait, format_seconds
from insighta_desktop.ui.interviews.email_preview import EmailPreviewDialog
from insighta_desktop.ui.interviews.gemini_waits import RetryLater
from insighta_desktop.ui.interviews.manual_assessment_dialog import ManualAssessmentDialog

if TYPE_CHECKING:
    from insighta_desktop.ui.interviews.tab import InterviewsTab

FILL_IN = "Fill in by hand…"
OPEN_SETTINGS = "Open Settings"
OPEN_OUTBOX = "Open Outbox"


class AssessmentActions:
    def __init__(self, tab: InterviewsTab) -> None:
        self.tab = tab
        self.retry_later = RetryLater(tab)  # "Retry in 90 s": its timer is the tab's child
        self.editor: ManualAssessmentDialog | None = None
        self.preview: EmailPreviewDialog | None = None

    @property
    def panel(self) -> Any:
        return self.tab.assessment

    def _title(self, interview_id: str) -> str:
        summary = next((i for i in self.tab.model.rows if i.id == interview_id), None)
        return f"{summary.candidate_name} — {summary.role}" if summary is not None else "this interview"

    def _report(self, interview_id: str, text: str, *, settings: bool = False, fill_in: bool = False,
                outbox: bool = False, retry_in: float | None = None) -> None:
        """Say what went wrong in the banner, with buttons for the way forward, while that interview is shown."""
        if interview_id != self.tab.current_id:
            return
        actions: list[tuple[str, Any]] = []
        if retry_in is not None:
            due = time.monotonic() + retry_in
            actions.append((f"Retry in {format_seconds(retry_in)}", lambda: self._retry_when_asked(interview_id, due)))
        if settings:
            actions.append((OPEN_SETTINGS, self.tab.settings_requested.emit))
        if fill_in:
            actions.append((FILL_IN, lambda: self.fill_in_by_hand(interview_id)))
        if outbox:
            actions.append((OPEN_OUTBOX, self.tab.open_outbox))
        self.tab.banner.show_problem(text, actions)

    # --- generate ----------------------------------------------------------------------------
    def generate(self, interview_id: str) -> asyncio.Task[Any]:
        before = self.panel.assessment if interview_id == self.tab.current_id else None
        self.panel.set_generating()
        self.tab._update_row(interview_id, "generating")
        return self.tab._tasks.spawn(self._generate(interview_id, before), key=f"assessment-{interview_id}")

    async def _generate(self, interview_id: str, before: Assessment | None) -> None:
        failures: list[BaseException] = []
        try:
            result = await self.tab.services.assessments.generate(
                interview_id, on_retry=self.tab.retry_reporter("Gemini", interview_id), on_failure=failures.append)
        except Exception as exc:  # nothing was written: not configured, or another run is generating it
            self.tab.clear_retry_notice(interview_id)
            self.tab._update_row(interview_id, before.status if before is not None else None)
            if interview_id == self.tab.current_id:
                self.panel.show_assessment(before)
            if isinstance(exc, GeminiNotConfigured):
                self._report(interview_id, "Gemini has no API key, so it cannot write the assessment. Add a key in "
                             "Settings, or fill in the rubric by hand.", settings=True, fill_in=True)
            elif isinstance(exc, CircuitOpenError) and self._offer_after_pause(interview_id):
                pass
            else:
                problem = explain(exc, "Gemini")
                self._report(interview_id, f"The assessment was not generated. {problem.text}",
                             settings=problem.fix == SETTINGS)
            return
        self.tab.clear_retry_notice(interview_id)
        self.tab._update_row(interview_id, result.status)
        if interview_id == self.tab.current_id:
            self.panel.show_assessment(result)
        if result.status == "failed" and failures:
            last = failures[-1]
            if isinstance(last, CircuitOpenError) and self._offer_after_pause(interview_id):
                return
            problem = explain(last, "Gemini")
            wait = last.wait if isinstance(last, ServerAsksToWait) else None
            self._report(interview_id, f"The assessment failed. {problem.text}", settings=problem.fix == SETTINGS,
                         fill_in=True, retry_in=wait)

    # --- Gemini asked to wait, or is paused (gemini_waits.py) ----------------------------------
    def _offer_after_pause(self, interview_id: str) -> bool:
        """The pause banner says the assessment waits, and regenerates it on "Retry now"."""
        if interview_id != self.tab.current_id:
            return True  # the banner is the tab's; another interview's refusal needs no words now
        summary = next((i for i in self.tab.model.rows if i.id == interview_id), None)
        whose = f"{summary.candidate_name}'s assessment" if summary is not None else "The assessment"
        return self.tab.gemini_pause.offer(f"{whose} was not generated; Retry now generates it.",
                                           lambda: self.generate(interview_id))

    def _retry_when_asked(self, interview_id: str, due: float) -> None:
        """"Retry in 90 s" pressed: regenerate at the time Gemini asked for."""
        seconds = max(0.0, due - time.monotonic())
        self.retry_later.schedule(seconds, lambda: self.generate(interview_id))
        at = (datetime.now() + timedelta(seconds=seconds)).strftime("%H:%M:%S")
        if interview_id == self.tab.current_id:
            self.tab.banner.show_problem(f"Generating the assessment again at {at}, as Gemini asked.",
                                         [("Cancel", self._cancel_retry)], kind="info")

    def _cancel_retry(self) -> None:
        self.retry_later.cancel()
        self.tab.banner.clear_problem()

    # --- by hand -----------------------------------------------------------------------------
    def fill_in_by_hand(self, interview_id: str | None = None) -> asyncio.Task[Any] | None:
        interview_id = interview_id or self.tab.current_id
        if interview_id is None:
            return None
        return self.tab._tasks.spawn(self._open_editor(interview_id), key="manual-assessment")

    async def _open_editor(self, interview_id: str) -> None:
        try:
            template = await self.tab.services.assessments.manual_template(interview_id)
        except Exception as exc:
            self._report(interview_id, f"The rubric could not be loaded. {explain(exc, 'The database').text}")
            return
        if self.editor is not None:
            self.editor.close()
            self.editor.deleteLater()
        note = ""
        gemini = getattr(self.tab.services, "gemini", None)
        if not getattr(getattr(gemini, "config", None), "available", False):
            note = ("Gemini has no API key, so this assessment is yours to write: fill in the rubric from the "
                    "transcript, quoting the passage behind each score.")
        editor = ManualAssessmentDialog(self._title(interview_id), template, note, self.tab)
        editor.save_requested.connect(lambda values: self.tab._tasks.spawn(
            self._save_manual(interview_id, values, editor), key=f"manual-save-{interview_id}"))
        editor.show()
        self.editor = editor

    async def _save_manual(self, interview_id: str, values: dict[str, Any], editor: ManualAssessmentDialog) -> None:
        try:
            saved: Assessment = await self.tab.services.assessments.save_manual(interview_id, values)
        except Exception as exc:
            editor.show_error(f"Not saved. {explain(exc, 'The database').text}")
            return
        editor.accept()
        self.tab._update_row(interview_id, saved.status)
        if interview_id == self.tab.current_id:
            self.tab.banner.clear_problem()
            self.panel.show_assessment(saved, enabled=True)

    # --- email -------------------------------------------------------------------------------
    def preview_email(self, interview_id: str, address: str, include_transcript: bool) -> asyncio.Task[Any]:
        return self.tab._tasks.spawn(self._preview(interview_id, address, include_transcript), key="email-preview")

    async def _preview(self, interview_id: str, address: str, include_transcript: bool) -> None:
        outbox = self.tab.services.outbox
        try:
            draft = await outbox.draft(interview_id, address, include_transcript)
        except Exception as exc:
            if interview_id == self.tab.current_id:
                self.panel.show_email_result(None, explain(exc, "The database").text)
            return
        if self.preview is not None:
            self.preview.close()
            self.preview.deleteLater()
        preview = EmailPreviewDialog(draft, configured=bool(getattr(outbox, "configured", True)), parent=self.tab)
        preview.send_confirmed.connect(lambda: self.send(draft))
        preview.settings_requested.connect(self.tab.settings_requested.emit)
        preview.rejected.connect(lambda: self.panel.show_email_result(None) if interview_id == self.tab.current_id
                                 else None)
        preview.show()
        self.preview = preview
        if interview_id == self.tab.current_id:
            self.panel.show_email_pending("Check the preview, then send it.")

    def send(self, draft: EmailDraft) -> asyncio.Task[Any]:
        return self.tab._tasks.spawn(self._send(draft), key=f"email-{draft.interview_id}-{draft.to_address}")

    async def _send(self, draft: EmailDraft) -> None:
        interview_id, outbox = draft.interview_id, self.tab.services.outbox
        current = interview_id == self.tab.current_id
        try:
            item, reused = await outbox.queue(draft)
        except Exception as exc:
            self._report(interview_id, f"The email was not queued. {explain(exc, 'The database').text}")
            return
        if current:
            self.panel.show_email_pending(
                f"Sending again the email to {item.to_address} that was not sent before…" if reused
                else f"Sending to {item.to_address}…")
        failures: list[BaseException] = []
        try:
            result = await outbox.deliver(item.id, on_retry=self.tab.retry_reporter("Resend", interview_id),
                                          on_failure=failures.append)
        except Exception as exc:  # the outbox itself could not be read or written
            self.tab.clear_retry_notice(interview_id)
            self._report(interview_id, f"The email to {item.to_address} was queued but not sent. "
                         f"{explain(exc, 'The database').text} It waits in the outbox.", outbox=True)
            return
        self.tab.clear_retry_notice(interview_id)
        self.tab.outbox_changed()
        if interview_id == self.tab.current_id:
            self.panel.show_email_result(result)
        if result.status != "sent" and failures:
            problem = explain(failures[-1], "Resend")
            self._report(interview_id, f"The email to {item.to_address} was not sent. {problem.text} It waits in "
                         "the outbox.", settings=problem.fix == SETTINGS, outbox=True)
