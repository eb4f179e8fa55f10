"""Finding the Qt objects a GUI test left alive: windows, active timers, running threads, the app's own QObjects."""
from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QEvent, QObject, QThread, QTimer
from PySide6.QtWidgets import QApplication, QWidget

APP_PACKAGE = "insighta_desktop."


class Leak:
    """One object left alive; equal only to a Leak of the same object, so earlier leaks can be told apart."""

    def __init__(self, obj: QObject, description: str) -> None:
        self.obj = obj
        self.description = description

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Leak) and other.obj is self.obj

    __hash__ = None  # type: ignore[assignment]


def delete_later_now(app: QCoreApplication) -> None:
    """Run the deletions deleteLater() asked for. processEvents() leaves them to the next event loop, and with
    QApplication.processEvents() as the only loop between tests they would wait until some later test."""
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def new_leaks(app: QCoreApplication, known: list[Leak]) -> list[Leak]:
    """What is alive now and was not in `known`, once pending deletions have run."""
    delete_later_now(app)
    leaks = [leak for leak in find_leaks(app) if leak not in known]
    if leaks:  # garbage not collected yet may hold the last reference to a Python-owned object: collect, look again
        leaks.clear()  # these hold references too
        gc.collect()
        delete_later_now(app)
        leaks = [leak for leak in find_leaks(app) if leak not in known]
    return leaks


def _root(obj: QObject) -> QObject:
    while (parent := obj.parent()) is not None:
        obj = parent
    return obj


def find_leaks(app: QCoreApplication) -> list[Leak]:
    leaks = [Leak(w, f"window {type(w).__name__} {w.windowTitle()!r} ({'visible' if w.isVisible() else 'hidden'})")
             for w in QApplication.topLevelWidgets() if w.parentWidget() is None]
    main_thread = app.thread()
    dispatcher = QAbstractEventDispatcher.instance(main_thread)
    for obj in gc.get_objects():
        if not isinstance(obj, QObject) or not shiboken6.isValid(obj):
            continue
        if isinstance(obj, QTimer) and obj.isActive():
            parent = obj.parent()
            leaks.append(Leak(obj, f"active QTimer every {obj.interval()} ms, parent "
                                   f"{type(parent).__name__ if parent is not None else 'none'}"))
        elif (dispatcher is not None and obj.thread() is main_thread and not isinstance(_root(obj), QWidget)
              and dispatcher.registeredTimers(obj)):
            # startTimer() timers, as a qasync loop's: freed later by a collection on a worker thread, such an
            # object leaves them registered and Qt fires one at freed memory.
            leaks.append(Leak(obj, f"{type(obj).__module__}.{type(obj).__name__} with "
                                   f"{len(dispatcher.registeredTimers(obj))} Qt timers still registered"))
        elif isinstance(obj, QThread) and obj is not main_thread and obj.isRunning():
            leaks.append(Leak(obj, f"running {type(obj).__name__} {obj.objectName()!r}"))
        elif type(obj).__module__.startswith(APP_PACKAGE) and not isinstance(_root(obj), QWidget):
            # Widgets and what hangs off them are reported through their window.
            leaks.append(Leak(obj, f"{type(obj).__name__} (a QObject of the app, not owned by any window)"))
    return leaks


def discard(app: QCoreApplication, leaks: list[Leak]) -> None:
    """Stop and delete what a test left behind, so the tests after it start clean."""
    for leak in leaks:
        obj = leak.obj
        if not shiboken6.isValid(obj):
            continue
        if isinstance(obj, QWidget):
            obj.close()
        elif isinstance(obj, QTimer):
            obj.stop()
        elif isinstance(obj, QThread):
            obj.quit()
            obj.wait(5_000)
        if obj.parent() is None:
            obj.deleteLater()
    delete_later_now(app)
    gc.collect()
