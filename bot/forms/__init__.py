"""「フォームでまとめて入力」: the draft's long answers on one web page, reached by a signed short-lived link."""

from pathlib import Path

LIFF_SDK = Path(__file__).parent / "liff" / "dist" / "liff.js"  # the LIFF SDK, bundled by scripts/install-liff
