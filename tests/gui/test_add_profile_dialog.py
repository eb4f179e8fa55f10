"""Add profile…: the dialog asks the fake Genderize, Agify and Nationalize, shows the prediction, stores the profile
(the Profiles tab refreshes), shows a stored name's profile, and says which service had no prediction."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from insighta_desktop.context import open_context
from insighta_desktop.profiles.filters import build_filters
from tests.fakes.name_services import Person
from tests.gui.test_profiles_tab import open_tab


@pytest.fixture
def app_context(fake_names, sqlite_url, app_paths, credentials):
    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


@pytest.fixture
def tab(qtbot, qloop, app_context):
    widget = open_tab(qtbot, qloop, app_context)
    yield widget
    qloop.run(app_context.aclose())


def test_a_name_is_predicted_stored_and_shown(tab, qloop, fake_names, app_context, tmp_path):
    fake_names.people["amara"] = Person("female", 0.97, 1200, 34, [("NG", 0.41), ("GH", 0.2)])
    before = tab.result.total
    dialog = tab.open_add_profile()
    assert tab.open_add_profile() is dialog  # one at a time
    dialog.name_edit.setText("Amara")
    qloop.run(dialog.predict())
    assert dialog.outcome.text() == "Amara: Added to the database"
    assert dialog.gender.text() == "female — 97%"
    assert dialog.age.text() == "34 (adult)"
    assert dialog.country.text() == "Nigeria (NG) — 41%"
    assert dialog.status.text() == "Added Amara: female (97%), 34 (adult), Nigeria (41%)."
    assert dialog.predict_button.isEnabled()
    qloop.run(tab.search_task)  # the tab searched again: the new profile counts
    assert tab.result.total == before + 1
    dialog.grab().save(str(tmp_path / "add_profile_dialog.png"))

    dialog.name_edit.setText("  AMARA ")
    qloop.run(dialog.predict())
    assert dialog.outcome.text() == "AMARA: Already stored"
    assert dialog.country.text() == "Nigeria (NG) — 41%"
    found = app_context.profile_search.search(build_filters(country_id="NG", gender="female", min_age=34,
                                                            max_age=34))
    assert sum(p.name == "Amara" for p in found.rows) == 1

    dialog.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert tab.add_dialog is None


def test_no_prediction_and_several_names(tab, qloop, fake_names, tmp_path):
    fake_names.people["kofi"] = Person("male", 0.99, 800, 41, [("GH", 0.6)])
    fake_names.people["zzyzx"] = Person(age=None)
    dialog = tab.open_add_profile()
    dialog.name_edit.setText("Zzyzx, Kofi")
    qloop.run(dialog.predict())
    assert dialog.outcome.text() == "Zzyzx: Not stored"
    assert dialog.status.text() == "No profile stored for 'Zzyzx': Agify had no prediction."
    assert dialog.gender.text() == "–"
    assert "Added Kofi: male (99%), 41 (adult), Ghana (60%)." in dialog.others.text()
    dialog.grab().save(str(tmp_path / "add_profile_no_prediction.png"))
    dialog.name_edit.setText(" , ")
    assert dialog.predict() is None and dialog.status.text() == "Type a name first."
    dialog.close()


def test_the_api_key_is_kept_in_the_keychain_and_sent(tab, qloop, fake_names, app_context, memory_keyring):
    from insighta_desktop.config import CredentialStore
    from insighta_desktop.ui.settings_dialog import SettingsDialog

    settings = SettingsDialog(app_context.settings, app_context.credentials, app_context.paths,
                              engine=app_context.engine)
    try:
        settings.name_prediction_key.setText("names-key-789")
        settings.save()
    finally:
        settings.deleteLater()
    assert "names-key-789" not in app_context.paths.settings_file.read_text()
    assert memory_keyring.secrets[("insighta-desktop", CredentialStore.NAME_PREDICTION_API_KEY)] == "names-key-789"
    fake_names.required_key = "names-key-789"
    fake_names.people["ada"] = Person()
    dialog = tab.open_add_profile()
    dialog.name_edit.setText("Ada")
    qloop.run(dialog.predict())
    assert dialog.outcome.text() == "Ada: Added to the database"
    assert all("apikey=names-key-789" in r.query for r in fake_names.requests)
    dialog.close()
