"""`gi-trace demo`: a realistic Wuchang rice (五常大米) chain, for trying the service at once.

DEMO ONLY: this command generates every organisation's private key on this
machine and writes them to --keys-dir. In real use each organisation makes its
own key (`gi-trace keys new`) and the server never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.cli.errors import friendly
from gi_trace.ledger import keys
from gi_trace.ledger.genesis import save_genesis
from gi_trace.ledger.statement import Envelope, draft
from gi_trace.service import initialize, open_service
from gi_trace.settings import Settings


@dataclass(frozen=True)
class DemoOrg:
    org: str
    zh: str
    en: str
    roles: tuple[str, ...]
    region: str = ""


REGULATOR = DemoOrg("cnipa", "国家知识产权局", "China National Intellectual Property Administration",
                    ("regulator",))
ORGS = (
    DemoOrg("minle-coop", "五常市民乐乡稻花香种植合作社", "Minle Daohuaxiang Growers' Cooperative",
            ("producer",), "230184"),
    DemoOrg("longfeng-farm", "五常市龙凤山水稻农场", "Longfengshan Rice Farm", ("producer",), "230184"),
    DemoOrg("lalin-coop", "五常市拉林河稻米合作社", "Lalin River Rice Cooperative", ("producer",), "230184"),
    DemoOrg("shuangcheng-farm", "双城区稻田农场", "Shuangcheng Paddy Farm (not approved for the GI)",
            ("producer",), "230113"),
    DemoOrg("jinhe-mill", "五常金禾米业有限公司", "Jinhe Rice Mill Co.", ("processor",), "230184"),
    DemoOrg("harbin-cold-chain", "哈尔滨北方粮食物流有限公司", "Harbin Northern Grain Logistics",
            ("distributor",), "230100"),
    DemoOrg("wumart-beijing", "物美超市（北京）", "Wumart Supermarket Beijing", ("retailer",), "110105"),
    DemoOrg("hema-beijing", "盒马鲜生（北京）", "Hema Fresh Beijing", ("retailer",), "110108"),
)


def _key(keys_dir: Path, org: str) -> Ed25519PrivateKey:
    path = keys_dir / f"{org}.pem"
    if not path.exists():
        keys.save_private_key(keys.generate(), path)
    return keys.load_private_key(path)


def _register(org: DemoOrg, pub: str) -> dict[str, object]:
    body: dict[str, object] = {"org": org.org, "name": {"zh": org.zh, "en": org.en},
                               "roles": list(org.roles), "keys": [pub]}
    if org.region:
        body["region"] = org.region
    return body


def demo_statements(keys_dir: Path) -> list[Envelope]:
    """Everything after the genesis, in log order."""
    regulator = _key(keys_dir, REGULATOR.org)
    envelopes = [draft("org.register", REGULATOR.org, regulator,
                       _register(org, keys.public_key_b64(_key(keys_dir, org.org))))
                 for org in ORGS]
    # A retailer enrols a handheld scanner as a second key, and later retires it.
    wumart = _key(keys_dir, "wumart-beijing")
    scanner = _key(keys_dir, "wumart-beijing-scanner")
    envelopes.append(draft("key.add", "wumart-beijing", wumart,
                           {"org": "wumart-beijing", "pub": keys.public_key_b64(scanner),
                            "reason": "receiving-desk handheld"}))
    envelopes.append(draft("key.revoke", "wumart-beijing", wumart,
                           {"org": "wumart-beijing", "key": keys.private_key_id(scanner),
                            "reason": "device lost"}))
    return envelopes


@click.command(help="Load a realistic demo chain (Wuchang rice) into an empty log. DEMO ONLY: "
                    "generates the demo organisations' private keys locally in --keys-dir.")
@click.option("--keys-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("instance/demo-keys"), show_default=True)
@friendly
def demo(keys_dir: Path) -> None:
    settings = Settings.from_env()
    regulators = Path(settings.regulators)
    if not regulators.exists():
        regulator = _key(keys_dir, REGULATOR.org)
        save_genesis([draft("org.register", REGULATOR.org, regulator,
                            _register(REGULATOR, keys.public_key_b64(regulator)))], regulators)
        click.echo(f"wrote demo regulators file {regulators} (regulator key in {keys_dir})")
    elif not (keys_dir / f"{REGULATOR.org}.pem").exists():
        raise click.ClickException(f"{regulators} exists but {keys_dir} has no demo regulator "
                                   "key; point GI_TRACE_REGULATORS elsewhere for the demo")
    initialize(settings)
    service = open_service(settings)
    try:
        size = service.log.size()
        if size > len(service.genesis):
            click.echo(f"log already holds {size} records; demo data not loaded again")
            return
        records = service.log.append(demo_statements(keys_dir))
        click.echo(f"demo loaded: {len(records)} statements (log size {service.log.size()}); "
                   f"demo private keys in {keys_dir}/ — for trying things out only")
    finally:
        service.engine.dispose()


COMMANDS = [demo]
