"""The demo's protection story: from a shopper's report to a takedown, a case across regions
and a reward, after the season of demo_chain.py.

A Beijing shopper buys a "Wuchang rice" bag online from a seller the GI authority never
approved; its label carries the code of a bag Wumart already sold (a copied code). The
shopper reports it (off the log, as POST /v1/reports does, and keeps the receipt code). The
invented platform Demo Mall checks the listing; the Wuchang rice association sends it a
takedown notice, which the platform acknowledges and then answers by removing the listing,
within the deadline. Beijing's regulator (cnipa, seated in Beijing) opens a case from the
report, the listing and the notice and transfers it to Heilongjiang's regulator, where the
rice was packed; Heilongjiang accepts, closes it confirmed, publishes it as a typical case
and rewards the report. Wumart, one holder of the recalled rice, acknowledges the recall.

The platform, the association, the seller and the shop are invented; the codes carry valid
check characters.
"""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import Engine, delete

from gi_trace.cli.demo_chain import (
    REGULATOR,
    RICE,
    WUCHANG,
    WUMART,
    DemoOrg,
    Step,
    Story,
    harvest_season,
    uscc,
)
from gi_trace.client.drafts import PublicKey
from gi_trace.client.protection_drafts import (
    case_accept,
    case_close,
    case_open,
    case_transfer,
    listing_check,
    notice_answer,
    notice_send,
    recall_ack,
    reward_grant,
)
from gi_trace.labels import receipts, reports
from gi_trace.labels.issuing import Label
from gi_trace.labels.tables import reports as reports_table
from gi_trace.settings import Settings

PLATFORM = DemoOrg("demo-mall", "演示商城（虚构的电商平台）", "Demo Mall (an invented e-commerce platform)",
                   ("platform",), "330106", uscc("91", "330106", "MA2A1B2C"))
ASSOCIATION = DemoOrg("wuchang-rice-assoc", "五常市大米协会（演示）", "Wuchang Rice Association (demo)",
                      ("association",), WUCHANG, uscc("51", WUCHANG, "MA2B3C4D"))
HEILONGJIANG = DemoOrg("heilongjiang-amr", "黑龙江省市场监督管理局（演示）",
                       "Heilongjiang Administration for Market Regulation (demo)", ("regulator",),
                       "230000", uscc("11", "230000", "00012345"))
ORGS = (PLATFORM, ASSOCIATION, HEILONGJIANG)
BEIJING = REGULATOR  # cnipa, seated in Beijing (110108), acts as Beijing's regulator

# The unapproved seller: a sole trader in Chaoyang, Beijing, registered nowhere on the log.
SELLER_USCC = uscc("92", "110105", "MA2D7E8F")
SHOP = "五常稻香直营店 Wuchang Daoxiang Direct"
LISTING_URL = "https://demo-mall.example/item/880021"
REWARD_YUAN = "500"
NOTICE_DEADLINE = timedelta(hours=24)
# The demo's shopper has no address: its report is counted under a demo-only sender hash,
# never one a real sender's address could hash to (those are keyed by the operator's key).
DEMO_SENDER = reports.client_id(b"gi-trace demo", "a Beijing shopper")


@dataclass(frozen=True)
class DemoReport:
    """The shopper's counterfeit report, off the log: its id, the receipt code the shopper
    keeps, the copied code it is about and the SHA-256 of its photo (the notice's evidence)."""

    id: str
    receipt: str
    uri: str
    photo_digest: str


def bag_photo() -> bytes:
    """The shopper's photo of the bag: a small PNG (a demo needs no real photo, but the
    report's photo is decoded like any other)."""
    image = Image.new("RGB", (96, 64), (236, 228, 204))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 88, 56), outline=(160, 32, 32), width=3)
    draw.rectangle((60, 36, 82, 52), fill=(20, 20, 20))  # the copied QR code
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def report_fake_bag(engine: Engine, settings: Settings, copied: Label) -> DemoReport:
    """Queue the shopper's report as POST /v1/reports does (labels.reports), with a receipt."""
    photo, uri = bag_photo(), copied.uri(settings.base_url)
    report = reports.new_report({
        "uri": uri,
        "where_bought": f"{PLATFORM.zh}「{SHOP}」网店，送货到北京朝阳 / online at {PLATFORM.en}, "
                        "shop Wuchang Daoxiang Direct, delivered to Chaoyang, Beijing",
        "details": "米袋做工粗糙，扫码显示此标签已在物美售出 / the bag is badly made and its label "
                   "scans as already sold at Wumart"},
        photo, max_photo_bytes=settings.report_max_photo_bytes,
        max_photo_pixels=settings.report_max_photo_pixels)
    code = receipts.new_code()
    report_id = reports.submit(engine, report, DEMO_SENDER, limit=settings.report_max_per_hour,
                               now=int(time.time()), receipt_hash=receipts.code_hash(code))
    return DemoReport(report_id, code, uri, hashlib.sha256(photo).hexdigest())


def withdraw(engine: Engine, report: DemoReport) -> None:
    """Take the demo's report back out of the queue when the demo's statements were refused,
    so that a failed load leaves nothing behind."""
    with engine.begin() as conn:
        conn.execute(delete(reports_table).where(reports_table.c.id == report.id))


def story(keys: dict[str, PublicKey], now: datetime, report: DemoReport) -> list[Step]:
    """The protection statements, in log order, after the season; `keys` holds the public keys
    of the season's orgs and of ORGS."""
    year, season = now.year, harvest_season(now.date())
    s = Story()
    for org in ORGS:
        s.by(BEIJING, org.register([keys[org.org]]), f"register {org.en}")

    # The recall reaches Wumart's shelf (the 2.5 kg bags of Longfengshan's rice, as demo_chain
    # names the batch): Wumart says what it withdrew; Hema, the other holder, has not yet.
    s.by(WUMART, recall_ack(f"jinhe-rice-{season}-002", "5000",
                            "下架封存 / taken off the shelf and sealed"),
         "Wumart acknowledges the recall: it withdrew all 5 t")

    check, notice, case = f"check-demo-mall-{year}-001", f"notice-wrassoc-{year}-001", f"case-bj-{year}-001"
    s.by(PLATFORM, listing_check(check, PLATFORM.org, LISTING_URL, RICE, shop=SHOP,
                                 seller_uscc=SELLER_USCC, codes=[report.uri]),
         "Demo Mall checks the listing of an unapproved seller showing a copied code")
    s.by(ASSOCIATION, notice_send(
        notice, PLATFORM.org, "seller-not-approved", now + NOTICE_DEADLINE, listing=check,
        detail="卖家未获五常大米专用标志使用许可，商品标签码复制自已售出的正品 / the seller is not "
               "approved for the Wuchang rice special sign; the label code is copied from a "
               "genuine bag already sold",
        evidence={"reports": [report.id], "listings": [check], "photos": [report.photo_digest]}),
         "the Wuchang rice association asks Demo Mall to take the listing down within 24 h")
    s.by(PLATFORM, notice_answer(notice, "acknowledged"), "Demo Mall acknowledges the notice")
    s.by(PLATFORM, notice_answer(notice, "removed"), "Demo Mall removes the listing, within the deadline")

    s.by(BEIJING, case_open(case, RICE, "北京消费者网购假冒五常大米，标签码复制；卖家无使用许可 / a "
                                        "Beijing shopper bought fake Wuchang rice online with a copied "
                                        "label code from an unapproved seller",
                            sources={"reports": [report.id], "listings": [check], "notices": [notice]}),
         "Beijing's regulator opens a case from the report, the listing and the notice")
    s.by(BEIJING, case_transfer(case, HEILONGJIANG.org, "假货在黑龙江分装，移交产地查处 / the fake bags "
                                                        "were packed in Heilongjiang: the producing "
                                                        "region investigates the packer"),
         "Beijing transfers the case to Heilongjiang (a clue transfer)")
    s.by(HEILONGJIANG, case_accept(case), "Heilongjiang accepts it, recognising Beijing's evidence")
    s.by(HEILONGJIANG, case_close(case, "confirmed", publish=True, summary=(
        "北京消费者举报网购的“五常大米”标签码系复制；电商平台在期限内下架商品，案件移交黑龙江后查实。"
        " / A Beijing shopper reported 'Wuchang rice' bought online with a copied label code; the "
        "platform took the listing down within the deadline, and Heilongjiang confirmed the case.")),
         "Heilongjiang closes the case confirmed and publishes it as a typical case")
    s.by(HEILONGJIANG, reward_grant(f"reward-{year}-001", report.id, case, REWARD_YUAN),
         f"Heilongjiang rewards the shopper's report: {REWARD_YUAN} yuan")
    return s.steps
