"""What the desktop passes to insighta-desktop (`Exec=insighta-desktop %u`): a path, a file: URL or a link."""
from __future__ import annotations

from insighta_desktop.app import build_parser, resolve_target


def target(*argv: str):
    return resolve_target(build_parser().parse_args(list(argv)))


def test_a_path_is_a_pack():
    args = target("/home/ada/Review packs/june.insighta-pack")
    assert args.pack == "/home/ada/Review packs/june.insighta-pack" and args.link is None


def test_a_file_url_is_the_pack_it_points_to():
    args = target("file:///home/ada/Review%20packs/june%2B%25.insighta-pack")
    assert args.pack == "/home/ada/Review packs/june+%.insighta-pack" and args.link is None
    assert target("file://localhost/tmp/a.insighta-pack").pack == "/tmp/a.insighta-pack"


def test_an_insighta_link_opens_the_app_and_is_kept_for_the_log():
    args = target("insighta://search?q=Nigerian%20women")
    assert args.pack is None and args.link == "insighta://search?q=Nigerian%20women"
    assert target("INSIGHTA://x").link == "INSIGHTA://x"


def test_no_argument_opens_the_app():
    args = target()
    assert args.pack is None and args.link is None
