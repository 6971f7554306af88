"""`python -m bot richmenu`: draw the rich menu (Thai text), create it through the API, upload
the image to LINE_API_DATA_BASE_URL and make it the default. The drawn image is also written to
reports/richmenu.png for a person to look at. Without a token (local mode) it only draws."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 2500, 1686  # LINE's large rich menu; 3 x 2 buttons
FONT_DIRS = [Path("/usr/share/fonts/truetype/tlwg"), ROOT / "config" / "fonts"]
FONT_FILES = ("Loma-Bold.ttf", "Garuda-Bold.ttf", "Sarabun-Bold.ttf")
INSTALL = "sudo apt-get install -y fonts-thai-tlwg"
# (big mark, caption, text sent when tapped: the same words users type, routed exactly)
BUTTONS = [
    ("ก", "เกษตรอุตสาหกรรม", "ก", "#2E7D32"),
    ("ส", "สร้างสรรค์", "ส", "#C2185B"),
    ("อ", "อัจฉริยะ", "อ", "#1565C0"),
    ("🤝", "พี่เลี้ยง", "พี่เลี้ยง", "#6A1B9A"),
    ("📝", "สมัคร / สถานะ", "สถานะของฉัน", "#EF6C00"),
    ("📍", "ติดต่อศูนย์", "ติดต่อศูนย์", "#00695C"),
]
MARKS = {"🤝": "พ", "📝": "ร", "📍": "ศ"}  # fonts have no emoji: a Thai initial in a circle instead


def font(size: int) -> ImageFont.FreeTypeFont:
    for d in FONT_DIRS:
        for name in FONT_FILES:
            if (d / name).exists():
                return ImageFont.truetype(str(d / name), size, layout_engine=ImageFont.Layout.RAQM)
    raise SystemExit(f"no Thai font found in {', '.join(map(str, FONT_DIRS))}: install one with `{INSTALL}`")


def fitted(pen: ImageDraw.ImageDraw, text: str, width: int) -> ImageFont.FreeTypeFont:
    """The largest caption size (at most 120 px) at which `text` fits the button."""
    size = 120
    while size > 40 and pen.textlength(text, font=font(size)) > width:
        size -= 6
    return font(size)


def draw() -> bytes:
    img = Image.new("RGB", (WIDTH, HEIGHT), "#FFFFFF")
    pen = ImageDraw.Draw(img)
    big = font(330)
    w, h = WIDTH // 3, HEIGHT // 2
    for i, (mark, text, _, color) in enumerate(BUTTONS):
        x, y = (i % 3) * w, (i // 3) * h
        pen.rectangle([x + 12, y + 12, x + w - 12, y + h - 12], fill=color)
        cx = x + w // 2
        pen.ellipse([cx - 190, y + 90, cx + 190, y + 470], fill="#FFFFFF")
        pen.text((cx, y + 280), MARKS.get(mark, mark), font=big, fill=color, anchor="mm")
        pen.text((cx, y + 640), text, font=fitted(pen, text, w - 90), fill="#FFFFFF", anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def menu_request() -> dict:
    w, h = WIDTH // 3, HEIGHT // 2
    areas = [
        {
            "bounds": {"x": (i % 3) * w, "y": (i // 3) * h, "width": w, "height": h},
            "action": {"type": "message", "label": caption[:20], "text": sent},
        }
        for i, (_, caption, sent, _) in enumerate(BUTTONS)
    ]
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": "DIPROM SME menu v1",
        "chatBarText": "เมนู ดีพร้อม",
        "areas": areas,
    }


def main() -> int:
    from bot.app import settings_or_exit

    settings = settings_or_exit()
    png = draw()
    out = ROOT / "reports" / "richmenu.png"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(png)
    print(f"drew {out} ({len(png):,} bytes, {WIDTH}x{HEIGHT})")
    if settings.local:
        print("local mode (no LINE_CHANNEL_ACCESS_TOKEN): the menu was drawn, not sent to LINE")
        return 0
    from linebot.v3.messaging import MessagingApi, MessagingApiBlob, RichMenuRequest

    from bot.messenger.line import make_client

    token = str(settings.LINE_CHANNEL_ACCESS_TOKEN)
    api = MessagingApi(make_client(settings.LINE_API_BASE_URL, token))
    blob = MessagingApiBlob(make_client(settings.LINE_API_DATA_BASE_URL, token))
    menu_id = api.create_rich_menu(RichMenuRequest.from_dict(menu_request())).rich_menu_id
    blob.set_rich_menu_image(menu_id, body=bytearray(png), _headers={"Content-Type": "image/png"})
    api.set_default_rich_menu(menu_id)
    print(f"rich menu {menu_id} created, image uploaded, set as the default for every user")
    return 0


if __name__ == "__main__":
    sys.exit(main())
