"""Packaging for gi-trace: `pip install -e .[dev,postgres]`."""

from setuptools import find_packages, setup

setup(
    name="gi-trace",
    version="0.1.0",
    description="A signed, hash-chained, Merkle-verifiable ledger for geographical-indication products",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["gi_trace", "gi_trace.*"]),
    package_data={"gi_trace": ["py.typed", "migrations/*.ini", "migrations/*.mako", "migrations/versions/*.py",
                               "api/templates/*.html", "api/templates/*/*.html", "api/templates/*/*.js"]},
    include_package_data=True,
    install_requires=[
        "Flask>=3.1,<4",
        "SQLAlchemy>=2.0,<2.2",
        "alembic>=1.13,<2",
        "cryptography>=43",
        "PyNaCl>=1.5",
        "rfc8785>=0.1.4,<0.2",
        "marshmallow>=3.20,<5",
        "flask-smorest>=0.45,<0.48",
        "qrcode>=7.4",
        "Pillow>=10",
        "gunicorn>=22",
        "prometheus-client>=0.20,<1",
        "flask-swagger-ui>=5.17,<6",  # Swagger UI 5's files (OpenAPI 3.1), served at /v1/docs: no CDN
    ],
    extras_require={
        "postgres": ["psycopg[binary]>=3.2,<4"],
        "dev": [
            "pytest>=8",
            "hypothesis>=6.100",
            "schemathesis>=4.32,<5",  # tests/api/test_contract.py: the API against its OpenAPI document
            "openapi-spec-validator>=0.7,<1",  # and that document against OpenAPI 3.1
            "ruff>=0.6",
            "mypy>=1.10",
            "psycopg[binary]>=3.2,<4",
            "zxing-cpp>=2.2",
            "resvg-py>=0.5",
            "pypdfium2>=4.30",
            "playwright>=1.45",
            "jsonschema>=4.20",
            # jsonschema checks the `uri` and `date-time` formats of the EPCIS schema only with these
            "rfc3986-validator>=0.1.1",
            "rfc3339-validator>=0.1.4",
        ],
    },
    entry_points={"console_scripts": ["gi-trace=gi_trace.cli.main:main"]},
)
