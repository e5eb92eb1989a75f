"""The demo's story: one season of Wuchang rice (五常大米) from the paddy fields to Beijing shelves.

Wuchang rice is a Chinese geographical indication of Wuchang, Heilongjiang
(GB/T 2260 code 230184). The GI authority registers the paddy and the milled
rice (in 2.5 kg and 5 kg bags), with milling declared at a yield of at most 70 %;
three growers in Wuchang are approved for the paddy with a yearly quota, a fourth
farm outside the protected region is registered but never approved. The Jinhe mill
in Wuchang is approved as the special-sign user of the milled rice: it prints the
labels on the bags it fills, while it holds the rice, within what the harvests can
yield. Harvests are split, shipped to the mill, milled, bagged and labelled, shipped
on through a Harbin distributor to two Beijing retailers; one delivery is rejected at
the mill, one pallet is still in transit, and the authority recalls one harvest after
a failed residue test, which reaches the rice on both retailers' shelves.

Every body is built by gi_trace.client.drafts, the same code the client uses, and
signed as v2 statements whose confidential fields (quantities, plots, shipments,
serials) are sealed by the disclosure policy. All ids, codes and names are invented;
the codes carry valid check characters (GTIN, SSCC, GB 11714 and GB 32100).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from gi_trace.client import drafts
from gi_trace.client.drafts import Draft, PublicKey
from gi_trace.domain.gs1 import check_digit
from gi_trace.domain.uscc import check_character
from gi_trace.labels.issuing import Label
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.keys import key_id


def gtin14(first13: str) -> str:
    """Append the GS1 mod-10 check digit (weights 3, 1, 3… from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first13)))
    return first13 + str((10 - total % 10) % 10)


def uscc(kind: str, region: str, org_code: str) -> str:
    """A unified social credit code (统一社会信用代码) with both of its check characters:
    GB 11714 on the 8-digit organisation code, then GB 32100 on the 17 characters."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c, 36) * w for c, w in zip(org_code, weights, strict=True)) % 11
    first17 = kind + region + org_code + {10: "X", 11: "0"}.get(check, str(check))
    return first17 + check_character(first17)


@dataclass(frozen=True)
class DemoOrg:
    org: str
    zh: str
    en: str
    roles: tuple[str, ...]
    region: str
    uscc: str

    def register(self, keys: Sequence[PublicKey]) -> Draft:
        return drafts.org_register(self.org, {"zh": self.zh, "en": self.en}, self.roles, keys,
                                   region=self.region, uscc=self.uscc)


WUCHANG = "230184"  # 黑龙江省哈尔滨市五常市
REGULATOR = DemoOrg("cnipa", "国家知识产权局", "China National Intellectual Property Administration",
                    ("regulator",), "110108", uscc("11", "100000", "00001371"))
MINLE = DemoOrg("minle-coop", "五常市民乐乡稻花香水稻种植专业合作社",
                "Minle Daohuaxiang Rice Growers' Cooperative", ("producer",), WUCHANG,
                uscc("93", WUCHANG, "MA1B2C3D"))
LONGFENG = DemoOrg("longfeng-farm", "五常市龙凤山镇水稻种植家庭农场", "Longfengshan Rice Family Farm",
                   ("producer",), WUCHANG, uscc("92", WUCHANG, "MA1C4E5F"))
LALIN = DemoOrg("lalin-coop", "五常市拉林河稻米专业合作社", "Lalin River Rice Cooperative",
                ("producer",), WUCHANG, uscc("93", WUCHANG, "MA1D6G7H"))
SHUANGCHENG = DemoOrg("shuangcheng-farm", "哈尔滨市双城区稻田农场",
                      "Shuangcheng Paddy Farm (outside the GI region, not approved)", ("producer",),
                      "230113", uscc("92", "230113", "MA1E8J9K"))
MILL = DemoOrg("jinhe-mill", "五常金禾米业有限公司", "Jinhe Rice Milling Co., Wuchang", ("processor",),
               WUCHANG, uscc("91", WUCHANG, "MA1F0L1M"))
DISTRIBUTOR = DemoOrg("harbin-grain", "哈尔滨北方粮食物流有限公司", "Harbin Northern Grain Logistics Co.",
                      ("distributor",), "230102", uscc("91", "230102", "MA1G2N3P"))
WUMART = DemoOrg("wumart-beijing", "物美超市（北京朝阳店）", "Wumart Supermarket, Chaoyang, Beijing",
                 ("retailer",), "110105", uscc("91", "110105", "MA1H4Q5R"))
HEMA = DemoOrg("hema-beijing", "盒马鲜生（北京海淀店）", "Hema Fresh, Haidian, Beijing", ("retailer",),
               "110108", uscc("91", "110108", "MA1J6T7U"))
ORGS = (MINLE, LONGFENG, LALIN, SHUANGCHENG, MILL, DISTRIBUTOR, WUMART, HEMA)
SCANNER = "wumart-beijing-scanner"  # a second key of the retailer: enrolled, then lost and revoked
DISTRIBUTOR_PREFIX = "0697123"  # an invented GS1 company prefix, for the pallet's SSCC
DESK = "hema-beijing-desk"  # Hema's receiving-desk handheld: signs receipts at /desk

PADDY, RICE = "wuchang-rice-paddy", "wuchang-rice"
REGION = {"zh": "黑龙江省五常市", "en": "Wuchang, Heilongjiang"}
PADDY_GTIN = gtin14("0697123450010")  # bulk paddy, by the kg
RICE_GTINS = (gtin14("0697123450027"), gtin14("0697123450034"))  # 5 kg and 2.5 kg bags
RICE_PACKS = ("2.5", "5")  # kg of milled rice one label may cover: the bags
PADDY_PACKS = ("25", "50")  # kg sacks of paddy, for a grower that sells it labelled


@dataclass(frozen=True)
class Step:
    """One statement of the story: who signs it, what, and a line saying why."""

    actor: str
    draft: Draft
    what: str


@dataclass
class Story:
    steps: list[Step] = field(default_factory=list)

    def by(self, actor: DemoOrg | str, draft: Draft, what: str) -> None:
        self.steps.append(Step(actor if isinstance(actor, str) else actor.org, draft, what))


def harvest_season(today: date) -> int:
    """The latest season whose harvest is in: Wuchang paddy is cut late September–mid October."""
    return today.year if (today.month, today.day) >= (10, 15) else today.year - 1


# Labels signed by an org's private key: (org, GTIN, lot, count) → labels.
LabelSigner = Callable[[str, str, str, int], Sequence[Label]]


@dataclass
class DemoLabels:
    """The special-sign labels the story issued, to print and scan."""

    on_shelf: list[Label] = field(default_factory=list)  # genuine, at Wumart
    sold: list[Label] = field(default_factory=list)
    voided: list[Label] = field(default_factory=list)
    recalled: list[Label] = field(default_factory=list)  # on rice milled from a recalled harvest


def story(keys: dict[str, PublicKey], today: date, sign_labels: LabelSigner,
          labels: DemoLabels | None = None) -> list[Step]:
    """Everything after the genesis, in log order. `keys` holds every demo org's public key;
    the labels issued are noted in `labels`."""
    labels = labels if labels is not None else DemoLabels()
    year = harvest_season(today)
    s = Story()

    def day(month: int, dom: int) -> date:
        return date(year, month, dom)

    for org in ORGS:
        s.by(REGULATOR, org.register([keys[org.org]]), f"register {org.en}")
    s.by(WUMART, drafts.key_add(WUMART.org, keys[SCANNER], label="receiving-desk handheld",
                                reason="scanner for the receiving desk"), "Wumart enrols a scanner key")

    # The GI products: milled rice first, then the paddy that declares milling into it.
    s.by(REGULATOR, drafts.product_register(
        RICE, {"zh": "五常大米", "en": "Wuchang rice"}, region_name=REGION, region_codes=[WUCHANG],
        unit="kg", gtins=RICE_GTINS, packs=RICE_PACKS),
        "register the GI product Wuchang rice (milled), in 2.5 kg and 5 kg bags")
    s.by(REGULATOR, drafts.product_register(
        PADDY, {"zh": "五常大米（稻谷）", "en": "Wuchang rice (paddy)"}, region_name=REGION,
        region_codes=[WUCHANG], unit="kg", gtins=[PADDY_GTIN], packs=PADDY_PACKS,
        processes={"milling": (RICE, "0.70")}), "register the paddy, milling yield at most 0.70")
    for grower, quota in ((MINLE, "60000"), (LONGFENG, "30000"), (LALIN, "40000")):
        s.by(REGULATOR, drafts.producer_approve(PADDY, grower.org, year, quota),
             f"approve {grower.en} for {year}: {quota} kg")
    # Labels are approved by the year they are printed in (the statement's date).
    s.by(REGULATOR, drafts.producer_approve(RICE, MILL.org, today.year, "25000"),
         f"approve the Jinhe mill to print the special sign on its rice bags in {today.year}")

    # Harvests: plots and quantities are confidential; the village is what a shopper sees.
    minle1, minle2 = f"minle-{year}-001", f"minle-{year}-002"
    longfeng1, lalin1 = f"longfeng-{year}-001", f"lalin-{year}-001"
    s.by(MINLE, drafts.batch_register(
        minle1, PADDY, f"MINLE{year}-01", "24000", day(9, 28),
        plot="民乐乡红光村3号地块 Hongguang village plot 3", lat="44.9012", lon="127.1453",
        plot_region=WUCHANG, village={"zh": "五常市民乐乡红光村", "en": "Hongguang village, Minle"}),
        "Minle harvests 24 t of Daohuaxiang No. 2 paddy")
    s.by(MINLE, drafts.batch_register(
        minle2, PADDY, f"MINLE{year}-02", "18000", day(10, 3),
        plot="民乐乡朝阳村7号地块 Chaoyang village plot 7", lat="44.8876", lon="127.1688",
        plot_region=WUCHANG, village={"zh": "五常市民乐乡朝阳村", "en": "Chaoyang village, Minle"}),
        "Minle harvests another 18 t")
    s.by(LONGFENG, drafts.batch_register(
        longfeng1, PADDY, f"LFS{year}-01", "15000", day(9, 30),
        plot="龙凤山镇乐园村 Leyuan village", lat="44.7342", lon="127.5291",
        plot_region=WUCHANG, village={"zh": "五常市龙凤山镇乐园村", "en": "Leyuan village, Longfengshan"}),
        "Longfengshan harvests 15 t")
    s.by(LALIN, drafts.batch_register(
        lalin1, PADDY, f"LALIN{year}-01", "20000", day(10, 2),
        plot="拉林河东岸 east bank of the Lalin river", lat="45.0128", lon="126.9877",
        plot_region=WUCHANG, village={"zh": "五常市拉林满族镇", "en": "Lalin"}),
        "Lalin harvests 20 t")

    s.by(MINLE, drafts.batch_split(minle1, {f"{minle1}-a": "14000", f"{minle1}-b": "10000"}),
         "Minle splits its first harvest: 14 t to mill now, 10 t stays in store")

    # Paddy to the mill: two deliveries accepted, one refused at the weighbridge.
    s.by(MINLE, drafts.shipment_send(f"ship-minle-jinhe-{year}-01", MILL.org,
                                     {f"{minle1}-a": "14000", minle2: "18000"}),
         "Minle trucks 32 t of paddy to the Jinhe mill")
    s.by(MILL, drafts.shipment_receive(f"ship-minle-jinhe-{year}-01",
                                       reason="weighed 32.0 t, moisture 14.8 %"), "the mill receives it")
    s.by(LONGFENG, drafts.shipment_send(f"ship-longfeng-jinhe-{year}-01", MILL.org,
                                        {longfeng1: "15000"}), "Longfengshan delivers 15 t")
    s.by(MILL, drafts.shipment_receive(f"ship-longfeng-jinhe-{year}-01"), "the mill receives it")
    s.by(LALIN, drafts.shipment_send(f"ship-lalin-jinhe-{year}-01", MILL.org, {lalin1: "20000"}),
         "Lalin delivers 20 t")
    s.by(MILL, drafts.shipment_reject(f"ship-lalin-jinhe-{year}-01",
                                      "moisture 18.5 %, above the 15.5 % contract limit (水分超标)"),
         "the mill rejects it: too wet; the paddy goes back to Lalin")

    # Milling, within the declared 70 % yield.
    rice1, rice2 = f"jinhe-rice-{year}-001", f"jinhe-rice-{year}-002"
    s.by(MILL, drafts.batch_process("milling", {f"{minle1}-a": "14000", minle2: "18000"}, rice1,
                                    f"JH{year}-1001", "21760"),
         "the mill mills Minle's 32 t of paddy into 21.76 t of rice (68 %)")
    s.by(MILL, drafts.batch_process("milling", {longfeng1: "15000"}, rice2, f"JH{year}-1002",
                                    "10050"),
         "the mill mills Longfengshan's 15 t into 10.05 t of rice (67 %)")

    # Special signs: the mill, approved for the rice, labels the bags it fills while it holds
    # them; one statement commits to each run of labels by its Merkle root.
    bags_5kg = list(sign_labels(MILL.org, RICE_GTINS[0], f"JH{year}-1001", 24))
    s.by(MILL, drafts.label_issue(rice1, RICE_GTINS[0], "5", bags_5kg),
         "the mill issues 24 special-sign labels for 5 kg bags of Minle's rice")
    s.by(MILL, drafts.label_void([bags_5kg[0].serial], "misprinted, destroyed"),
         "the mill voids a misprinted label")
    bags_2_5kg = list(sign_labels(MILL.org, RICE_GTINS[1], f"JH{year}-1002", 12))
    s.by(MILL, drafts.label_issue(rice2, RICE_GTINS[1], "2.5", bags_2_5kg),
         "the mill issues 12 labels for 2.5 kg bags of Longfengshan's rice")

    # On to Harbin (the labelled bags travel first), then Beijing.
    s.by(MILL, drafts.shipment_send(f"ship-jinhe-harbin-{year}-01", DISTRIBUTOR.org,
                                    {rice1: "20000", rice2: "10000"}),
         "the mill ships 30 t of milled rice, the labelled bags among it, to the Harbin distributor")
    s.by(DISTRIBUTOR, drafts.shipment_receive(f"ship-jinhe-harbin-{year}-01"),
         "the distributor receives it")
    s.by(DISTRIBUTOR, drafts.batch_split(rice1, {f"{rice1}-hm": "6000", f"{rice1}-pl": "3000"}),
         "the distributor splits a lot for Hema: 6 t now, 3 t on a pallet (the labelled bags stay "
         "in the lot)")
    for shipment, to, items, what in (
            (f"ship-harbin-wumart-{year}-01", WUMART, {rice1: "8000"}, "8 t with the 5 kg bags to Wumart"),
            (f"ship-harbin-hema-{year}-01", HEMA, {f"{rice1}-hm": "6000"}, "6 t to Hema"),
            (f"ship-harbin-wumart-{year}-02", WUMART, {rice2: "5000"}, "5 t with the 2.5 kg bags to Wumart"),
            (f"ship-harbin-hema-{year}-02", HEMA, {rice2: "5000"}, "5 t to Hema")):
        s.by(DISTRIBUTOR, drafts.shipment_send(shipment, to.org, items), f"the distributor ships {what}")
        s.by(to, drafts.shipment_receive(shipment), f"{to.en} receives it")
    s.by(HEMA, drafts.key_add(HEMA.org, keys[DESK], label="receiving-desk handheld",
                              reason="handheld for the receiving desk"), "Hema enrols a desk handheld")
    s.by(DISTRIBUTOR, drafts.shipment_send(f"ship-harbin-hema-{year}-03", HEMA.org,
                                           {f"{rice1}-pl": "3000"}, sscc=sscc(year)),
         "the distributor ships 3 t more to Hema, SSCC on the pallet: still in transit (pending)")

    s.by(WUMART, drafts.label_sell([x.serial for x in bags_5kg[1:3]]), "Wumart sells two bags")
    labels.voided, labels.sold = bags_5kg[:1], bags_5kg[1:3]
    labels.on_shelf, labels.recalled = bags_5kg[3:], bags_2_5kg

    s.by(WUMART, drafts.key_revoke(WUMART.org, _key_id(keys[SCANNER]), reason="device lost"),
         "Wumart revokes the lost scanner's key")
    s.by(REGULATOR, drafts.batch_recall(longfeng1, "抽检农药残留超过GB 2763限量 / pesticide residue "
                                                   "above the GB 2763 limit in a spot check"),
         "the authority recalls Longfengshan's harvest: the rice milled from it is recalled "
         "at the distributor, Wumart and Hema")
    return s.steps


def sscc(year: int) -> str:
    """The demo pallet's SSCC: extension digit 0, the distributor's invented company prefix
    0697123, a serial reference of the season, and the GS1 check digit."""
    body = f"0{DISTRIBUTOR_PREFIX}{year:04d}{3:05d}"
    return body + check_digit(body)


def _key_id(key: PublicKey) -> str:
    return key_id(b64url_decode(drafts.public_key(key)))
