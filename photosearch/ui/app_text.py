"""Messages from core in the app's words: core errors name command lines (`'photosearch
labels list'`, `--pretrained FILE`) for the terminal; in the window they name the app's
screens, menus and settings instead. Every place the app shows an error's text goes
through `app_error` (tests/ui/test_app_wording.py checks core's messages and ui's texts)."""

from __future__ import annotations

import re

# (pattern, replacement), applied in order; the most specific first.
_RULES: list[tuple[str, str]] = [
    (r"with: photosearch --library .+? restore-backup",
     "with Library ▸ Restore catalog from backup…"),
    (r"move the file aside and run 'photosearch index' to rebuild the catalog from the "
     r"photos", "move the file aside and add your folders again to rebuild the catalog"),
    (r"pass the file with --pretrained /path/to/weights \(or set it in Settings\)",
     "choose the file in Settings (Ctrl+,)"),
    (r"use --device auto or --device cpu", "choose the device Automatic or CPU in Settings"),
    (r"\(--pretrained none\)", "(no trained weights)"),
    (r"\(see 'photosearch labels list'\)", "(see the Labels screen)"),
    (r"\('photosearch labels edit'\)", "(Edit… on the Labels screen)"),
    (r"run 'photosearch labels apply' again", "press Tag library on the Labels screen again"),
    (r"'photosearch labels apply' catches up", "Tag library on the Labels screen catches up"),
    (r"\(see 'photosearch folders list'\)", "(see Folders in the sidebar)"),
    (r" \(see 'photosearch exclude list'\)", ""),
    (r"\(put longer descriptions in --prompt\)",
     "(put longer descriptions in the description words)"),
    (r"put the words in --prompt", "put the words in the description"),
    (r"\(name people with 'photosearch people name ID NAME'; see 'photosearch people'\)",
     "(name people on the People screen)"),
    (r"\(see 'photosearch people'\)", "(see the People screen)"),
    (r"install the optional 'people' extra \(pip install 'photosearch\[people\]', i\.e\. "
     r"dlib-bin and face-recognition-models\), then run 'photosearch people enable'",
     "the face recognition parts are not installed with this copy of photosearch"),
    (r"run 'photosearch index'", "press Index now (F5)"),
    (r"\bPillow\b", "the image decoder"),
]
_COMPILED = [(re.compile(p), r) for p, r in _RULES]

# what must never reach the window: a command line or an option
CLI_TEXT = re.compile(r"photosearch (--[a-z]|[a-z-]+ (list|add|edit|apply|enable|name)\b|"
                      r"index\b|restore-backup|people\b|labels\b|folders\b)|(^|\s)--[a-z]|"
                      r"\bPillow\b")


def for_app(text: str) -> str:
    """`text` with command-line hints replaced by the app's own actions."""
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return text


def app_error(exc: BaseException | str) -> str:
    """An error's text as the window shows it."""
    return for_app(str(exc))
