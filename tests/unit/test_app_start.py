"""How ui.app starts Qt: large fills painted on the GUI thread, unless QT_NO_GUI_THREADPOOL is set already."""
from __future__ import annotations

import os

from insighta_desktop.ui.app import paint_on_the_gui_thread


def test_fills_stay_on_the_gui_thread_unless_the_variable_is_set_already(monkeypatch):
    monkeypatch.delenv("QT_NO_GUI_THREADPOOL", raising=False)
    paint_on_the_gui_thread()
    assert os.environ["QT_NO_GUI_THREADPOOL"] == "1"
    monkeypatch.setenv("QT_NO_GUI_THREADPOOL", "0")
    paint_on_the_gui_thread()
    assert os.environ["QT_NO_GUI_THREADPOOL"] == "0"
