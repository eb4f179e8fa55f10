"""`insighta pack export | info`: encrypted, signed review packs from the terminal.

The passphrase comes from the first line of --passphrase-file, or from a prompt when the terminal is
interactive; never from the command line, where other users and the shell history would see it.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insighta_desktop.cli.common import Subparsers, open_cli_context

if TYPE_CHECKING:
    from insighta_desktop.packs import Manifest, SealedPack, TrustVerdict


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


class _RefusePassphrase(argparse.Action):
    """`--passphrase X` is refused without repeating X: argparse would echo it in its usual error."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        parser.error("the passphrase is never taken on the command line (other users and the shell history would "
                     "see it): use --passphrase-file F, or type it when asked")


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    pack = subparsers.add_parser("pack", help="review packs: interviews to review offline", parents=[common])
    sub = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    export = sub.add_parser("export", help="write interviews (and a search result) into an encrypted, signed pack",
                            parents=[common], allow_abbrev=False)
    export.add_argument("--interviews", nargs="+", metavar="ID", default=[], help="interview ids to include")
    export.add_argument("--search", metavar="QUERY", help='include the profiles this search finds, e.g. '
                                                          '"Nigerian females aged 20 to 45"')
    export.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the pack to write (.insighta-pack is added when there is no suffix)")
    export.add_argument("--expires", type=_date, metavar="YYYY-MM-DD",
                        help="the last day the pack can be opened (default: no expiry)")
    export.add_argument("--passphrase-file", type=Path, metavar="F",
                        help="read the passphrase from the first line of F (default: ask, when interactive)")
    export.add_argument("--no-redact", dest="redact", action="store_false",
                        help="keep candidates' email addresses and phone numbers (masked by default)")
    export.add_argument("--signer-name", metavar="NAME",
                        help="the name reviewers see beside your key's fingerprint (default: the settings', "
                             "else user on host)")
    export.add_argument("--passphrase", action=_RefusePassphrase, nargs="?", help=argparse.SUPPRESS)
    export.set_defaults(func=run_export)
    info = sub.add_parser("info", help="show who signed a pack, its expiry and contents (no passphrase needed)",
                          parents=[common], allow_abbrev=False)
    info.add_argument("file", type=Path, metavar="FILE")
    info.add_argument("--passphrase-file", type=Path, metavar="F",
                      help="also decrypt the pack, check its contents and list the interviews")
    info.add_argument("--trust", action="store_true", help="trust the pack's signer from now on (trust on first use)")
    info.add_argument("--json", action="store_true", help="print the header (and with a passphrase, the manifest)")
    info.add_argument("--passphrase", action=_RefusePassphrase, nargs="?", help=argparse.SUPPRESS)
    info.set_defaults(func=run_info)


def read_passphrase(path: Path | None, *, confirm: bool) -> str:
    from insighta_desktop.cli import CliError
    from insighta_desktop.packs import PackError
    from insighta_desktop.packs.container import passphrase_from_file

    if path is not None:
        try:
            return passphrase_from_file(path)
        except PackError as exc:
            raise CliError(str(exc)) from None
    if not (sys.stdin is not None and sys.stdin.isatty()):
        raise CliError("give the passphrase with --passphrase-file F (it is never taken on the command line)")
    first = getpass.getpass("Pack passphrase: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise CliError("the two passphrases differ; nothing was written")
    return first


def run_export(args: argparse.Namespace) -> int:
    from insighta_desktop.cli import CliError
    from insighta_desktop.interviews.repository import NotFound
    from insighta_desktop.packs import FILE_SUFFIX, PackError, load_identity
    from insighta_desktop.packs.container import check_passphrase

    if not args.interviews and not args.search:
        raise CliError("name at least one interview (--interviews ID …) or a search (--search QUERY)")
    if args.expires is not None and args.expires < date.today():
        raise CliError(f"--expires {args.expires} is in the past: choose today or a later date")
    passphrase = read_passphrase(args.passphrase_file, confirm=True)
    try:
        check_passphrase(passphrase)
    except PackError as exc:
        raise CliError(str(exc)) from None
    out = args.out if args.out.suffix else args.out.with_suffix(FILE_SUFFIX)
    ctx = open_cli_context(args)
    try:
        identity = load_identity(ctx.credentials, args.signer_name or ctx.settings.pack_signer_name)
        manifest = ctx.packs.export(args.interviews, out, passphrase=passphrase, signer=identity,
                                    search_text=args.search, expires=args.expires, redact=args.redact)
    except (PackError, NotFound) as exc:
        raise CliError(str(exc)) from None
    finally:
        ctx.close()
    print(f"Wrote {out} ({out.stat().st_size / 1024:.0f} KiB): {describe(manifest)}")
    print(f"Encrypted with a passphrase; {expiry_text(args.expires)}; {redaction_text(manifest.extra.get('redacted'))}")
    print(f"Signed by {identity.name}, fingerprint {identity.fingerprint}")
    print("  (reviewers see this fingerprint when they open the pack: tell them it, by another channel)")
    if identity.keychain_notice:
        print(f"insighta: warning: {identity.keychain_notice}", file=sys.stderr)
    return 0


def expiry_text(expires: date | None) -> str:
    from insighta_desktop.packs.container import day_text

    return f"opens until {day_text(expires)}" if expires else "no expiry date"


def redaction_text(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "emails and phone numbers NOT masked"
    emails, phones = counts.get("emails", 0), counts.get("phones", 0)
    return (f"emails and phone numbers masked ({emails} email{'s' if emails != 1 else ''}, "
            f"{phones} phone number{'s' if phones != 1 else ''})")


def _contents_text(contents: dict[str, Any]) -> str:
    n = contents.get("interviews", 0)
    parts = [f"{n} interview{'s' if n != 1 else ''} ({contents.get('transcript_turns', 0)} transcript turns, "
             f"{contents.get('assessments', 0)} assessments, {contents.get('chat_messages', 0)} chat messages)"]
    if contents.get("search"):
        parts.append(f"{contents.get('profiles', 0):,} profiles from a search")
    return ", ".join(parts) + f"; {redaction_text(contents.get('redacted'))}"


def run_info(args: argparse.Namespace) -> int:
    from insighta_desktop.cli import CliError
    from insighta_desktop.config import AppPaths, CredentialStore
    from insighta_desktop.packs import PackError, TrustStore, read_sealed
    from insighta_desktop.packs.reader import verify_payload
    from insighta_desktop.packs.signing import own_public_key

    try:
        sealed = read_sealed(args.file)
    except PackError as exc:
        raise CliError(str(exc), exit_code=3) from None
    header = sealed.header
    trust = TrustStore.in_config_dir(AppPaths.default().config_dir)
    verdict = trust.verdict(header.signer, own_public_key(CredentialStore()))
    expired = sealed.expired(date.today())
    manifest = None
    if args.passphrase_file is not None and not expired:
        try:
            manifest = verify_payload(sealed.decrypt(read_passphrase(args.passphrase_file, confirm=False)),
                                      sealed.name)
        except PackError as exc:
            raise CliError(str(exc), exit_code=3) from None
    if args.json:
        print(json.dumps({"file": str(args.file), "format_version": 2, "signature": "ok", "expired": expired,
                          "signer": {"name": header.signer.name, "fingerprint": header.signer.fingerprint,
                                     "trust": verdict.status},
                          "header": header.to_json(),
                          "manifest": json.loads(manifest.to_json_text()) if manifest else None},
                         indent=2, ensure_ascii=False))
    else:
        _print_info(args.file, sealed, verdict, manifest)
    if args.trust and not verdict.trusted:
        trust.trust(header.signer)
        print(f"Trusted {header.signer.name} (fingerprint {header.signer.fingerprint}) for future packs.")
    if expired:
        raise CliError(sealed.expiry_message(), exit_code=3)
    return 0


def _print_info(file: Path, sealed: SealedPack, verdict: TrustVerdict, manifest: Manifest | None) -> None:
    from insighta_desktop.packs.container import day_text

    header = sealed.header
    print(f"{file.name}: Insighta review pack, format 2, encrypted ({header.cipher}, {header.kdf.describe()}), "
          "signature OK")
    print(verdict.summary())
    if verdict.warning():
        print(verdict.warning())
    expires = f"opens until {day_text(header.expires)}" if header.expires else "no expiry date"
    print(f"Created {header.created_at[:16].replace('T', ' ')} UTC by Insighta Desktop {header.app_version}; "
          f"{expires}")
    print(f"Contents: {_contents_text(header.contents)}")
    if manifest is None:
        print("Names and transcripts are encrypted: add --passphrase-file F to list the interviews and check them.")
        return
    print(f"Decrypted and checked: checksums OK. {describe(manifest)}")
    for entry in manifest.interviews:
        assessment = entry.assessment_status or "none"
        print(f"  {entry.id}  {entry.candidate_name} — {entry.role}: {entry.turns} turns ({entry.transcript_source}), "
              f"assessment {assessment}, {entry.chat_messages} chat messages")
    if manifest.search is not None:
        s = manifest.search
        more = f" of {s.total_matches:,} matches" if s.truncated else ""
        print(f'  search "{s.query}": {s.included:,} profiles{more}')


def describe(manifest: Manifest) -> str:
    count = len(manifest.interviews)
    parts = [f"{count} interview{'s' if count != 1 else ''}"]
    if manifest.search is not None:
        parts.append(f'{manifest.search.included:,} profiles for "{manifest.search.query}"')
    return ", ".join(parts)
