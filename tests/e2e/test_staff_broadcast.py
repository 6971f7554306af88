"""Staff on LINE send a segment broadcast end to end: entrepreneurs register through LINE
(linefake -> web -> Redis -> worker), a staff member types "ประกาศ", the text and a province
(น่าน: no other test on this session's stack registers there), sees the count, confirms, and
the worker's broadcast process multicasts it to exactly the matching people, with the stop
line; someone who is not staff typing "ประกาศ" sends nothing."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import STAFF
from tests.e2e.test_linefake import new_user, said

pytestmark = pytest.mark.e2e
REGISTER = ["สมัคร", "ยินยอม", "ร้าน{n}", "คุณ{n} ใจดี", "{province}", "ก", "แปรรูปข้าว", "3", "12", "3",
            "081 234 56{n:02d}", "ไม่มี", "ยืนยัน"]  # fmt: skip


def test_staff_send_a_province_broadcast_from_line_and_only_that_province_gets_it(line) -> None:
    nan, chiang_mai, bystander = new_user(301), new_user(302), new_user(303)
    for n, (user, province) in enumerate([(nan, "น่าน"), (chiang_mai, "เชียงใหม่")], 1):
        line.follow(user)
        for says in REGISTER:
            assert line.text(user, says.format(n=n, province=province))[0] == 200
            line.wait_quiet(user, quiet=0.3, timeout=15)
    line.follow(bystander)
    line.text(bystander, "ประกาศ")
    assert "ข้อความประกาศ" not in said(line.wait_quiet(bystander, quiet=0.3, timeout=15))

    for says, expected in [("ประกาศ", "ข้อความประกาศ"), ("อบรมแปรรูปข้าวฟรี 5 ธ.ค. ที่ ศภ.5", "ส่งถึงใคร"),
                           ("น่าน", "จำนวน 1 คน"), ("ยืนยันส่ง", "รับคำสั่งแล้ว")]:  # fmt: skip
        assert line.text(STAFF, says)[0] == 200
        got = said(line.wait_quiet(STAFF, quiet=0.4, timeout=15))
        assert expected in got, f"{says}: {got[:300]}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "อบรมแปรรูปข้าวฟรี" not in said(line.deliveries(nan)):
        time.sleep(0.3)
    received = said(line.deliveries(nan))
    assert "อบรมแปรรูปข้าวฟรี" in received and "หยุดรับข่าวสาร" in received
    assert "อบรมแปรรูปข้าวฟรี" not in said(line.deliveries(chiang_mai))
    assert "อบรมแปรรูปข้าวฟรี" not in said(line.deliveries(bystander))
    assert "เริ่มส่งถึง 1 คน" in said(line.deliveries(STAFF))
    multicasts = [r for r in line.requests() if r["path"].endswith("/multicast")]
    assert len(multicasts) == 1 and multicasts[0]["body"]["to"] == [nan]
    assert line.violations() == []
